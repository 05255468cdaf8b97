/**
 * MemoryOwnershipStore's per-user index, as the Redis store has it (redis-ownership-store.test.ts):
 * sessions most recently claimed first, a per-user cap that forgets only that user's, the global cap
 * as a last resort, and release by the owner only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryOwnershipStore } from '../../src/server/index.js';

const ids = async (store: MemoryOwnershipStore, userId: string) => (await store.sessionsOf(userId)).map((session) => session.id);

describe('MemoryOwnershipStore: each user’s sessions', () => {
  it('lists them most recently claimed first, with when; a lookup or another user’s claim moves nothing', async () => {
    const store = new MemoryOwnershipStore();
    const before = Date.now();
    for (const id of ['s1', 's2', 's3']) await store.claim('session', id, 'alice');
    await store.claim('session', 'b1', 'bob');
    await store.owners('session', ['s1']);
    await store.claim('session', 's2', 'alice');
    assert.equal(await store.claim('session', 's3', 'bob'), 'alice');
    assert.deepEqual(await ids(store, 'alice'), ['s2', 's3', 's1']);
    assert.deepEqual(await ids(store, 'bob'), ['b1']);
    for (const { usedAt } of await store.sessionsOf('alice')) assert.ok(usedAt >= before && usedAt <= Date.now());
    assert.deepEqual(await store.sessionsOf('nobody'), []);
  });

  it('past maxSessionsPerUser forgets that user’s least recently claimed, ownership too, never another user’s', async () => {
    const store = new MemoryOwnershipStore();
    const cap = { maxSessionsPerUser: 2 };
    await store.claim('session', 'b1', 'bob', cap);
    for (const id of ['a1', 'a2']) await store.claim('session', id, 'alice', cap);
    await store.claim('session', 'a1', 'alice', cap);
    await store.claim('session', 'a3', 'alice', cap);
    assert.deepEqual(await ids(store, 'alice'), ['a3', 'a1']);
    assert.deepEqual(await store.owners('session', ['a2', 'b1']), [null, 'bob']);
  });

  it('the global maxSessions still holds, whoever owns the least recently used, and leaves their index too', async () => {
    const store = new MemoryOwnershipStore({ maxSessions: 2 });
    await store.claim('session', 'a1', 'alice');
    await store.claim('session', 'b1', 'bob');
    await store.claim('session', 'c1', 'carol');
    assert.deepEqual(await store.owners('session', ['a1', 'b1', 'c1']), [null, 'bob', 'carol']);
    assert.deepEqual(await ids(store, 'alice'), []);
  });

  it('an idle session leaves its owner’s index', async () => {
    const store = new MemoryOwnershipStore({ sessionIdleTtlMs: 50 });
    await store.claim('session', 'idle', 'alice');
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(await ids(store, 'alice'), []);
  });

  it('release forgets a session or response for its owner only', async () => {
    const store = new MemoryOwnershipStore();
    await store.claim('session', 's1', 'alice');
    await store.claim('response', 'r1', 'alice');
    await store.release('session', 's1', 'bob');
    await store.release('response', 'r1', 'bob');
    assert.deepEqual([await store.owners('session', ['s1']), await store.owners('response', ['r1'])], [['alice'], ['alice']]);
    await store.release('session', 's1', 'alice');
    await store.release('response', 'r1', 'alice');
    assert.deepEqual([await store.owners('session', ['s1']), await store.owners('response', ['r1'])], [[null], [null]]);
    assert.deepEqual(await ids(store, 'alice'), []);
    assert.equal(await store.claim('session', 's1', 'bob'), 'bob', 'a released id can be claimed again');
  });
});
