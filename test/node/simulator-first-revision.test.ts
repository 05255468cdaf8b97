/**
 * The simulator with `revision: 'first'`: the first published revision of the gateway API, the
 * docs' behaviour, whatever the newer revision does differently.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, names, openStream, rows, startSimulator, streamTurn, textOf } from './simulator-harness.js';

const HEX32 = /^[0-9a-f]{32}$/;

describe('revision first', async () => {
  const simulator = await startSimulator({ revision: 'first' });

  test('an unknown session_id → 404 session_not_found', async () => {
    const answer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'hi', session_id: 'f'.repeat(32) } });
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error.code, 'session_not_found');
  });

  test('GET /v1/responses/{id} answers the response object', async () => {
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'keep me [chars=9]' } });
    const answer = await call(simulator, 'GET', `/v1/responses/${made.body.id}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, made.body);
    const missing = await call(simulator, 'GET', `/v1/responses/${'0'.repeat(32)}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'response_not_found');
  });

  test('sessions have the first revision fields and no active_response_id', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'slowly [slow]', stream: true, model: 'gpt-5' } });
    await read.until((events) => events.length >= 1);
    const { id, session_id: sessionId } = read.events[0]!.data;

    const detail = await call(simulator, 'GET', `/v1/sessions/${sessionId}`);
    assert.equal(detail.status, 200);
    assert.equal('active_response_id' in detail.body, false);
    assert.equal(detail.body.model, 'gpt-5');
    const list = await call(simulator, 'GET', '/v1/sessions');
    const entry = list.body.data.find((s: { id: string }) => s.id === sessionId);
    assert.deepEqual(Object.keys(entry).sort(), ['agent', 'created', 'id', 'last_response_at', 'model', 'provider']);

    const busy = await call(simulator, 'POST', '/v1/responses', { body: { input: 'again', session_id: sessionId } });
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.code, 'session_busy');
    assert.equal('response_id' in busy.body.error, false, 'the first revision does not name the running response');

    await call(simulator, 'POST', `/v1/responses/${id}/cancel`);
    await read.done;
    const cancelled = await call(simulator, 'GET', `/v1/responses/${id}`);
    assert.equal(cancelled.body.status, 'cancelled');
  });

  test('PATCH → 405 rename_unsupported; DELETE of an unknown session → 404', async () => {
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'x [chars=1]' } });
    const rename = await call(simulator, 'PATCH', `/v1/sessions/${made.body.session_id}`, { body: { title: 'New name' } });
    assert.equal(rename.status, 405);
    assert.equal(rename.body.error.code, 'rename_unsupported');
    assert.equal((await call(simulator, 'DELETE', `/v1/sessions/${made.body.session_id}`)).status, 200);
    const again = await call(simulator, 'DELETE', `/v1/sessions/${made.body.session_id}`);
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'session_not_found');
  });

  test('no text before the tools and no context on completed', async () => {
    for (let i = 0; i < 6; i++) {
      const read = await streamTurn(simulator, { input: `interleave ${i}` });
      const lastTool = read.events.findLastIndex((event) => event.event.startsWith('response.tool_call.'));
      assert.ok(lastTool > 0);
      assert.equal(textOf(read.events.slice(0, lastTool)), '', 'all the text comes after the tools');
      assert.deepEqual(Object.keys(read.events.at(-1)!.data).sort(), ['output_text', 'usage']);
    }
  });

  test('history is written at the end, one user and one assistant row with 32-hex ids, even with history: live', async () => {
    const live = await startSimulator({ revision: 'first', history: 'live' });
    const read = await openStream(live, 'POST', '/v1/responses', { body: { input: 'at the end [compact] [notice] [json-thinking]', stream: true } });
    await read.until((events) => events.some((event) => event.event === 'response.tool_call.started'));
    const sessionId = read.events[0]!.data.session_id;
    assert.deepEqual((await call(live, 'GET', `/v1/sessions/${sessionId}`)).body.history, [], 'nothing while the turn runs');
    await read.done;
    const { history } = (await call(live, 'GET', `/v1/sessions/${sessionId}`)).body;
    assert.deepEqual(rows(history), [
      ['user', 'at the end [compact] [notice] [json-thinking]'],
      ['assistant', textOf(read.events)],
    ]);
    assert.equal(history[1].thinking, textOf(read.events, 'response.reasoning.delta'), 'prose thinking');
    for (const row of history) assert.match(row.id, HEX32);
  });

  test('cancel waits for the turn to end and answers status cancelled', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'cancel me [chars=5000]', stream: true },
      headers: { 'x-agent37-sim-pace': '5' },
    });
    await read.until((events) => events.some((event) => event.event === 'response.output_text.delta'));
    const cancelled = await call(simulator, 'POST', `/v1/responses/${read.events[0]!.data.id}/cancel`);
    assert.equal(cancelled.body.status, 'cancelled');
    await read.done;
    assert.equal(cancelled.body.output_text, textOf(read.events));
  });

  test('stream must be a boolean; a wrong method is 405 with Allow; models have a provider each', async () => {
    const stream = await call(simulator, 'POST', '/v1/responses', { body: { input: 'hi', stream: 'yes' } });
    assert.equal(stream.status, 400);
    assert.equal(stream.body.error.param, 'stream');
    const wrong = await call(simulator, 'PUT', '/v1/models');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.body.error.code, 'method_not_allowed');
    assert.equal(wrong.headers.get('allow'), 'GET');
    const models = await call(simulator, 'GET', '/v1/models');
    assert.equal('object' in models.body, false);
    for (const model of models.body.data) assert.deepEqual(Object.keys(model).sort(), ['id', 'is_default', 'label', 'provider']);
  });

  test('a non-streaming POST answers only when the JSON is ready, with a content-length', async () => {
    const answer = await fetch(`${simulator.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_live_test_key', 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'plain json [chars=7]' }),
    });
    assert.ok(Number(answer.headers.get('content-length')) > 0);
    assert.equal((await answer.text())[0], '{');
  });

  test('GET of an unknown session is 404; the list is {data} over every agent; any agent name is taken', async () => {
    const missing = await call(simulator, 'GET', `/v1/sessions/${'e'.repeat(32)}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'session_not_found');
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'any agent [chars=2]', agent: 'my-own-agent' } });
    assert.equal(made.status, 200);
    const list = await call(simulator, 'GET', '/v1/sessions?agent=codex');
    assert.deepEqual(Object.keys(list.body), ['data']);
    assert.ok(list.body.data.some((s: { id: string }) => s.id === made.body.session_id));
  });

  test('the new stream directives work here too: [fail=CODE], [empty], [late-reasoning]', async () => {
    const failed = await streamTurn(simulator, { input: 'x [fail=provider_error]' });
    assert.equal(failed.events.at(-1)!.data.error.code, 'provider_error');
    const empty = await streamTurn(simulator, { input: 'x [empty]' });
    assert.deepEqual(names(empty.events), ['response.created', 'response.completed']);
    const late = await streamTurn(simulator, { input: 'x [late-reasoning] [no-tools]' });
    assert.equal(names(late.events).at(-2), 'response.reasoning.delta');
  });
});
