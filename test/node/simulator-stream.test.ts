/**
 * The simulator's streams: event order and shape, the scripted agent and its input directives,
 * replay (live, from the start, synthesized, expired), keepalives, cancel and one turn per session.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { runTurn, TurnStore, type TurnInit } from '../../src/simulator/turns.js';
import {
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

const HEX32 = /^[0-9a-f]{32}$/;

function assertWellFormedTurn(events: ParsedEvent[]): void {
  assert.equal(events[0]?.event, 'response.created', 'response.created comes first');
  assert.match(events[0]!.data.id, HEX32);
  assert.match(events[0]!.data.session_id, HEX32);
  const terminals = events.filter((event) => TERMINALS.includes(event.event));
  assert.equal(terminals.length, 1, 'exactly one terminal event');
  assert.equal(events.at(-1), terminals[0], 'the terminal event is the last one');
}

describe('a streamed turn', async () => {
  const simulator = await startSimulator();

  test('is SSE: created first, reasoning, tools, text, exactly one terminal, then the connection closes', async () => {
    const read = await streamTurn(simulator, { input: 'How do streaming responses work?' });
    assert.equal(read.status, 200);
    assert.match(String(read.headers['content-type']), /^text\/event-stream/);
    assert.deepEqual(await read.done, { clean: true });
    assertWellFormedTurn(read.events);
    const completed = read.events.at(-1)!;
    assert.equal(completed.event, 'response.completed');
    assert.equal(completed.data.output_text, textOf(read.events), 'the deltas add up to output_text');
    assert.ok(completed.data.usage.output_tokens > 0);
    assert.ok(read.events.some((event) => event.event === 'response.reasoning.delta'));
    assert.doesNotMatch(read.bytes().toString(), /^id:/m, 'no id: lines');
  });

  test('the default answer is markdown with headings, a list, a table, code, links, emoji and CJK', async () => {
    const read = await streamTurn(simulator, { input: 'Tell me about reconnecting' });
    // the interim text before the tools runs straight into the answer (no separator), so read the answer alone
    const text = finalText(read.events);
    assert.match(text, /^## /);
    assert.match(text, /^### /m);
    assert.match(text, /^1\. /m);
    assert.match(text, /^\| --- \|/m);
    assert.match(text, /^```\w+$/m);
    assert.match(text, /\]\(https:\/\/example\.com\//);
    assert.match(text, /\p{Extended_Pictographic}/u);
    assert.match(text, /\p{Script=Han}/u);
  });

  test('deltas are small pieces, and none splits a surrogate pair', async () => {
    for (const input of ['emoji please', 'more emoji', 'and CJK 你好']) {
      const read = await streamTurn(simulator, { input });
      const deltas = read.events.filter((event) => event.event === 'response.output_text.delta');
      assert.ok(deltas.length > 50, 'the answer comes in many chunks');
      for (const delta of deltas) {
        assert.ok(delta.data.text.isWellFormed(), `well-formed delta ${JSON.stringify(delta.data.text)}`);
        assert.ok(Array.from(delta.data.text as string).length <= 16, `small delta ${JSON.stringify(delta.data.text)}`);
      }
    }
  });

  test('tool calls: one to three, each started with a label then completed with duration_ms (or failed)', async () => {
    const counts = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const read = await streamTurn(simulator, { input: `question number ${i}` });
      const started = read.events.filter((event) => event.event === 'response.tool_call.started');
      counts.add(started.length);
      assert.ok(started.length >= 1 && started.length <= 3);
      for (const start of started) {
        assert.equal(typeof start.data.label, 'string');
        assert.ok(start.data.label.length > 0);
        const index = read.events.indexOf(start);
        const end = read.events[index + 1]!;
        assert.equal(end.data.tool, start.data.tool);
        if (end.event === 'response.tool_call.completed') assert.ok(Number.isInteger(end.data.duration_ms) && end.data.duration_ms > 0);
        else assert.equal(end.event, 'response.tool_call.failed');
      }
    }
    assert.ok(counts.size > 1, 'the number of tool calls varies with the input');
  });

  test('is deterministic: the same input gives the same events, another input different ones', async () => {
    const first = await streamTurn(simulator, { input: 'determinism check' });
    const second = await streamTurn(simulator, { input: 'determinism check' });
    const other = await streamTurn(simulator, { input: 'determinism check!' });
    assert.deepEqual(plain(first.events.slice(1)), plain(second.events.slice(1)));
    assert.notDeepEqual(plain(first.events.slice(1)), plain(other.events.slice(1)));
  });
});

describe('input directives', async () => {
  const simulator = await startSimulator();

  test('[chars=N] answers exactly N characters (code points and UTF-16 units alike)', async () => {
    for (const n of [1, 17, 1234]) {
      const read = await streamTurn(simulator, { input: `write something [chars=${n}]` });
      const text = textOf(read.events);
      assert.equal(text.length, n);
      assert.equal(Array.from(text).length, n);
      assert.equal(read.events.at(-1)!.data.output_text, text);
    }
  });

  test('[chars=0] answers an empty text with no text deltas', async () => {
    const read = await streamTurn(simulator, { input: '[chars=0]' });
    assert.equal(read.events.filter((event) => event.event === 'response.output_text.delta').length, 0);
    assert.equal(read.events.at(-1)!.data.output_text, '');
  });

  test('[fail] fails midway with response.failed agent_error, after some text', async () => {
    const read = await streamTurn(simulator, { input: 'this one breaks [fail]' });
    assertWellFormedTurn(read.events);
    assert.equal(read.events.at(-1)!.event, 'response.failed');
    assert.equal(read.events.at(-1)!.data.error.code, 'agent_error');
    assert.ok(textOf(read.events).length > 0);
  });

  test('[no-tools] and [no-reasoning] (case-insensitive) leave those events out', async () => {
    const noTools = await streamTurn(simulator, { input: 'plain answer [No-Tools]' });
    assert.ok(!names(noTools.events).some((name) => name.startsWith('response.tool_call.')));
    assert.ok(names(noTools.events).includes('response.reasoning.delta'));
    const noReasoning = await streamTurn(simulator, { input: 'quick [NO-REASONING]' });
    assert.ok(!names(noReasoning.events).includes('response.reasoning.delta'));
    assert.ok(names(noReasoning.events).includes('response.tool_call.started'));
  });

  test('[tool-fail] makes exactly one tool call fail, and the turn goes on to complete', async () => {
    const read = await streamTurn(simulator, { input: 'look it up [tool-fail]' });
    const failed = read.events.filter((event) => event.event === 'response.tool_call.failed');
    assert.equal(failed.length, 1);
    assert.equal(typeof failed[0]!.data.error, 'string');
    assert.equal(read.events.at(-1)!.event, 'response.completed');
  });

  test('[slow] streams about a chunk a second even when the simulator is fast', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'take your time [slow]', stream: true } });
    await read.until((events) => events.length >= 3);
    const [, second, third] = read.events;
    // a second apart on the server; the bound leaves room for a late read of the second one
    assert.ok(third!.at - second!.at >= 500, 'about a second between chunks');
    const id = read.events[0]!.data.id;
    await call(simulator, 'POST', `/v1/responses/${id}/cancel`);
    await read.done;
  });
});

describe('replay: GET /v1/responses/{id}/stream', async () => {
  const simulator = await startSimulator();

  test('the replay of a finished turn equals its live stream, event for event', async () => {
    const live = await streamTurn(simulator, { input: 'replay me' });
    const id = live.events[0]!.data.id;
    const replay = await openStream(simulator, 'GET', `/v1/responses/${id}/stream`);
    assert.deepEqual(await replay.done, { clean: true });
    assert.deepEqual(plain(replay.events), plain(live.events));
    assert.deepEqual(replay.bytes(), live.bytes());
  });

  test('a reattach mid-turn replays from the start, then goes on live to the end', async () => {
    const live = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'a long one [chars=600]', stream: true },
      headers: { 'x-agent37-sim-pace': '5' },
    });
    await live.until((events) => events.some((event) => event.event === 'response.output_text.delta'));
    const id = live.events[0]!.data.id;
    const reattached = await openStream(simulator, 'GET', `/v1/responses/${id}/stream`);
    await Promise.all([live.done, reattached.done]);
    assert.ok(reattached.events.length > 5);
    assert.deepEqual(plain(reattached.events), plain(live.events));
    assertWellFormedTurn(reattached.events);
  });

  test('an unknown response is 404 response_not_found', async () => {
    const answer = await call(simulator, 'GET', `/v1/responses/${'0'.repeat(32)}/stream`);
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error.code, 'response_not_found');
  });
});

describe('replay after the buffer and the record expire', async () => {
  // Two simulators, so a slow machine cannot expire a record before a synthesized replay is read.
  const simulator = await startSimulator({ replayBufferMs: 150 });
  const forgetful = await startSimulator({ replayBufferMs: 150, recordTtlMs: 300 });

  test('after the replay buffer expires the replay is synthesized: created, the full text, the terminal', async () => {
    const live = await streamTurn(simulator, { input: 'synthesize me' });
    const id = live.events[0]!.data.id;
    await delay(250);
    const replay = await openStream(simulator, 'GET', `/v1/responses/${id}/stream`);
    await replay.done;
    assert.deepEqual(plain(replay.events), [
      { event: 'response.created', data: live.events[0]!.data },
      { event: 'response.output_text.delta', data: { text: textOf(live.events) } },
      { event: 'response.completed', data: live.events.at(-1)!.data },
    ]);
  });

  test('a synthesized replay of a failed turn ends with response.failed; an empty text has no delta', async () => {
    const failed = await streamTurn(simulator, { input: '[fail] synthesize' });
    const empty = await streamTurn(simulator, { input: '[chars=0] synthesize' });
    await delay(250);
    const failedReplay = await openStream(simulator, 'GET', `/v1/responses/${failed.events[0]!.data.id}/stream`);
    const emptyReplay = await openStream(simulator, 'GET', `/v1/responses/${empty.events[0]!.data.id}/stream`);
    await Promise.all([failedReplay.done, emptyReplay.done]);
    assert.deepEqual(names(failedReplay.events), ['response.created', 'response.output_text.delta', 'response.failed']);
    assert.deepEqual(failedReplay.events.at(-1)!.data, failed.events.at(-1)!.data);
    assert.deepEqual(names(emptyReplay.events), ['response.created', 'response.completed']);
  });

  test('after the record expires /stream is 404 response_not_found, and the answer is in the history', async () => {
    const live = await streamTurn(forgetful, { input: 'forget me' });
    const { id, session_id: sessionId } = live.events[0]!.data;
    await delay(400);
    const answer = await call(forgetful, 'GET', `/v1/responses/${id}/stream`);
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error.code, 'response_not_found');
    const session = await call(forgetful, 'GET', `/v1/sessions/${sessionId}`);
    const answers = session.body.history.filter((m: { role: string }) => m.role === 'assistant');
    assert.equal(answers.map((m: { content: string }) => m.content).join(''), textOf(live.events));
  });
});

describe('keepalives', async () => {
  test('arrive as :keepalive comments at the configured interval', async () => {
    const simulator = await startSimulator({ keepaliveMs: 60 });
    const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'wait [slow]', stream: true } });
    await read.until(() => read.comments.length >= 8);
    const id = read.events[0]!.data.id;
    await call(simulator, 'POST', `/v1/responses/${id}/cancel`);
    await read.done;
    assert.ok(read.comments.every((comment) => comment.text === 'keepalive'));
    // Timers never fire early: eight keepalives are seven intervals (420 ms) apart on the server; the
    // bound leaves room for a busy machine reading the first one late.
    const span = read.comments[7]!.at - read.comments[0]!.at;
    assert.ok(span >= 200, `span ${span} ms`);
  });

  test('are not sent before the interval: a fast turn with the default interval has none', async () => {
    const simulator = await startSimulator();
    const read = await streamTurn(simulator, { input: 'quick' });
    assert.equal(read.comments.length, 0);
  });
});

describe('cancel and one turn per session', async () => {
  const simulator = await startSimulator();

  test('cancel ends the stream with response.completed carrying the partial text; the stored status is cancelled', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'a very long answer [chars=20000]', stream: true },
      headers: { 'x-agent37-sim-pace': '10' },
    });
    await read.until((events) => events.filter((event) => event.event === 'response.output_text.delta').length >= 3);
    const { id, session_id: sessionId } = read.events[0]!.data;
    const cancelled = await call(simulator, 'POST', `/v1/responses/${id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'in_progress', 'the newer gateway answers at once, before the turn ends');
    assert.deepEqual(await read.done, { clean: true });

    assertWellFormedTurn(read.events);
    const terminal = read.events.at(-1)!;
    assert.equal(terminal.event, 'response.completed');
    const partial = textOf(read.events);
    assert.equal(terminal.data.output_text, partial);
    assert.ok(partial.length > 0 && partial.length < 20000);
    assert.ok(partial.startsWith(cancelled.body.output_text), 'the answer to cancel held the text so far');

    const again = await call(simulator, 'POST', `/v1/responses/${id}/cancel`);
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'cancelled', 'the record ends cancelled; cancelling it again is a no-op');
    assert.equal(again.body.output_text, partial);
    assert.deepEqual((await call(simulator, 'POST', `/v1/responses/${id}/cancel`)).body, again.body);

    const session = await call(simulator, 'GET', `/v1/sessions/${sessionId}`);
    assert.equal(session.body.active_response_id, null);
    // each text before a tool call is its own row; the partial text since the last one is the last row
    assert.deepEqual(rows(session.body.history), [
      ['user', 'a very long answer [chars=20000]'],
      ...assistantTexts(read.events).map((text) => ['assistant', text]),
    ]);
  });

  test('a second POST on a busy session is 409 session_busy with the running response id', async () => {
    const first = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'busy [slow]', stream: true } });
    await first.until((events) => events.length >= 1);
    const { id, session_id: sessionId } = first.events[0]!.data;

    const busy = await call(simulator, 'POST', '/v1/responses', { body: { input: 'again', session_id: sessionId, stream: true } });
    assert.equal(busy.status, 409);
    assert.match(String(busy.headers.get('content-type')), /json/);
    assert.equal(busy.body.error.code, 'session_busy');
    assert.equal(busy.body.error.response_id, id);

    const session = await call(simulator, 'GET', `/v1/sessions/${sessionId}`);
    assert.equal(session.body.active_response_id, id);
    assert.deepEqual(rows(session.body.history), [['user', 'busy [slow]']], 'Hermes writes the user message as the turn starts');

    await call(simulator, 'POST', `/v1/responses/${id}/cancel`);
    await first.done;
    const next = await call(simulator, 'POST', '/v1/responses', { body: { input: 'now it is free [chars=5]', session_id: sessionId } });
    assert.equal(next.status, 200);
    assert.equal(next.body.session_id, sessionId);
    assert.equal(next.body.output_text.length, 5);
  });

  test('a client that leaves does not stop the turn', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'leave early [chars=300]', stream: true },
      headers: { 'x-agent37-sim-pace': '2' },
    });
    await read.until((events) => events.length >= 2);
    const id = read.events[0]!.data.id;
    read.abort();
    const replay = await openStream(simulator, 'GET', `/v1/responses/${id}/stream`);
    await replay.done;
    assert.equal(replay.events.at(-1)!.event, 'response.completed');
    assert.equal(textOf(replay.events).length, 300);
  });
});

describe('close()', () => {
  test('ends open streams and resolves while a slow turn runs', async () => {
    const simulator = await startSimulator({ keepaliveMs: 20 });
    const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'never finishes [slow]', stream: true } });
    await read.until((events) => events.length >= 1);
    await simulator.close();
    await read.done;
    assert.ok(!read.events.some((event) => TERMINALS.includes(event.event)));
  });
});

describe('the live buffer cap', async () => {
  const simulator = await startSimulator();

  test('a replay of a run over 100,000 events holds the first 100,000 and ends without a terminal event', async () => {
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'a huge answer [chars=900000] [no-tools]' } });
    assert.equal(made.body.output_text.length, 900000);
    const replay = await openStream(simulator, 'GET', `/v1/responses/${made.body.id}/stream`);
    assert.deepEqual(await replay.done, { clean: true });
    assert.equal(replay.events.length, 100_000);
    assert.equal(replay.events[0]!.event, 'response.created');
    assert.ok(!replay.events.some((event) => TERMINALS.includes(event.event)));
  });
});

describe('turns leave nothing behind', () => {
  test('a finished turn has no listener left on the closing signal; an aborted wait leaves no waiter', async () => {
    const closing = new AbortController();
    const store = new TurnStore({ revision: 'newer', replayBufferMs: 60_000, recordTtlMs: 60_000 });
    const session = store.createSession('hermes');
    const init: TurnInit = { session, input: 'hi [chars=20]', agent: 'hermes', model: null, provider: null, metadata: null, pace: 'fast' };
    const turn = store.startTurn(init);
    const running = runTurn(store, turn, init, closing.signal);
    assert.equal(getEventListeners(closing.signal, 'abort').length, 1, 'one listener while the turn runs');

    const reader = new AbortController();
    const waiting = turn.nextEmit(reader.signal);
    reader.abort();
    await waiting;
    assert.equal((turn as unknown as { waiters: unknown[] }).waiters.length, 0, 'the aborted waiter is gone');

    await running;
    assert.equal(turn.status, 'completed');
    assert.equal(getEventListeners(closing.signal, 'abort').length, 0);
  });
});
