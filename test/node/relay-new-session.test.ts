/**
 * The relay mints the session id of a new conversation and claims it before the POST goes upstream,
 * so a turn is the user's even when its stream is cut inside `response.created`; an instance that
 * refuses minted ids gets the POST again without one, once, and no more minted ids for a while.
 * Against the real simulator (both revisions) and a fake upstream for the shapes it does not have.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { MintRefusals } from '../../src/server/session-minting.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import {
  API_KEY,
  HEX32,
  assertGatewayError,
  cutInsideCreated,
  hex32,
  readEvents,
  refuse,
  runTurn,
  serveRelay,
  stalledUntil,
  startFakeUpstream,
  turnUnder,
  waitFor,
  watchedFetch,
  type RelayCaller,
} from './relay-harness.js';

const FAULT_HEADER = 'x-agent37-sim-fault';

async function listedIds(caller: RelayCaller): Promise<string[]> {
  const list = await caller.call('GET', '/v1/sessions');
  assert.equal(list.status, 200);
  return list.json.data.map((session: { id: string }) => session.id);
}

function startTurn(caller: RelayCaller, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Response> {
  return caller.open('POST', '/v1/responses', { input: 'Hello there', stream: true, ...body }, headers);
}

describe('relay: new conversations on the simulator (newer revision)', () => {
  let simulator: Simulator;
  before(async () => {
    simulator = await createSimulator({ key: API_KEY, port: 0, pace: 'fast', faults: true, revision: 'newer' });
  });
  after(() => simulator.close());

  const relayed = async (t: TestContext) => {
    const watched = watchedFetch();
    const relay = await serveRelay(t, { instanceUrl: simulator.url, fetch: watched.fetch, forwardHeaders: [FAULT_HEADER] });
    return { ...relay, bodies: watched.bodies };
  };

  it('sends a minted 32-hex session_id upstream, and the turn runs under it', async (t) => {
    const relay = await relayed(t);
    const events = await readEvents(await startTurn(relay.as('alice')));
    const [sent] = relay.bodies();
    assert.equal(relay.bodies().length, 1);
    assert.match(sent.session_id, HEX32);
    assert.deepEqual(events[0], { event: 'response.created', data: { id: events[0]!.data.id, session_id: sent.session_id } });
    assert.equal(events.at(-1)?.event, 'response.completed');
    assert.equal((await relay.as('alice').call('GET', `/v1/sessions/${sent.session_id}`)).status, 200);
    assertGatewayError(await relay.as('bob').call('GET', `/v1/sessions/${sent.session_id}`), 404, 'session_not_found');
  });

  it("keeps a turn cut inside response.created in the user's session list, and findable to its end", async (t) => {
    const relay = await relayed(t);
    const alice = relay.as('alice');
    const cut = await startTurn(alice, { input: 'cut me off' }, { [FAULT_HEADER]: 'drop-after-bytes=40' });
    // the browser gets 40 bytes of the first frame, then the connection breaks
    const received = await cut.text().catch(() => 'cut');
    assert.doesNotMatch(received, /session_id/);
    const sessionId = relay.bodies()[0].session_id;
    assert.ok((await listedIds(alice)).includes(sessionId), 'the session is in its owner’s list');
    assert.equal((await listedIds(relay.as('bob'))).includes(sessionId), false);
    // the turn ran on at the instance, and its owner can read it through the relay
    const finished = async () => {
      const session = (await alice.call('GET', `/v1/sessions/${sessionId}`)).json;
      return session.active_response_id === null && session.history.at(-1)?.role === 'assistant';
    };
    await waitFor(finished, 'the finished turn in the history');
  });

  it('mints for a non-streaming POST too', async (t) => {
    const relay = await relayed(t);
    const answer = await relay.as('carol').call('POST', '/v1/responses', { input: 'no stream [chars=12]', session_id: null });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.status, 'completed');
    assert.deepEqual(relay.bodies(), [{ input: 'no stream [chars=12]', session_id: answer.json.session_id }]);
    assert.match(answer.json.session_id, HEX32);
  });
});

describe('relay: new conversations on the simulator (first revision: unknown session ids are 404)', () => {
  let simulator: Simulator;
  before(async () => {
    simulator = await createSimulator({ key: API_KEY, port: 0, pace: 'fast', faults: true, revision: 'first' });
  });
  after(() => simulator.close());

  it('sends the POST again without session_id, once, and mints no more afterwards', async (t) => {
    const watched = watchedFetch();
    const relay = await serveRelay(t, { instanceUrl: simulator.url, fetch: watched.fetch });
    const alice = relay.as('alice');

    const first = await readEvents(await startTurn(alice));
    const [minted, again] = watched.bodies();
    assert.equal(watched.bodies().length, 2);
    assert.match(minted.session_id, HEX32);
    assert.deepEqual(again, { input: 'Hello there', stream: true });
    assert.equal(first[0]?.event, 'response.created');
    assert.equal(first.at(-1)?.event, 'response.completed');
    const sessionId = first[0]!.data.session_id;
    assert.notEqual(sessionId, minted.session_id);
    assert.equal((await alice.call('GET', `/v1/sessions/${sessionId}`)).status, 200, 'the session the instance made is the user’s');
    assert.ok(relay.lines.some((line) => /refused a session id the relay minted \(HTTP 404\)/.test(line)), relay.lines.join('\n'));

    const second = await readEvents(await startTurn(alice, { input: 'Another conversation' }));
    assert.equal(second.at(-1)?.event, 'response.completed');
    assert.equal(watched.bodies().length, 3, 'one upstream POST for the next new conversation');
    assert.deepEqual(watched.bodies()[2], { input: 'Another conversation', stream: true });

    // a continued conversation is untouched
    const third = await readEvents(await startTurn(alice, { input: 'And more', session_id: sessionId }));
    assert.equal(third[0]?.data.session_id, sessionId);
    assert.deepEqual(watched.bodies()[3], { input: 'And more', stream: true, session_id: sessionId });
  });

  it('does the same for a non-streaming POST', async (t) => {
    const watched = watchedFetch();
    const relay = await serveRelay(t, { instanceUrl: simulator.url, fetch: watched.fetch });
    const answer = await relay.as('dave').call('POST', '/v1/responses', { input: 'quietly [chars=9]' });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.output_text.length, 9);
    assert.equal(watched.bodies().length, 2);
    assert.deepEqual(watched.bodies()[1], { input: 'quietly [chars=9]' });
    assert.equal((await relay.as('dave').call('GET', `/v1/sessions/${answer.json.session_id}`)).status, 200);
    assertGatewayError(await relay.as('erin').call('GET', `/v1/sessions/${answer.json.session_id}`), 404, 'session_not_found');
  });
});

describe('relay: new conversations, as the relay sends them upstream (fake upstream)', () => {
  it('claims the minted session for the user before the instance answers', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    let release!: () => void;
    fake.answers.push(stalledUntil(new Promise<void>((resolve) => (release = resolve))));

    const pending = startTurn(relay.as('alice'), { session_id: null });
    await waitFor(() => fake.posts().length === 1, 'the POST to reach the instance');
    const sessionId = fake.posts()[0]!.body.session_id;
    assert.match(sessionId, HEX32);
    // the instance has not answered yet: the session is already alice's, and only hers
    const reads = fake.seen.length;
    assert.equal((await relay.as('alice').call('GET', `/v1/sessions/${sessionId}`)).status, 200);
    assertGatewayError(await relay.as('bob').call('GET', `/v1/sessions/${sessionId}`), 404, 'session_not_found');
    assert.equal(fake.seen.length, reads + 1, "bob's read never reached the instance");

    release();
    const events = await readEvents(await pending);
    assert.equal(events[0]?.data.session_id, sessionId);
    assert.equal(events.at(-1)?.event, 'response.completed');
  });

  it("lists a session whose stream broke inside response.created for its owner only", async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    fake.answers.push(cutInsideCreated);
    const cut = await startTurn(relay.as('alice'));
    assert.equal(cut.status, 200);
    await cut.text().catch(() => 'cut');
    const sessionId = fake.posts()[0]!.body.session_id;
    assert.deepEqual(await listedIds(relay.as('alice')), [sessionId]);
    assert.deepEqual(await listedIds(relay.as('bob')), []);
  });

  it('sends the POST again without session_id on a 400 about session_id; that agent is not minted for again, others are', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    const alice = relay.as('alice');
    const own = 'ses_opencode_made_this_one';
    fake.answers.push(refuse(400, { code: 'validation_error', param: 'session_id' }), turnUnder(own));

    const events = await readEvents(await startTurn(alice, { agent: 'opencode' }));
    assert.deepEqual(events[0]?.data.session_id, own);
    const [minted, again] = fake.posts().map((seen) => seen.body);
    assert.equal(fake.posts().length, 2);
    assert.match(minted.session_id, HEX32);
    assert.deepEqual(again, { input: 'Hello there', stream: true, agent: 'opencode' });
    assert.equal((await alice.call('GET', `/v1/sessions/${own}`)).status, 200, 'the id the agent made is the user’s');
    assertGatewayError(await relay.as('bob').call('GET', `/v1/sessions/${own}`), 404, 'session_not_found');

    fake.answers.push(turnUnder('ses_opencode_second'));
    await readEvents(await startTurn(alice, { agent: 'opencode' }));
    assert.equal(fake.posts().length, 3);
    assert.equal('session_id' in fake.posts()[2]!.body, false, 'no minted id for opencode for a while');

    await readEvents(await startTurn(alice));
    assert.equal(fake.posts().length, 4);
    assert.match(fake.posts()[3]!.body.session_id, HEX32, 'the default agent is still minted for');
  });

  it('sends a non-streaming POST again on a refusal, and relays the second answer', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    fake.answers.push(refuse(400, { code: 'validation_error', param: 'session_id' }), turnUnder('ses_own'));
    const answer = await relay.as('alice').call('POST', '/v1/responses', { input: 'hi', agent: 'opencode' });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.session_id, 'ses_own');
    assert.equal(fake.posts().length, 2);
    assert.equal((await relay.as('alice').call('GET', '/v1/sessions/ses_own')).status, 200);
  });

  it('passes on every other refusal as it is, without sending again, and goes on minting', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    const refusals: [number, { code: string; param?: string }][] = [
      [400, { code: 'validation_error', param: 'model' }],
      [400, { code: 'validation_error' }],
      [404, { code: 'not_found' }],
      [409, { code: 'session_busy' }],
      [413, { code: 'payload_too_large' }],
      [429, { code: 'rate_limited' }],
      [500, { code: 'internal_error' }],
      [503, { code: 'agent_unavailable' }],
    ];
    for (const [status, error] of refusals) {
      const before = fake.posts().length;
      fake.answers.push(refuse(status, error));
      const answer = await relay.as('alice').call('POST', '/v1/responses', { input: 'hi', stream: true, model: 'gpt-5' });
      assertGatewayError(answer, status, error.code, error.param);
      assert.equal(fake.posts().length, before + 1, `${status} ${error.code} is not sent again`);
      assert.match(fake.posts()[before]!.body.session_id, HEX32, `minted again after ${status} ${error.code}`);
    }
  });

  it('claims the session an agent answers with when it is not the minted one', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    const other = hex32();
    fake.answers.push(turnUnder(other));
    const events = await readEvents(await startTurn(relay.as('alice')));
    assert.equal(events[0]?.data.session_id, other);
    const minted = fake.posts()[0]!.body.session_id;
    assert.notEqual(minted, other);
    for (const id of [other, minted]) assert.equal((await relay.as('alice').call('GET', `/v1/sessions/${id}`)).status, 200);
    assertGatewayError(await relay.as('bob').call('GET', `/v1/sessions/${other}`), 404, 'session_not_found');
  });

  it("leaves the user's own session_id as it is, even when the instance answers 404 for it", async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    const alice = relay.as('alice');
    const started = await readEvents(await startTurn(alice));
    const sessionId = started[0]!.data.session_id;

    fake.answers.push(runTurn, refuse(404, { code: 'session_not_found' }));
    const body = { input: 'Go on', stream: true, session_id: sessionId, model: 'gpt-5' };
    await readEvents(await alice.open('POST', '/v1/responses', body));
    assert.deepEqual(fake.posts()[1]!.body, body);
    const gone = await alice.call('POST', '/v1/responses', body);
    assertGatewayError(gone, 404, 'session_not_found');
    assert.equal(fake.posts().length, 3, 'a 404 for the user’s own session is not sent again');
    assert.deepEqual(fake.posts()[2]!.body, body);
  });
});

describe('MintRefusals', () => {
  it('refuses for an agent until its pause ends, and keeps the others apart', () => {
    let now = 1_000;
    const refusals = new MintRefusals(60_000, () => now);
    assert.equal(refusals.refuses(''), false);
    refusals.remember('opencode');
    assert.equal(refusals.refuses('opencode'), true);
    assert.equal(refusals.refuses(''), false);
    now += 59_999;
    assert.equal(refusals.refuses('opencode'), true);
    now += 1;
    assert.equal(refusals.refuses('opencode'), false);
  });

  it('remembers a bounded number of agents, forgetting the oldest', () => {
    const refusals = new MintRefusals();
    for (let index = 0; index < 100; index++) refusals.remember(`agent-${index}`);
    assert.equal(refusals.refuses('agent-0'), false);
    assert.equal(refusals.refuses('agent-99'), true);
  });
});
