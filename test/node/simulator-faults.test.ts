/**
 * The simulator's fault header (x-agent37-sim-fault) and pace header, byte- and event-exact.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AUTH, call, names, openStream, plain, startSimulator, streamTurn, TERMINALS, textOf } from './simulator-harness.js';

const FAULT = 'x-agent37-sim-fault';

describe('fault header off', async () => {
  const simulator = await startSimulator({ faults: false });

  test('is ignored when the simulator runs without faults', async () => {
    const read = await streamTurn(simulator, { input: 'no faults here' }, { [FAULT]: 'status=503, drop-after-events=1' });
    assert.equal(read.status, 200);
    assert.deepEqual(await read.done, { clean: true });
    assert.equal(read.events.at(-1)!.event, 'response.completed');
  });
});

describe('fault header on', async () => {
  const simulator = await startSimulator({ faults: true, keepaliveMs: 40 });

  test('an unknown or malformed directive → 400 validation_error naming the header', async () => {
    for (const header of ['explode=1', 'drop-after-bytes=-1', 'status=418', 'stall-seconds=soon']) {
      const answer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'x' }, headers: { [FAULT]: header } });
      assert.equal(answer.status, 400, header);
      assert.equal(answer.body.error.code, 'validation_error');
      assert.equal(answer.body.error.param, FAULT);
    }
  });

  test('drop-after-bytes=N writes exactly N body bytes (here inside a UTF-8 character), cuts, and the turn goes on', async () => {
    const input = 'cut me inside a character [no-tools] [no-reasoning]';
    // Same input, same script: every turn's body has the same bytes but for the ids, which have a fixed length.
    const reference = await streamTurn(simulator, { input });
    const full = reference.bytes();
    const multiByte = full.findIndex((byte) => byte >= 0xc0);
    assert.ok(multiByte > 0, 'the answer holds a multi-byte character');
    const cut = multiByte + 1;

    const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input, stream: true }, headers: { [FAULT]: `drop-after-bytes=${cut}` } });
    assert.equal(read.status, 200);
    assert.deepEqual(await read.done, { clean: false });
    const received = read.bytes();
    assert.equal(received.length, cut);
    assert.ok(!names(read.events).some((name) => TERMINALS.includes(name)), 'no terminal event');

    const id = read.events[0]!.data.id;
    const replay = await openStream(simulator, 'GET', `/v1/responses/${id}/stream`);
    await replay.done;
    assert.deepEqual(received, replay.bytes().subarray(0, cut), 'the cut is a prefix of the real stream');
    assert.equal(replay.events.at(-1)!.event, 'response.completed', 'the turn went on running');
    assert.equal(textOf(replay.events), textOf(reference.events));
  });

  test('a drop is a broken body to fetch (undici), never a clean end', async () => {
    const response = await fetch(`${simulator.url}/v1/responses`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json', [FAULT]: 'drop-after-events=2' },
      body: JSON.stringify({ input: 'cut for fetch', stream: true }),
    });
    assert.equal(response.status, 200);
    await assert.rejects(response.text(), TypeError);
  });

  test('drop-after-bytes=0 sends the headers and no body at all', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'zero', stream: true }, headers: { [FAULT]: 'drop-after-bytes=0' } });
    assert.equal(read.status, 200);
    assert.deepEqual(await read.done, { clean: false });
    assert.equal(read.bytes().length, 0);
  });

  test('drop-after-events=N cuts the connection after exactly N events', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'count them', stream: true }, headers: { [FAULT]: 'drop-after-events=4' } });
    assert.deepEqual(await read.done, { clean: false });
    assert.equal(read.events.length, 4);
    assert.equal(read.events[0]!.event, 'response.created');
  });

  test('faults on a reattach apply to that connection only', async () => {
    const live = await streamTurn(simulator, { input: 'reattach with a fault' });
    const id = live.events[0]!.data.id;
    const cut = await openStream(simulator, 'GET', `/v1/responses/${id}/stream`, { headers: { [FAULT]: 'drop-after-events=2' } });
    assert.deepEqual(await cut.done, { clean: false });
    assert.deepEqual(plain(cut.events), plain(live.events.slice(0, 2)));
    const whole = await openStream(simulator, 'GET', `/v1/responses/${id}/stream`);
    await whole.done;
    assert.deepEqual(plain(whole.events), plain(live.events));
  });

  test('stall-seconds=S writes nothing at all, keepalives included, for S seconds after N events, then goes on', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'stall for a bit', stream: true },
      headers: { [FAULT]: 'stall-seconds=0.8, stall-after-events=2' },
    });
    assert.deepEqual(await read.done, { clean: true });
    assert.equal(read.events.at(-1)!.event, 'response.completed', 'the stream went on after the stall');
    // A 40 ms keepalive interval would put many comments in a 0.8 s gap: the stall suppresses them all.
    const text = read.bytes().toString();
    const secondFrame = `event: ${read.events[1]!.event}\ndata: ${JSON.stringify(read.events[1]!.data)}\n\n`;
    const thirdFrame = `event: ${read.events[2]!.event}\ndata: ${JSON.stringify(read.events[2]!.data)}\n\n`;
    const afterSecond = text.indexOf(secondFrame) + secondFrame.length;
    assert.ok(text.slice(afterSecond).startsWith(thirdFrame), 'nothing between the second and the third event');
    // Timers never fire early; half the stall leaves room for a busy machine delaying the second read.
    const gap = read.events[2]!.at - read.events[1]!.at;
    assert.ok(gap >= 400, `the stall lasted ${gap} ms`);
  });

  test('status=N answers that error in the nested shape at once, 429 and 503 with Retry-After (1 s unless asked); no turn starts', async () => {
    const expected: [number, string, string | null][] = [
      [429, 'rate_limited', '1'],
      [500, 'internal_error', null],
      [502, 'agent_error', null],
      [503, 'agent_unavailable', '1'],
    ];
    const before = (await call(simulator, 'GET', '/v1/sessions')).body.data.length;
    for (const [status, code, retryAfter] of expected) {
      const answer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'refused', stream: true }, headers: { [FAULT]: `status=${status}` } });
      assert.equal(answer.status, status);
      assert.equal(answer.body.error.code, code);
      assert.equal(typeof answer.body.error.message, 'string');
      assert.equal(answer.headers.get('retry-after'), retryAfter, `retry-after of ${status}`);
    }
    const limited = await call(simulator, 'POST', '/v1/responses', { body: { input: 'x' }, headers: { [FAULT]: 'status=429,retry-after=7' } });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    assert.equal((await call(simulator, 'GET', '/v1/sessions')).body.data.length, before, 'no session was started');
    const health = await call(simulator, 'GET', '/v1/health', { headers: { [FAULT]: 'status=503' } });
    assert.equal(health.status, 503, 'any route can be made to fail');
  });

  test('status=409 names the running response of the session when there is one', async () => {
    const running = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'hold on [slow]', stream: true } });
    await running.until((events) => events.length >= 1);
    const { id, session_id: sessionId } = running.events[0]!.data;
    const busy = await call(simulator, 'POST', '/v1/responses', { body: { input: 'x', session_id: sessionId }, headers: { [FAULT]: 'status=409' } });
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.code, 'session_busy');
    assert.equal(busy.body.error.response_id, id);
    const idle = await call(simulator, 'POST', '/v1/responses', { body: { input: 'x' }, headers: { [FAULT]: 'status=409' } });
    assert.equal(idle.status, 409);
    assert.equal(idle.body.error.response_id, undefined);
    await call(simulator, 'POST', `/v1/responses/${id}/cancel`);
    await running.done;
  });

  test('fail-after-events=N: the turn fails with response.failed after N events; stored status failed', async () => {
    const read = await streamTurn(simulator, { input: 'fail me' }, { [FAULT]: 'fail-after-events=5' });
    assert.deepEqual(await read.done, { clean: true });
    assert.equal(read.events.length, 6);
    assert.equal(read.events.at(-1)!.event, 'response.failed');
    assert.equal(read.events.at(-1)!.data.error.code, 'agent_error');
    const json = await call(simulator, 'POST', '/v1/responses', { body: { input: 'fail me too' }, headers: { [FAULT]: 'fail-after-events=3' } });
    assert.equal(json.status, 200);
    assert.equal(json.body.status, 'failed');
    assert.equal(json.body.error.code, 'agent_error');
    // The failure belongs to the turn, so a reattach sees it too.
    const replay = await openStream(simulator, 'GET', `/v1/responses/${read.events[0]!.data.id}/stream`);
    await replay.done;
    assert.deepEqual(plain(replay.events), plain(read.events));
  });
});

describe('pace header', async () => {
  const simulator = await startSimulator({ pace: 'realistic' });

  test('x-agent37-sim-pace: fast streams a turn with no delay; a number sets ms per chunk', async () => {
    const fast = await streamTurn(simulator, { input: 'quick please [chars=2000]' }, { 'x-agent37-sim-pace': 'fast' });
    assert.equal(textOf(fast.events).length, 2000);
    const paced = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'paced [no-tools]', stream: true },
      headers: { 'x-agent37-sim-pace': '200' },
    });
    await paced.until((events) => events.length >= 4);
    // two paces (400 ms) apart on the server; the bound leaves room for a late read
    assert.ok(paced.events[3]!.at - paced.events[1]!.at >= 200, 'two chunks take about two paces');
    await call(simulator, 'POST', `/v1/responses/${paced.events[0]!.data.id}/cancel`);
    await paced.done;
  });

  test('an invalid pace → 400 validation_error', async () => {
    const answer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'x' }, headers: { 'x-agent37-sim-pace': 'ludicrous' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.param, 'x-agent37-sim-pace');
  });
});
