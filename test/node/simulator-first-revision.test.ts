/**
 * The simulator with `revision: 'first'`: the first published revision of the gateway API.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, openStream, startSimulator } from './simulator-harness.js';

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
});
