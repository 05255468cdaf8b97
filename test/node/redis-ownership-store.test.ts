/**
 * RedisOwnershipStore against a real redis-server: the same promises as MemoryOwnershipStore (first
 * claim stands, per-user index in last-use order, the per-user cap, idle and response TTLs, release),
 * atomic across two clients, and what it does when Redis is not there. A raw client looks at (and
 * sometimes breaks) the keys behind the store's back.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { DEFAULT_MAX_SESSIONS_PER_USER } from '../../src/server/ownership-store.js';
import { RedisOwnershipStore, type RedisOwnershipStoreOptions } from '../../src/server/redis.js';
import { freePort, startRedisServer, type RedisServer } from '../support/redis-server.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));

let redis: RedisServer;
let raw: ReturnType<typeof createClient>;
let prefixes = 0;

before(async () => {
  redis = await startRedisServer();
  raw = createClient({ url: redis.url });
  raw.on('error', () => {});
  await raw.connect();
});

after(async () => {
  await raw?.close().catch(() => raw.destroy());
  await redis?.stop();
});

/** A store on the test Redis under a prefix of its own (so tests never see each other's keys), closed after the test. */
function storeFor(t: TestContext, options: Partial<RedisOwnershipStoreOptions> = {}) {
  const keyPrefix = `test${++prefixes}:`;
  const store = new RedisOwnershipStore({ url: redis.url, keyPrefix, ...options } as RedisOwnershipStoreOptions);
  t.after(() => store.close());
  return {
    store,
    /** A second store (its own client) on the same keys, as another relay replica would have. */
    replica(): RedisOwnershipStore {
      const other = new RedisOwnershipStore({ url: redis.url, keyPrefix, ...options } as RedisOwnershipStoreOptions);
      t.after(() => other.close());
      return other;
    },
    key: (kind: 'session' | 'response', id: string) => `${keyPrefix}${kind}:${id}`,
    index: (userId: string) => `${keyPrefix}user-sessions:${userId}`,
  };
}

async function ids(store: RedisOwnershipStore, userId: string): Promise<string[]> {
  return (await store.sessionsOf(userId)).map((session) => session.id);
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('claims', () => {
  it('records the first owner; a claim by anyone else changes nothing and answers the owner that stands', async (t) => {
    const { store, key, index } = storeFor(t);
    assert.equal(await store.claim('session', 's1', 'alice'), 'alice');
    await raw.pExpire(key('session', 's1'), 50_000);
    const aliceIndex = await raw.zRangeWithScores(index('alice'), 0, -1);

    assert.equal(await store.claim('session', 's1', 'bob'), 'alice');
    assert.equal(await raw.get(key('session', 's1')), 'alice');
    assert.ok((await raw.pTTL(key('session', 's1'))) <= 50_000, "bob's claim did not refresh alice's session");
    assert.deepEqual(await raw.zRangeWithScores(index('alice'), 0, -1), aliceIndex, "nor moved it in alice's index");
    assert.equal(await raw.exists(index('bob')), 0, 'and bob has no index');
    assert.deepEqual(await ids(store, 'bob'), []);

    assert.equal(await store.claim('response', 'r1', 'bob'), 'bob');
    assert.equal(await store.claim('response', 'r1', 'alice'), 'bob');
    assert.deepEqual(await store.owners('response', ['r1']), ['bob']);
  });

  it('sessions and responses are separate: the same id can be one user’s session and another’s response', async (t) => {
    const { store } = storeFor(t);
    assert.equal(await store.claim('session', 'x', 'alice'), 'alice');
    assert.equal(await store.claim('response', 'x', 'bob'), 'bob');
    assert.deepEqual(await store.owners('session', ['x']), ['alice']);
    assert.deepEqual(await store.owners('response', ['x']), ['bob']);
  });

  it('is atomic: two replicas claiming the same ids for different users at once agree on one owner each', async (t) => {
    const stores = storeFor(t);
    const first = stores.store;
    const second = stores.replica();
    // both connected first, so the claims below really race instead of queueing behind a connect
    await Promise.all([first.owners('session', ['warm-up']), second.owners('session', ['warm-up'])]);
    for (const kind of ['session', 'response'] as const) {
      const raced = Array.from({ length: 100 }, (_, i) => `${kind}-${i}`);
      const answers = await Promise.all(raced.map((id) => Promise.all([first.claim(kind, id, 'alice'), second.claim(kind, id, 'bob')])));
      const stored = await first.owners(kind, raced);
      answers.forEach(([toAlice, toBob], i) => {
        assert.equal(toAlice, toBob, `both claims of ${raced[i]} answer the same owner`);
        assert.equal(toAlice, stored[i]);
        assert.ok(toAlice === 'alice' || toAlice === 'bob');
      });
      if (kind === 'session') {
        const alices = stored.filter((owner) => owner === 'alice').length;
        assert.equal((await ids(first, 'alice')).length, alices, "each user's index holds exactly the sessions they won");
        assert.equal((await ids(first, 'bob')).length, 100 - alices);
      }
    }
  });
});

describe('lookups', () => {
  it('answer in the order asked, null where no owner is known, repeats included; none asked, none answered', async (t) => {
    const { store } = storeFor(t);
    await store.claim('session', 'a', 'alice');
    await store.claim('session', 'b', 'bob');
    assert.deepEqual(await store.owners('session', ['b', 'unknown', 'a', 'b']), ['bob', null, 'alice', 'bob']);
    assert.deepEqual(await store.owners('response', ['a', 'b']), [null, null]);
    assert.deepEqual(await store.owners('session', []), []);
  });

  it('a session looked up is used: its idle time starts again, but its place in its owner’s index (by claims) stays', async (t) => {
    const { store, key, index } = storeFor(t, { sessionIdleTtlMs: 60_000 });
    await store.claim('session', 'old', 'alice');
    await store.claim('session', 'new', 'alice');
    assert.deepEqual(await ids(store, 'alice'), ['new', 'old']);
    await raw.pExpire(key('session', 'old'), 1_000);
    await raw.pExpire(index('alice'), 1_000);

    assert.deepEqual(await store.owners('session', ['old']), ['alice']);
    assert.ok((await raw.pTTL(key('session', 'old'))) > 50_000, 'the idle TTL starts again');
    assert.ok((await raw.pTTL(index('alice'))) > 50_000, "so does the owner's index's");
    assert.deepEqual(await ids(store, 'alice'), ['new', 'old']);
  });

  it('a response is never refreshed, neither by a lookup nor by its owner claiming it again', async (t) => {
    const { store, key } = storeFor(t, { responseTtlMs: 60_000 });
    await store.claim('response', 'r', 'alice');
    await raw.pExpire(key('response', 'r'), 5_000);
    await store.owners('response', ['r']);
    assert.equal(await store.claim('response', 'r', 'alice'), 'alice');
    assert.ok((await raw.pTTL(key('response', 'r'))) <= 5_000);
  });
});

describe('time to live', () => {
  it('a response is forgotten responseTtlMs after its claim, then anyone may claim it', async (t) => {
    const { store } = storeFor(t, { responseTtlMs: 300 });
    const claimedAt = Date.now();
    await store.claim('response', 'r', 'alice');
    await waitFor(async () => (await store.owners('response', ['r']))[0] === null, 'the response to be forgotten');
    assert.ok(Date.now() - claimedAt >= 290, 'not before its TTL');
    assert.equal(await store.claim('response', 'r', 'bob'), 'bob');
  });

  it('a session is forgotten after sessionIdleTtlMs without use, while one in use stays; so does the index once all are idle', async (t) => {
    const { store, key, index } = storeFor(t, { sessionIdleTtlMs: 1_500 });
    await store.claim('session', 'kept', 'alice');
    await store.claim('session', 'idle', 'alice');
    // kept in use (a lookup every 20 ms) until the idle one's key is gone
    await waitFor(async () => {
      await store.owners('session', ['kept']);
      return (await raw.exists(key('session', 'idle'))) === 0;
    }, 'the idle session to expire');
    assert.deepEqual(await store.owners('session', ['kept', 'idle']), ['alice', null]);
    assert.deepEqual(await ids(store, 'alice'), ['kept']);
    assert.equal(await raw.zScore(index('alice'), 'idle'), null, 'the idle member is dropped from the index');

    const pttl = await raw.pTTL(index('alice'));
    assert.ok(pttl > 0 && pttl <= 1_500, `the index has the idle TTL too (${pttl})`);
    await waitFor(async () => (await raw.exists([key('session', 'kept'), index('alice')])) === 0, 'everything to expire once unused');
    assert.deepEqual(await store.sessionsOf('alice'), []);
  });
});

describe('the per-user index', () => {
  it('lists a user’s sessions most recently claimed first, with when each was', async (t) => {
    const { store } = storeFor(t);
    const before = Date.now();
    for (const id of ['s1', 's2', 's3']) await store.claim('session', id, 'alice');
    await store.claim('session', 'b1', 'bob');
    assert.deepEqual(await ids(store, 'alice'), ['s3', 's2', 's1']);

    await store.owners('session', ['s1']);
    await store.claim('session', 's2', 'alice');
    await store.claim('session', 's3', 'bob');
    assert.deepEqual(await ids(store, 'alice'), ['s2', 's3', 's1'], "the owner's claim moves a session up; a lookup and bob's claim do not");
    assert.deepEqual(await ids(store, 'bob'), ['b1']);

    const listed = await store.sessionsOf('alice');
    for (const session of listed) assert.ok(Number.isInteger(session.usedAt) && session.usedAt >= before && session.usedAt <= Date.now());
    assert.deepEqual(
      listed.map((session) => session.usedAt),
      listed.map((session) => session.usedAt).sort((x, y) => y - x),
    );
  });

  it('keeps the order of uses within one millisecond', async (t) => {
    const { store } = storeFor(t);
    const claimed = Array.from({ length: 20 }, (_, i) => `fast-${i}`);
    // sent together, they are scored within the same millisecond or two, in the order sent
    await Promise.all(claimed.map((id) => store.claim('session', id, 'alice')));
    assert.deepEqual(await ids(store, 'alice'), claimed.toReversed());
  });

  it('never lists a session whose key is gone (expired, evicted, deleted), nor one its key says is someone else’s', async (t) => {
    const { store, key, index } = storeFor(t);
    for (const id of ['s1', 's2', 's3']) await store.claim('session', id, 'alice');
    await raw.del(key('session', 's2'));
    await raw.set(key('session', 's3'), 'mallory');
    assert.deepEqual(await ids(store, 'alice'), ['s1']);
    assert.deepEqual(await raw.zRange(index('alice'), 0, -1), ['s1'], 'and tidies them out of the index');
  });

  it('past maxSessionsPerUser forgets the owner’s least recently claimed sessions, ownership too, and no one else’s', async (t) => {
    const stores = storeFor(t);
    const { store, key, index } = stores;
    const cap = { maxSessionsPerUser: 3 };
    await store.claim('session', 'b1', 'bob', cap);
    await store.claim('session', 'b2', 'bob', cap);
    for (const id of ['a1', 'a2', 'a3']) await store.claim('session', id, 'alice', cap);
    // a turn in a1 (the relay claims its session again); a lookup of a2 moves nothing
    await store.claim('session', 'a1', 'alice', cap);
    await store.owners('session', ['a2']);

    // from another replica: the cap holds across them
    await stores.replica().claim('session', 'a4', 'alice', cap);
    assert.deepEqual(await ids(store, 'alice'), ['a4', 'a1', 'a3'], 'a2 was the least recently used');
    assert.deepEqual(await store.owners('session', ['a2']), [null]);
    assert.equal(await raw.exists(key('session', 'a2')), 0);
    assert.deepEqual(await ids(store, 'bob'), ['b2', 'b1']);

    // an index member whose key is someone else's by now: trimmed from the index, the key left alone
    await raw.zAdd(index('alice'), { score: 1, value: 'taken' });
    await raw.set(key('session', 'taken'), 'bob');
    await store.claim('session', 'a5', 'alice', cap);
    assert.equal(await raw.zScore(index('alice'), 'taken'), null);
    assert.equal(await raw.get(key('session', 'taken')), 'bob');
    assert.deepEqual(await ids(store, 'alice'), ['a5', 'a4', 'a1']);
  });

  it(`keeps ${DEFAULT_MAX_SESSIONS_PER_USER} sessions per user when the claim does not say`, async (t) => {
    const { store } = storeFor(t);
    const total = DEFAULT_MAX_SESSIONS_PER_USER + 5;
    for (let first = 0; first < total; first += 50) {
      await Promise.all(Array.from({ length: Math.min(50, total - first) }, (_, i) => store.claim('session', `s${first + i}`, 'alice')));
    }
    assert.equal((await store.sessionsOf('alice')).length, DEFAULT_MAX_SESSIONS_PER_USER);
  });
});

describe('release', () => {
  it('forgets a session or response only for the user who owns it', async (t) => {
    const { store, index } = storeFor(t);
    await store.claim('session', 's', 'alice');
    await store.claim('session', 'other', 'alice');
    await store.claim('response', 'r', 'alice');

    await store.release('session', 's', 'bob');
    await store.release('response', 'r', 'bob');
    assert.deepEqual(await store.owners('session', ['s']), ['alice']);
    assert.deepEqual(await store.owners('response', ['r']), ['alice']);

    await store.release('session', 's', 'alice');
    await store.release('response', 'r', 'alice');
    await store.release('session', 'never-claimed', 'alice');
    assert.deepEqual(await store.owners('session', ['s']), [null]);
    assert.deepEqual(await store.owners('response', ['r']), [null]);
    assert.deepEqual(await ids(store, 'alice'), ['other']);
    assert.equal(await raw.zScore(index('alice'), 's'), null);
    assert.equal(await store.claim('session', 's', 'bob'), 'bob', 'a released id is free again');
  });
});

describe('clients and connections', () => {
  it('uses a client the customer made and never closes it', async (t) => {
    const client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    t.after(() => client.close().catch(() => client.destroy()));
    const store = new RedisOwnershipStore({ client, keyPrefix: `test${++prefixes}:` });
    assert.equal(await store.claim('session', 's', 'alice'), 'alice');
    await store.close();
    assert.equal(client.isOpen, true);
    assert.equal(await client.ping(), 'PONG');
    await assert.rejects(store.owners('session', ['s']), /the store is closed/);
  });

  it('works over RESP3 and with a type mapping that answers Buffers', async (t) => {
    const { RESP_TYPES } = await import('redis');
    const client = createClient({ url: redis.url, RESP: 3 }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    client.on('error', () => {});
    await client.connect();
    t.after(() => client.close().catch(() => client.destroy()));
    const store = new RedisOwnershipStore({ client, keyPrefix: `test${++prefixes}:` });
    assert.equal(await store.claim('session', 's1', 'alice', { maxSessionsPerUser: 1 }), 'alice');
    assert.equal(await store.claim('session', 's2', 'alice', { maxSessionsPerUser: 1 }), 'alice');
    assert.deepEqual(await store.owners('session', ['s1', 's2']), [null, 'alice']);
    assert.deepEqual(await ids(store, 'alice'), ['s2']);
  });

  it('wants either a url or a client, and TTLs of at least 1 ms', () => {
    assert.throws(() => new RedisOwnershipStore({} as RedisOwnershipStoreOptions), /either \{ url \} or \{ client \}/);
    assert.throws(() => new RedisOwnershipStore({ url: redis.url, client: raw } as unknown as RedisOwnershipStoreOptions), /either/);
    assert.throws(() => new RedisOwnershipStore({ url: redis.url, responseTtlMs: 0 }), /responseTtlMs/);
    assert.throws(() => new RedisOwnershipStore({ url: redis.url, sessionIdleTtlMs: Number.NaN }), /sessionIdleTtlMs/);
  });

  it('connects once for calls made together, and close() lets go of the connection it made', async () => {
    const connected = async () => Number(/connected_clients:(\d+)/.exec(await raw.info('clients'))![1]);
    const alone = await connected();
    const store = new RedisOwnershipStore({ url: redis.url, keyPrefix: `test${++prefixes}:` });
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.claim('session', `s${i}`, 'alice')));
    assert.equal(await connected(), alone + 1, 'one connection for ten first calls');
    await store.close();
    await waitFor(async () => (await connected()) === alone, 'the connection to close');
    await assert.rejects(store.claim('session', 'late', 'alice'), { name: 'RedisOwnershipStoreError', message: /the store is closed/ });
    await store.close();

    const unused = new RedisOwnershipStore({ url: redis.url });
    await unused.close();
    assert.equal(await connected(), alone, 'a store never used never connects');
  });

  it('rejects at once, with a clear error, when Redis cannot be reached; the next call tries again', { timeout: 10_000 }, async () => {
    const port = await freePort();
    const store = new RedisOwnershipStore({ url: `redis://agent:s3cret@127.0.0.1:${port}` });
    for (const call of [() => store.claim('session', 's', 'alice'), () => store.owners('session', ['s']), () => store.sessionsOf('alice')]) {
      await assert.rejects(call(), (error: Error) => {
        assert.equal(error.name, 'RedisOwnershipStoreError');
        assert.match(error.message, new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
        assert.doesNotMatch(error.message, /s3cret/);
        return true;
      });
    }
    await store.close();
  });

  it('while Redis is down calls reject at once; once it is back the store reconnects by itself', { timeout: 30_000 }, async (t) => {
    const own = await startRedisServer();
    t.after(() => own.stop());
    const store = new RedisOwnershipStore({ url: own.url });
    t.after(() => store.close());
    assert.equal(await store.claim('session', 's', 'alice'), 'alice');

    await own.stop();
    await assert.rejects(store.claim('session', 's2', 'alice'), { name: 'RedisOwnershipStoreError' });
    await assert.rejects(store.owners('session', ['s']), { name: 'RedisOwnershipStoreError' });

    const back = await startRedisServer({ port: own.port });
    t.after(() => back.stop());
    const claims = () => store.claim('session', 's3', 'alice').then(() => true, () => false);
    await waitFor(claims, 'the store to reconnect', 15_000);
    // a fresh server holds nothing: what was lost with it is forgotten, as after a restart of the memory store
    assert.deepEqual(await store.owners('session', ['s', 's3']), [null, 'alice']);
  });
});

describe('loading redis', () => {
  /** Runs `code` (an ES module) in a fresh Node with tsx, from the repo root; its stdout, trimmed. */
  async function node(code: string, ...imports: string[]): Promise<string> {
    const flags = ['--import', 'tsx', ...imports.flatMap((module) => ['--import', module])];
    const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', code], { cwd: repo, timeout: 20_000 });
    return stdout.trim();
  }

  it('agent37-chat/server never loads it; agent37-chat/server/redis only once a { url } store is first used', async () => {
    const loaded = "Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('/node_modules/redis/'))";
    const output = await node(`
      import { createRequire } from 'node:module';
      await import('./src/server/index.ts');
      const afterServer = ${loaded};
      const { RedisOwnershipStore } = await import('./src/server/redis.ts');
      const store = new RedisOwnershipStore({ url: ${JSON.stringify(redis.url)} });
      const afterNew = ${loaded};
      await store.claim('session', 'loading-test', 'alice');
      const afterClaim = ${loaded};
      await store.close();
      console.log(JSON.stringify({ afterServer, afterNew, afterClaim }));
    `);
    assert.deepEqual(JSON.parse(output), { afterServer: false, afterNew: false, afterClaim: true });
  });

  it('says to npm install redis when it is not there', async () => {
    const withoutRedis = `data:text/javascript,${encodeURIComponent(`
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(
        'export async function resolve(specifier, context, next) {' +
        '  if (specifier === "redis") throw Object.assign(new Error("Cannot find package redis"), { code: "ERR_MODULE_NOT_FOUND" });' +
        '  return next(specifier, context);' +
        '}'));
    `)}`;
    const output = await node(
      `
      const { RedisOwnershipStore } = await import('./src/server/redis.ts');
      const store = new RedisOwnershipStore({ url: 'redis://127.0.0.1:1' });
      await store.claim('session', 's', 'alice').then(() => console.log('claimed'), (error) => console.log(error.message));
    `,
      withoutRedis,
    );
    assert.match(output, /RedisOwnershipStore\(\{ url \}\) needs the redis package: npm install redis/);
  });
});
