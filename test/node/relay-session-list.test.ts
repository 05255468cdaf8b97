/**
 * GET /v1/sessions through the relay: answered from the user's own index, with titles and previews from
 * one upstream list shared by every user and fetched at most once per `sessionListMaxAgeMs`; a session
 * new since that fetch is listed at once; a rename or delete through the relay shows at once; and the
 * user's cap (`maxSessionsPerUser`) forgets only that user's oldest.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertGatewayError, readEvents, serveRelay, startFakeUpstream, type FakeUpstream, type RelayCaller } from './relay-harness.js';

async function listedIds(caller: RelayCaller): Promise<string[]> {
  const list = await caller.call('GET', '/v1/sessions');
  assert.equal(list.status, 200, JSON.stringify(list.json));
  return list.json.data.map((session: { id: string }) => session.id);
}

/** A finished turn in a new conversation; its session id. */
async function newConversation(caller: RelayCaller): Promise<string> {
  const events = await readEvents(await caller.open('POST', '/v1/responses', { input: 'Hello', stream: true }));
  return events[0]!.data.session_id;
}

function listFetches(fake: FakeUpstream): number {
  return fake.seen.filter((seen) => seen.method === 'GET' && seen.path === '/v1/sessions').length;
}

describe('relay: the session list', () => {
  it('lists only the user’s own sessions, in the instance’s order, with its fields, and none of its counts', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, sessionListMaxAgeMs: 0 });
    const alice = relay.as('alice');
    const first = await newConversation(alice);
    await newConversation(relay.as('bob'));
    const second = await newConversation(alice);
    const list = await alice.call('GET', '/v1/sessions');
    // the fake lists in insertion order: the instance's order is kept, whatever the index says
    // (and not the instance's `total` or `next_cursor`, which count everyone's)
    assert.deepEqual(list.json, { data: [{ id: first, title: null }, { id: second, title: null }] });
  });

  it('one upstream list for thirty users asking at once, and none again within the max age', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, sessionListMaxAgeMs: 60_000 });
    const users = Array.from({ length: 30 }, (_, i) => relay.as(`user-${i}`));
    const own = await Promise.all(users.map((user) => newConversation(user)));
    const before = listFetches(fake);
    const lists = await Promise.all(users.map((user) => listedIds(user)));
    assert.deepEqual(lists, own.map((id) => [id]));
    assert.equal(listFetches(fake) - before, 1);
    await Promise.all(users.map((user) => listedIds(user)));
    assert.equal(listFetches(fake) - before, 1);
  });

  it('fetches again once the list is older than the max age', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, sessionListMaxAgeMs: 200 });
    const alice = relay.as('alice');
    await newConversation(alice);
    await listedIds(alice);
    const before = listFetches(fake);
    await listedIds(alice);
    assert.equal(listFetches(fake), before, 'within the max age');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await listedIds(alice);
    assert.equal(listFetches(fake), before + 1);
  });

  it('a conversation started after the list was fetched is listed at once, first and by its id alone', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, sessionListMaxAgeMs: 60_000 });
    const alice = relay.as('alice');
    const old = await newConversation(alice);
    assert.deepEqual(await listedIds(alice), [old]);
    const startedAt = Date.now();
    const fresh = await newConversation(alice);
    const list = await alice.call('GET', '/v1/sessions');
    const [first, second] = list.json.data;
    // by what the relay knows of it: its id and when it was last used
    assert.deepEqual(Object.keys(first), ['id', 'last_active']);
    assert.equal(first.id, fresh);
    assert.ok(first.last_active >= startedAt && first.last_active <= Date.now(), String(first.last_active));
    assert.deepEqual(second, { id: old, title: null });
    // another user's new session is not in alice's list, fresh or not
    await newConversation(relay.as('bob'));
    assert.deepEqual(await listedIds(alice), [fresh, old]);
  });

  it('a session the instance no longer lists (deleted elsewhere) is left out', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, sessionListMaxAgeMs: 0 });
    const alice = relay.as('alice');
    const kept = await newConversation(alice);
    const gone = await newConversation(alice);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    fake.sessions.delete(gone);
    assert.deepEqual(await listedIds(alice), [kept]);
  });

  it('a conversation renamed before any list held it is listed with its new title', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, sessionListMaxAgeMs: 60_000 });
    const alice = relay.as('alice');
    await listedIds(alice);
    const fresh = await newConversation(alice);
    assert.equal((await alice.call('PATCH', `/v1/sessions/${fresh}`, { title: 'Fresh and named' })).status, 200);
    const [listed] = (await alice.call('GET', '/v1/sessions')).json.data;
    assert.deepEqual([listed.id, listed.title], [fresh, 'Fresh and named']);
  });

  it('a rename and a delete through the relay show in the next list, without a new fetch', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, sessionListMaxAgeMs: 60_000 });
    const alice = relay.as('alice');
    const renamed = await newConversation(alice);
    const deleted = await newConversation(alice);
    await listedIds(alice);
    const before = listFetches(fake);
    assert.equal((await alice.call('PATCH', `/v1/sessions/${renamed}`, { title: 'Trip to Lisbon' })).status, 200);
    assert.equal((await alice.call('DELETE', `/v1/sessions/${deleted}`)).status, 200);
    const list = await alice.call('GET', '/v1/sessions');
    assert.deepEqual(list.json.data, [{ id: renamed, title: 'Trip to Lisbon' }]);
    assert.equal(listFetches(fake), before);
    // a deleted session is the user's no more
    assertGatewayError(await alice.call('GET', `/v1/sessions/${deleted}`), 404, 'session_not_found');
  });

  it('an upstream failure is every waiting caller’s answer, and is not kept', async (t) => {
    const fake = await startFakeUpstream(t);
    let failing = true;
    const relay = await serveRelay(t, {
      instanceUrl: fake.url,
      sessionListMaxAgeMs: 60_000,
      fetch: async (input, init) => {
        if (failing && new URL(String(input)).pathname === '/v1/sessions') {
          return Response.json({ error: { code: 'internal_error', message: 'Hermes is restarting' } }, { status: 500 });
        }
        return fetch(input, init);
      },
    });
    const users = [relay.as('alice'), relay.as('bob')];
    const answers = await Promise.all(users.map((user) => user.call('GET', '/v1/sessions')));
    for (const answer of answers) assertGatewayError(answer, 500, 'internal_error');
    failing = false;
    assert.deepEqual(await listedIds(users[0]!), []);
  });

  it('keeps each list per agent queried (Hermes lists one agent’s sessions under ?agent=)', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, sessionListMaxAgeMs: 60_000 });
    const alice = relay.as('alice');
    await newConversation(alice);
    await alice.call('GET', '/v1/sessions');
    const agentList = await alice.call('GET', '/v1/sessions?agent=opencode');
    assert.equal(agentList.json.agent, 'opencode');
    assert.equal(fake.seen.filter((seen) => seen.path === '/v1/sessions' && seen.search === '?agent=opencode').length, 1);
  });
});

describe('relay: each user’s session cap', () => {
  it('past maxSessionsPerUser the user’s least recently used session is forgotten, never another user’s', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, maxSessionsPerUser: 3, sessionListMaxAgeMs: 0 });
    const alice = relay.as('alice');
    const bob = relay.as('bob');
    const bobs = [await newConversation(bob), await newConversation(bob)];
    const alices: string[] = [];
    for (let i = 0; i < 3; i++) alices.push(await newConversation(alice));
    // a turn in the oldest makes the second the least recently used; reading one does not count
    assert.equal((await alice.call('POST', '/v1/responses', { input: 'Again', session_id: alices[0] })).status, 200);
    assert.equal((await alice.call('GET', `/v1/sessions/${alices[1]}`)).status, 200);
    alices.push(await newConversation(alice));
    assertGatewayError(await alice.call('GET', `/v1/sessions/${alices[1]}`), 404, 'session_not_found');
    for (const id of [alices[0], alices[2], alices[3]]) assert.equal((await alice.call('GET', `/v1/sessions/${id}`)).status, 200);
    assert.deepEqual(new Set(await listedIds(alice)), new Set([alices[0], alices[2], alices[3]]));
    for (const id of bobs) assert.equal((await bob.call('GET', `/v1/sessions/${id}`)).status, 200);
    assert.deepEqual(await listedIds(bob), bobs);
  });
});
