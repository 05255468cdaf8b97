/**
 * Streams the way the production gateway writes them (newer revision): text and tool events
 * interleave, late reasoning, `context` on completed, in-stream failure codes, the empty answer,
 * the 1,000-record cap and the non-streaming heartbeat.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { IN_STREAM_FAILURE_CODES } from '../../src/simulator/index.js';
import {
  AUTH,
  assistantTexts,
  call,
  delay,
  finalText,
  names,
  openStream,
  plain,
  rows,
  startSimulator,
  streamTurn,
  TERMINALS,
  textOf,
  type ParsedEvent,
} from './simulator-harness.js';
import type { Simulator } from '../../src/simulator/index.js';

const PACE = 'x-agent37-sim-pace';

function indexOfFirst(events: ParsedEvent[], name: string): number {
  return events.findIndex((event) => event.event === name);
}

function indexOfLast(events: ParsedEvent[], name: string): number {
  return events.findLastIndex((event) => event.event === name);
}

describe('text and tool events interleave', async () => {
  const simulator = await startSimulator({ replayBufferMs: 150 });

  test('a short interim sentence streams before the first tool call, the answer after the last, with no separator', async () => {
    for (let i = 0; i < 8; i++) {
      const read = await streamTurn(simulator, { input: `interleave ${i}` });
      const events = read.events;
      const firstTool = indexOfFirst(events, 'response.tool_call.started');
      assert.ok(firstTool > 0);
      const before = textOf(events.slice(0, firstTool));
      assert.match(before, /^[A-Z][^\n]{5,60}[.;]$/, 'one short sentence before the first tool');
      const texts = assistantTexts(events);
      assert.ok(texts.length === 2 || texts.length === 3, 'an interim sentence, maybe a second one between tools, then the answer');
      assert.match(finalText(events), /^## /);
      const completed = events.at(-1)!;
      assert.equal(completed.event, 'response.completed');
      assert.equal(completed.data.output_text, texts.join(''), 'output_text is the whole text, nothing added between');
      assert.ok(completed.data.output_text.includes(`.## `), 'the interim sentence runs straight into the answer');
    }
  });

  test('is deterministic: the same input streams the same interim sentences', async () => {
    const a = await streamTurn(simulator, { input: 'same interim please' });
    const b = await streamTurn(simulator, { input: 'same interim please' });
    assert.deepEqual(plain(a.events.slice(1)), plain(b.events.slice(1)));
  });

  test('the non-streamed answer and the synthesized replay carry the whole concatenated text', async () => {
    const input = 'whole text everywhere';
    const live = await streamTurn(simulator, { input });
    const json = await call(simulator, 'POST', '/v1/responses', { body: { input } });
    assert.equal(json.body.output_text, textOf(live.events));
    await delay(250);
    const replay = await openStream(simulator, 'GET', `/v1/responses/${live.events[0]!.data.id}/stream`);
    await replay.done;
    assert.deepEqual(names(replay.events), ['response.created', 'response.output_text.delta', 'response.completed']);
    assert.equal(replay.events[1]!.data.text, textOf(live.events));
    assert.deepEqual(replay.events[2]!.data, live.events.at(-1)!.data, 'the same terminal, context included');
  });

  test('[chars=N] counts the interim text: the whole visible text is N characters', async () => {
    for (const n of [3, 200, 5000]) {
      const read = await streamTurn(simulator, { input: `exactly [chars=${n}]` });
      assert.equal(read.events.at(-1)!.data.output_text.length, n);
      assert.equal(assistantTexts(read.events).length, n === 3 ? 1 : 2, `[chars=${n}]`);
    }
  });
});

describe('[late-reasoning]', async () => {
  const simulator = await startSimulator();

  test('no reasoning at the start; one delta with all of it after the last text delta, right before the terminal', async () => {
    for (const input of ['think it over [late-reasoning]', 'think then break [late-reasoning] [fail]', 'cut short [late-reasoning] [fail=rate_limited]']) {
      const read = await streamTurn(simulator, { input });
      const reasoning = read.events.filter((event) => event.event === 'response.reasoning.delta');
      assert.equal(reasoning.length, 1, input);
      assert.ok(reasoning[0]!.data.text.length > 20, 'the whole reasoning');
      const at = read.events.indexOf(reasoning[0]!);
      assert.equal(at, read.events.length - 2, 'right before the terminal event');
      assert.ok(at > indexOfLast(read.events, 'response.output_text.delta'), 'after the last text delta');
    }
  });
});

describe('context on response.completed', async () => {
  const simulator = await startSimulator();

  test('carries {used_tokens, window_tokens}; used grows with the session', async () => {
    const first = await streamTurn(simulator, { input: 'how full is it?' });
    const context = first.events.at(-1)!.data.context;
    assert.deepEqual(Object.keys(context).sort(), ['used_tokens', 'window_tokens']);
    assert.equal(context.window_tokens, 200_000);
    assert.ok(Number.isInteger(context.used_tokens) && context.used_tokens > 0 && context.used_tokens < context.window_tokens);
    const second = await streamTurn(simulator, { input: 'and now? [chars=4000]', session_id: first.events[0]!.data.session_id });
    assert.ok(second.events.at(-1)!.data.context.used_tokens > context.used_tokens + 1000);
    const fresh = await streamTurn(simulator, { input: 'how full is it?' });
    assert.deepEqual(fresh.events.at(-1)!.data.context, context, 'a new session starts from the same point');
  });

  test('a cancelled turn ends with context too', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'stop me [slow]', stream: true } });
    await read.until((events) => events.length >= 2);
    await call(simulator, 'POST', `/v1/responses/${read.events[0]!.data.id}/cancel`);
    await read.done;
    assert.equal(typeof read.events.at(-1)!.data.context.used_tokens, 'number');
  });
});

describe('[fail=CODE]: in-stream failures with the agent codes', async () => {
  const simulator = await startSimulator();

  for (const code of IN_STREAM_FAILURE_CODES) {
    test(`[fail=${code}] fails early: response.failed with that code and the provider's raw text, before any text or tool`, async () => {
      const read = await streamTurn(simulator, { input: `please [fail=${code}]` });
      assert.equal(read.status, 200, 'the POST itself succeeds: the failure is in the stream');
      const terminal = read.events.at(-1)!;
      assert.equal(terminal.event, 'response.failed');
      assert.equal(terminal.data.error.code, code);
      assert.equal(typeof terminal.data.error.message, 'string');
      assert.ok(terminal.data.error.message.length > 10);
      assert.ok(!names(read.events).some((name) => name === 'response.output_text.delta' || name.startsWith('response.tool_call.')));
      const expected = code === 'session_busy' ? ['response.created'] : ['response.created', 'response.reasoning.delta'];
      assert.deepEqual([...new Set(names(read.events.slice(0, -1)))], expected, code === 'session_busy' ? 'a race right after created' : 'after the reasoning');
    });
  }

  test('the messages read like the provider wrote them; the non-streamed answer is 200 with status failed', async () => {
    const limited = await streamTurn(simulator, { input: 'slow down [fail=rate_limited]' });
    const message: string = limited.events.at(-1)!.data.error.message;
    assert.match(message, /^Error code: 429 - \{/);
    assert.equal(JSON.parse(message.slice(message.indexOf('{'))).error.type, 'rate_limit_error');
    assert.match((await streamTurn(simulator, { input: 'who am I [fail=auth_error]' })).events.at(-1)!.data.error.message, /^Error code: 401 - /);
    const json = await call(simulator, 'POST', '/v1/responses', { body: { input: 'no credits [fail=quota_exhausted]' } });
    assert.equal(json.status, 200);
    assert.equal(json.body.status, 'failed');
    assert.equal(json.body.error.code, 'quota_exhausted');
    assert.equal(json.body.output_text, '');
    const session = await call(simulator, 'GET', `/v1/sessions/${json.body.session_id}`);
    assert.deepEqual(rows(session.body.history), [['user', 'no credits [fail=quota_exhausted]']]);
  });

  test('plain [fail] still fails midway with agent_error after some text', async () => {
    const read = await streamTurn(simulator, { input: 'midway [fail]' });
    assert.equal(read.events.at(-1)!.data.error.code, 'agent_error');
    assert.ok(finalText(read.events).length > 0);
  });
});

describe('[empty]: the managed budget is spent', async () => {
  const simulator = await startSimulator();

  test('no text and no tools; response.completed with output_text "" and usage; only the user row in history', async () => {
    const read = await streamTurn(simulator, { input: 'anything [empty]' });
    assert.deepEqual(names(read.events), ['response.created', 'response.completed']);
    const { output_text: text, usage, context } = read.events[1]!.data;
    assert.equal(text, '');
    assert.ok(usage.input_tokens > 0);
    assert.equal(usage.output_tokens, 0);
    assert.equal(typeof context.used_tokens, 'number');
    const session = await call(simulator, 'GET', `/v1/sessions/${read.events[0]!.data.session_id}`);
    assert.deepEqual(rows(session.body.history), [['user', 'anything [empty]']]);
    const json = await call(simulator, 'POST', '/v1/responses', { body: { input: 'anything [empty]' } });
    assert.equal(json.body.status, 'completed');
    assert.equal(json.body.output_text, '');
  });
});

describe('the record store cap (maxRecords)', async () => {
  const simulator = await startSimulator({ maxRecords: 2 });

  test('a new record evicts the oldest: its /stream and cancel answer 404 response_not_found', async () => {
    const oldest = await call(simulator, 'POST', '/v1/responses', { body: { input: 'one [chars=3]' } });
    await call(simulator, 'POST', '/v1/responses', { body: { input: 'two [chars=3]' } });
    const held = await openStream(simulator, 'GET', `/v1/responses/${oldest.body.id}/stream`);
    await held.done;
    assert.equal(held.events.at(-1)!.event, 'response.completed', 'still held: two records');
    await call(simulator, 'POST', '/v1/responses', { body: { input: 'three [chars=3]' } });
    for (const path of [`/v1/responses/${oldest.body.id}/stream`, `/v1/responses/${oldest.body.id}/cancel`]) {
      const answer = await call(simulator, path.endsWith('cancel') ? 'POST' : 'GET', path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body.error.code, 'response_not_found');
    }
  });

  test('even a running one: its stream ends without a terminal event, and the turn still finishes into history', async () => {
    const running = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'evicted while running [chars=80] [no-tools]', stream: true },
      headers: { [PACE]: '15' },
    });
    await running.until((events) => events.length >= 3);
    const { id, session_id: sessionId } = running.events[0]!.data;
    await call(simulator, 'POST', '/v1/responses', { body: { input: 'push [chars=1]' } });
    await call(simulator, 'POST', '/v1/responses', { body: { input: 'push again [chars=1]' } });
    assert.deepEqual(await running.done, { clean: true });
    assert.ok(!running.events.some((event) => TERMINALS.includes(event.event)), 'no terminal event');
    assert.equal((await call(simulator, 'GET', `/v1/responses/${id}/stream`)).status, 404);
    assert.equal((await call(simulator, 'POST', `/v1/responses/${id}/cancel`)).status, 404);

    let session = await call(simulator, 'GET', `/v1/sessions/${sessionId}`);
    assert.equal(session.body.active_response_id, id, 'the turn runs on');
    for (let i = 0; i < 200 && session.body.active_response_id !== null; i++) {
      await delay(25);
      session = await call(simulator, 'GET', `/v1/sessions/${sessionId}`);
    }
    assert.equal(session.body.active_response_id, null);
    assert.equal(session.body.history.at(-1).content.length, 80, 'the whole answer is in history');
  });

  test('maxRecords must be at least 1', async () => {
    await assert.rejects(startSimulator({ maxRecords: 0 }), /maxRecords/);
  });
});

/** A raw POST: when the head came, and every body chunk with its time. */
function rawPost(simulator: Simulator, body: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; contentType: string; headAt: number; chunks: { text: string; at: number }[]; endAt: number }>((resolve, reject) => {
    const payload = JSON.stringify(body);
    const start = performance.now();
    const req = request(`${simulator.url}/v1/responses`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const headAt = performance.now() - start;
      const chunks: { text: string; at: number }[] = [];
      res.setEncoding('utf8');
      res.on('data', (text: string) => chunks.push({ text, at: performance.now() - start }));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), headAt, chunks, endAt: performance.now() - start }),
      );
    });
    req.end(payload);
  });
}

describe('non-streaming POSTs', async () => {
  const simulator = await startSimulator({ heartbeatMs: 40 });

  test('answer 200 at once, then a single space every heartbeat until the JSON body follows', async () => {
    const answer = await rawPost(simulator, { input: 'take a while [chars=60] [no-tools] [no-reasoning]' }, { [PACE]: '20' });
    assert.equal(answer.status, 200);
    assert.match(answer.contentType, /^application\/json/);
    const body = answer.chunks.map((chunk) => chunk.text).join('');
    const spaces = /^ */.exec(body)![0].length;
    assert.ok(spaces >= 3, `${spaces} heartbeat spaces`);
    assert.ok(answer.chunks.slice(0, 3).every((chunk) => chunk.text === ' '), 'each heartbeat is one space');
    assert.ok(answer.headAt < answer.endAt / 2, 'the head came long before the body');
    const object = JSON.parse(body);
    assert.equal(object.status, 'completed');
    assert.equal(object.output_text.length, 60);
  });

  test('a quick turn has no heartbeat: the JSON alone', async () => {
    const quiet = await startSimulator();
    const answer = await rawPost(quiet, { input: 'quick [chars=5]' });
    assert.equal(answer.chunks.map((chunk) => chunk.text).join('')[0], '{');
  });

  test('stream that is not exactly true means non-streaming', async () => {
    for (const stream of ['yes', 'true', 1, null, false, {}]) {
      const answer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'json please [chars=4]', stream } });
      assert.equal(answer.status, 200, JSON.stringify(stream));
      assert.match(String(answer.headers.get('content-type')), /^application\/json/);
      assert.equal(answer.body.output_text.length, 4);
    }
  });
});
