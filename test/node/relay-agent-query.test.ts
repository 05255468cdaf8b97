/**
 * `?agent=NAME` on the relay: Hermes' gateway scopes session reads by it, so the relay passes it on
 * (that one parameter, and only a plain name) and drops every other query parameter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { API_KEY, assertGatewayError, readEvents, serveRelay, startFakeUpstream } from './relay-harness.js';

async function setup(t: TestContext) {
  const fake = await startFakeUpstream(t);
  const relay = await serveRelay(t, { instanceUrl: fake.url });
  const alice = relay.as('alice');
  // a turn, so alice owns a session and a response to read, stream and cancel
  const created = (await readEvents(await alice.open('POST', '/v1/responses', { input: 'hi', stream: true, agent: 'opencode' })))[0]!.data;
  /** The query string of the last request the instance saw. */
  const lastSearch = () => fake.seen.at(-1)!.search;
  return { fake, relay, alice, created, lastSearch };
}

describe('relay: ?agent=', () => {
  it('passes on agent, and only agent, on every route that reads or changes sessions and responses, models and health', async (t) => {
    const { fake, alice, created, lastSearch } = await setup(t);
    const routes: [string, string, unknown?][] = [
      ['GET', '/v1/sessions'],
      ['GET', `/v1/sessions/${created.session_id}`],
      ['PATCH', `/v1/sessions/${created.session_id}`, { title: 'Renamed' }],
      ['GET', '/v1/models'],
      ['GET', '/v1/health'],
      ['GET', `/v1/responses/${created.id}/stream`],
      ['GET', `/v1/responses/${created.id}`],
      ['POST', `/v1/responses/${created.id}/cancel`],
      ['DELETE', `/v1/sessions/${created.session_id}`],
    ];
    for (const [method, path, body] of routes) {
      const before = fake.seen.length;
      const answer = await alice.open(method, `${path}?limit=5&agent=opencode&key=sk_live_x&agent_id=7`, body);
      await answer.text();
      assert.equal(answer.status, 200, `${method} ${path}`);
      assert.equal(fake.seen.length, before + 1, `${method} ${path}`);
      assert.equal(lastSearch(), '?agent=opencode', `${method} ${path}`);
    }
  });

  it('drops every other parameter, and all of them on POST /v1/responses (its agent is in the body)', async (t) => {
    const { fake, alice, created, lastSearch } = await setup(t);
    await alice.call('GET', '/v1/sessions?limit=5&cursor=abc');
    assert.equal(lastSearch(), '');
    await alice.call('GET', `/v1/sessions/${created.session_id}?agentx=1`);
    assert.equal(lastSearch(), '');
    await readEvents(await alice.open('POST', '/v1/responses?agent=hermes&stream=false', { input: 'again', stream: true }));
    assert.equal(fake.posts().at(-1)!.search, '');
  });

  it('passes on every plain agent name as it is', async (t) => {
    const { alice, lastSearch } = await setup(t);
    for (const agent of ['hermes', 'claude-code', 'Open.Code_2', '9', `a${'b'.repeat(63)}`]) {
      assert.equal((await alice.call('GET', `/v1/models?agent=${agent}`)).status, 200, agent);
      assert.equal(lastSearch(), `?agent=${agent}`);
    }
    // percent-encoding of plain characters is read as those characters
    assert.equal((await alice.call('GET', '/v1/models?agent=%68ermes')).status, 200);
    assert.equal(lastSearch(), '?agent=hermes');
  });

  it('refuses an agent that is not one plain name with 400 validation_error, before the instance', async (t) => {
    const { fake, alice, created } = await setup(t);
    const values = ['', '-hermes', '.hidden', '..%2Fadmin', 'a%20b', 'a%26key%3Dx', 'hermes%0a', 'h%C3%A9rmes', `a${'b'.repeat(64)}`, 'a&agent=b'];
    for (const value of values) {
      for (const path of ['/v1/sessions', `/v1/sessions/${created.session_id}`, '/v1/health']) {
        const before = fake.seen.length;
        const answer = await alice.call('GET', `${path}?agent=${value}`);
        assertGatewayError(answer, 400, 'validation_error', 'agent');
        assert.equal(fake.seen.length, before, `?agent=${value} must not reach the instance`);
      }
    }
  });

  it('checks the token first: a bad agent with no token is a 401', async (t) => {
    const { relay } = await setup(t);
    const response = await fetch(`${relay.base}/v1/sessions?agent=..`);
    assert.equal(response.status, 401);
  });

  it("keeps the top-level agent of a filtered session list, and only the caller's sessions", async (t) => {
    const { fake, alice, created } = await setup(t);
    const scoped = await alice.call('GET', '/v1/sessions?agent=opencode');
    assert.equal(scoped.status, 200);
    assert.equal(fake.sessions.size, 2, 'the instance lists a session made without the relay too');
    assert.deepEqual(scoped.json, { agent: 'opencode', data: [{ id: created.session_id, title: null }] });
    const plain = await alice.call('GET', '/v1/sessions');
    assert.deepEqual(Object.keys(plain.json), ['data'], 'no agent, no count, no cursor');
  });
});

describe('relay: ?agent= on the simulator (newer revision)', () => {
  let simulator: Simulator;
  before(async () => {
    simulator = await createSimulator({ key: API_KEY, port: 0, pace: 'fast', faults: true, revision: 'newer' });
  });
  after(() => simulator.close());

  it("finds and lists a non-default agent's session through the relay with ?agent=", async (t) => {
    const relay = await serveRelay(t, { instanceUrl: simulator.url });
    const alice = relay.as('alice');
    const made = await alice.call('POST', '/v1/responses', { input: 'for codex [chars=7]', agent: 'codex' });
    assert.equal(made.status, 200);
    const sessionId = made.json.session_id;
    const read = await alice.call('GET', `/v1/sessions/${sessionId}?agent=codex`);
    assert.equal(read.status, 200);
    assert.equal(read.json.history[0]?.content, 'for codex [chars=7]');
    const list = await alice.call('GET', '/v1/sessions?agent=codex');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.data.map((session: { id: string }) => session.id), [sessionId]);
    // Hermes answers the agent it listed; a simulator without agent scoping says nothing
    if ('agent' in list.json) assert.equal(list.json.agent, 'codex');
    assertGatewayError(await relay.as('bob').call('GET', `/v1/sessions/${sessionId}?agent=codex`), 404, 'session_not_found');
  });
});
