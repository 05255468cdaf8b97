/**
 * The simulator's routes (newer revision): auth and the flat edge errors, the body cap, validation
 * with `param`, ids and times, non-streaming turns, sessions, models, health and version.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { MAX_REQUEST_BYTES } from '../../src/contract/gateway.js';
import { call, KEY, openStream, startSimulator, streamTurn, textOf } from './simulator-harness.js';

const HEX32 = /^[0-9a-f]{32}$/;

/** Epoch milliseconds from around now (not seconds, not an ISO string). */
function assertEpochMs(value: unknown): void {
  assert.equal(typeof value, 'number');
  assert.ok(Math.abs((value as number) - Date.now()) < 10 * 60_000, `${value} is epoch ms from around now`);
}

describe('auth', async () => {
  const simulator = await startSimulator();
  const health = (headers: Record<string, string>) =>
    fetch(`${simulator.url}/v1/health`, { headers }).then(async (r) => ({ status: r.status, body: await r.json() }));

  test('no credential → 401 in the flat edge shape', async () => {
    const answer = await health({});
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error, 'invalid_api_key');
    assert.equal(typeof answer.body.message, 'string');
  });

  test('a key of another workspace → 404 flat not_found; a malformed key → 401', async () => {
    assert.deepEqual(await health({ authorization: 'Bearer sk_live_someone_else' }), { status: 404, body: { error: 'not_found' } });
    const malformed = await health({ authorization: 'Bearer nope' });
    assert.equal(malformed.status, 401);
    assert.equal(malformed.body.error, 'invalid_api_key');
  });

  test('Authorization: Bearer and X-Agent37-Key both work; X-Agent37-Key wins when both are sent', async () => {
    assert.equal((await health({ authorization: `Bearer ${KEY}` })).status, 200);
    assert.equal((await health({ 'x-agent37-key': KEY })).status, 200);
    assert.equal((await health({ 'x-agent37-key': KEY, authorization: 'Bearer sk_live_wrong' })).status, 200);
    assert.equal((await health({ 'x-agent37-key': 'sk_live_wrong', authorization: `Bearer ${KEY}` })).status, 404);
  });

  test('several keys can be accepted', async () => {
    const multi = await startSimulator({ key: ['sk_live_one', 'sk_live_two'] });
    for (const key of ['sk_live_one', 'sk_live_two']) {
      assert.equal((await fetch(`${multi.url}/v1/version`, { headers: { 'x-agent37-key': key } })).status, 200);
    }
  });
});

describe('POST /v1/responses: body cap and validation', async () => {
  const simulator = await startSimulator();

  test('a body over 2 MB → 413 payload_too_large', async () => {
    const answer = await call(simulator, 'POST', '/v1/responses', { body: JSON.stringify({ input: 'x'.repeat(MAX_REQUEST_BYTES) }) });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error.code, 'payload_too_large');
  });

  test('a body of exactly 2 MB is accepted', async () => {
    const frame = JSON.stringify({ input: '', stream: false });
    const body = JSON.stringify({ input: 'y'.repeat(MAX_REQUEST_BYTES - frame.length), stream: false });
    assert.equal(Buffer.byteLength(body), MAX_REQUEST_BYTES);
    const answer = await call(simulator, 'POST', '/v1/responses', { body });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'completed');
  });

  test('an endless chunked body (no content-length) gets 413 without being read to the end', async () => {
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${simulator.url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      let answered = false;
      const chunk = Buffer.alloc(64 * 1024, 'z');
      const pump = (): void => {
        // Keep sending for as long as no answer came: the server must answer without waiting for an end.
        while (!answered && !req.destroyed && req.write(chunk));
        if (!answered && !req.destroyed) req.once('drain', pump);
      };
      req.on('response', (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (part: string) => (body += part));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.on('error', (error) => (answered ? undefined : reject(error)));
      req.write('{"input":"');
      pump();
    });
    assert.equal(status.status, 413);
    assert.equal(JSON.parse(status.body).error.code, 'payload_too_large');
  });

  const invalid: [string, unknown, string | undefined][] = [
    ['input missing', { stream: false }, 'input'],
    ['input not a string', { input: ['attachment'] }, 'input'],
    ['input empty', { input: '   ' }, 'input'],
    ['session_id not a string', { input: 'hi', session_id: 42 }, 'session_id'],
    ['model not a string', { input: 'hi', model: 5 }, 'model'],
    ['provider empty', { input: 'hi', provider: '' }, 'provider'],
    ['reasoning_effort unknown', { input: 'hi', reasoning_effort: 'extreme' }, 'reasoning_effort'],
    ['metadata not an object', { input: 'hi', metadata: ['a'] }, 'metadata'],
    ['metadata with 17 pairs', { input: 'hi', metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
    ['metadata over 64 KB', { input: 'hi', metadata: { big: 'm'.repeat(65 * 1024) } }, 'metadata'],
    ['agent not a string', { input: 'hi', agent: {} }, 'agent'],
    ['agent unknown', { input: 'hi', agent: 'skynet' }, 'agent'],
    ['mode goal', { input: 'hi', mode: 'goal' }, 'mode'],
    ['mode unknown', { input: 'hi', mode: 'plan' }, 'mode'],
    ['body not an object', ['hi'], undefined],
    ['body not JSON', '{"input": ', undefined],
  ];
  for (const [name, body, param] of invalid) {
    test(`${name} → 400 validation_error${param ? ` with param ${param}` : ''}`, async () => {
      const answer = await call(simulator, 'POST', '/v1/responses', { body: typeof body === 'string' ? body : JSON.stringify(body) });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.code, 'validation_error');
      assert.equal(answer.body.error.param, param);
      assert.equal(typeof answer.body.error.message, 'string');
    });
  }

  test('metadata values may be any JSON (the contract limits only pairs and size), echoed as sent', async () => {
    const metadata = { page: 'pricing', count: 3, flags: { beta: true }, tags: ['a', 'b'], none: null };
    const answer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'hi [chars=5]', metadata } });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.metadata, metadata);
  });

  test('mode chat, a known reasoning_effort and instance_id (ignored) are accepted', async () => {
    const answer = await call(simulator, 'POST', '/v1/responses', {
      body: { input: 'fine [chars=3]', mode: 'chat', reasoning_effort: 'xhigh', instance_id: { anything: true } },
    });
    assert.equal(answer.status, 200);
  });
});

describe('POST /v1/responses without stream', async () => {
  const simulator = await startSimulator();

  test('answers the whole response object: 32-hex ids, epoch-ms created, echoes', async () => {
    const answer = await call(simulator, 'POST', '/v1/responses', {
      body: { input: 'hello there', model: 'gpt-5', provider: 'openai', metadata: { page: 'pricing' } },
    });
    assert.equal(answer.status, 200);
    const object = answer.body;
    assert.match(object.id, HEX32);
    assert.match(object.session_id, HEX32);
    assert.equal(object.status, 'completed');
    assert.equal(object.agent, 'hermes');
    assert.equal(object.model, 'gpt-5');
    assert.equal(object.provider, 'openai');
    assert.deepEqual(object.metadata, { page: 'pricing' });
    assert.equal(object.error, null);
    assert.ok(object.output_text.length > 100);
    assert.ok(object.usage.input_tokens > 0 && object.usage.output_tokens > 0);
    assertEpochMs(object.created);
  });

  test('a failed turn is still HTTP 200, with status failed and error set', async () => {
    const answer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'break [fail]' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'failed');
    assert.equal(answer.body.error.code, 'agent_error');
    assert.equal(typeof answer.body.output_text, 'string');
  });

  test('the non-streaming answer matches the streamed one for the same input', async () => {
    const json = await call(simulator, 'POST', '/v1/responses', { body: { input: 'same answer' } });
    const streamed = await streamTurn(simulator, { input: 'same answer' });
    assert.equal(json.body.output_text, textOf(streamed.events));
  });

  test('GET /v1/responses/{id} is gone in the newer revision: 404 not_found', async () => {
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'x [chars=2]' } });
    const answer = await call(simulator, 'GET', `/v1/responses/${made.body.id}`);
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error.code, 'not_found');
  });
});

describe('sessions (newer revision)', async () => {
  const simulator = await startSimulator();

  test('history holds the user and assistant messages, with thinking, Hermes ids and epoch-ms times', async () => {
    const first = await streamTurn(simulator, { input: 'first question [no-tools]' });
    const sessionId = first.events[0]!.data.session_id;
    await streamTurn(simulator, { input: 'second question [no-reasoning] [no-tools]', session_id: sessionId });
    const answer = await call(simulator, 'GET', `/v1/sessions/${sessionId}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.id, sessionId);
    assert.equal(answer.body.active_response_id, null);
    const history = answer.body.history;
    assert.deepEqual(
      history.map((m: { role: string }) => m.role),
      ['user', 'assistant', 'user', 'assistant'],
    );
    assert.equal(history[0].content, 'first question [no-tools]');
    assert.equal(history[1].content, textOf(first.events));
    assert.equal(history[1].thinking, textOf(first.events, 'response.reasoning.delta'));
    assert.equal(history[3].thinking, null);
    history.forEach((message: { id: string; session_id: string; created_at: number }, i: number) => {
      assert.equal(message.id, `hermes:${sessionId}:${i + 1}`);
      assert.equal(message.session_id, sessionId);
      assertEpochMs(message.created_at);
    });
  });

  test('an unknown session_id starts a fresh thread under that id', async () => {
    const id = 'c0ffee'.padEnd(32, '0');
    const answer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'hello [chars=4]', session_id: id } });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.session_id, id);
    const session = await call(simulator, 'GET', `/v1/sessions/${id}`);
    assert.equal(session.body.history.length, 2);
  });

  test('a failed turn leaves the user message in history', async () => {
    const failed = await call(simulator, 'POST', '/v1/responses', { body: { input: 'no luck [fail] [no-tools]' } });
    const session = await call(simulator, 'GET', `/v1/sessions/${failed.body.session_id}`);
    assert.equal(session.body.history[0].content, 'no luck [fail] [no-tools]');
  });

  test('GET /v1/sessions lists every session of the agent, most recently active first', async () => {
    const older = await call(simulator, 'POST', '/v1/responses', { body: { input: 'older [chars=1]' } });
    const newer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'newer [chars=1]' } });
    const list = await call(simulator, 'GET', '/v1/sessions');
    assert.equal(list.status, 200);
    assert.equal(list.body.agent, 'hermes');
    const ids = list.body.data.map((s: { id: string }) => s.id);
    assert.ok(ids.indexOf(newer.body.session_id) < ids.indexOf(older.body.session_id));
    const entry = list.body.data.find((s: { id: string }) => s.id === newer.body.session_id);
    assert.deepEqual(Object.keys(entry).sort(), ['id', 'last_active', 'message_count', 'preview', 'title']);
    assert.equal(entry.title, 'newer [chars=1]');
    assert.equal(entry.message_count, 2, '[chars=1] leaves no room for interim text');
    assert.equal(entry.preview, newer.body.output_text);
    assertEpochMs(entry.last_active);
  });

  test('PATCH renames; DELETE deletes and is idempotent', async () => {
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'rename me [chars=1]' } });
    const id = made.body.session_id;
    const renamed = await call(simulator, 'PATCH', `/v1/sessions/${id}`, { body: { title: 'Pricing questions' } });
    assert.equal(renamed.status, 200);
    assert.deepEqual(renamed.body, { id, agent: 'hermes', renamed: true });
    assert.equal((await call(simulator, 'GET', `/v1/sessions/${id}`)).body.title, 'Pricing questions');
    const badTitle = await call(simulator, 'PATCH', `/v1/sessions/${id}`, { body: { title: '' } });
    assert.equal(badTitle.status, 400);
    assert.equal(badTitle.body.error.param, 'title');

    assert.equal((await call(simulator, 'DELETE', `/v1/sessions/${id}`)).status, 200);
    const gone = await call(simulator, 'GET', `/v1/sessions/${id}`);
    assert.equal(gone.status, 200);
    assert.deepEqual(gone.body, { id, history: [], active_response_id: null });
    assert.equal((await call(simulator, 'DELETE', `/v1/sessions/${id}`)).status, 200);
  });

  test('active_response_id names the running turn', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input: 'running [slow]', stream: true } });
    await read.until((events) => events.length >= 1);
    const { id, session_id: sessionId } = read.events[0]!.data;
    const session = await call(simulator, 'GET', `/v1/sessions/${sessionId}`);
    assert.equal(session.body.active_response_id, id);
    await call(simulator, 'POST', `/v1/responses/${id}/cancel`);
    await read.done;
  });
});

describe('models, health, version and unknown routes', async () => {
  const simulator = await startSimulator();

  test('GET /v1/models lists models with one default, in the newer shape (owned_by, no provider)', async () => {
    const answer = await call(simulator, 'GET', '/v1/models');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.object, 'list');
    assert.equal(answer.body.agent, 'hermes');
    assert.equal(typeof answer.body.default_model, 'string');
    assert.equal(typeof answer.body.default_provider, 'string');
    assert.equal(answer.body.data.filter((m: { is_default: boolean }) => m.is_default).length, 1);
    for (const model of answer.body.data) {
      assert.deepEqual(Object.keys(model).sort(), ['created', 'id', 'is_default', 'label', 'object', 'owned_by', 'source']);
      assert.equal(model.object, 'model');
      assert.equal(model.created, 0);
      assert.equal(typeof model.owned_by, 'string');
    }
    const byDefault = answer.body.data.find((m: { is_default: boolean }) => m.is_default);
    assert.equal(byDefault.id, answer.body.default_model);
    assert.equal(byDefault.owned_by, answer.body.default_provider);
    assert.equal((await call(simulator, 'GET', '/v1/models?agent=codex')).body.agent, 'codex');
  });

  test('GET /v1/health and /v1/version', async () => {
    assert.equal((await call(simulator, 'GET', '/v1/health')).body.ok, true);
    const version = await call(simulator, 'GET', '/v1/version');
    assert.equal(typeof version.body.name, 'string');
    assert.equal(typeof version.body.version, 'string');
  });

  test('an unknown route is 404 not_found, and so is an unsupported method on a known path', async () => {
    const missing = await call(simulator, 'GET', '/v1/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    for (const [method, path] of [
      ['PUT', '/v1/models'],
      ['DELETE', '/v1/responses'],
      ['POST', '/v1/sessions/abc'],
    ] as const) {
      const wrong = await call(simulator, method, path);
      assert.equal(wrong.status, 404, `${method} ${path}`);
      assert.equal(wrong.body.error.code, 'not_found', 'the nested gateway shape');
      assert.equal(typeof wrong.body.error.message, 'string');
      assert.equal(wrong.headers.get('allow'), null);
    }
  });

  test('an id that is not valid percent-encoding (%zz) is a 404 for that route, not a 500', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/v1/responses/%zz/stream', 'response_not_found'],
      ['POST', '/v1/responses/%zz/cancel', 'response_not_found'],
      ['PATCH', '/v1/sessions/%E0%A4%A', 'session_not_found'],
    ];
    for (const [method, path, code] of cases) {
      const answer = await call(simulator, method, path, method === 'PATCH' ? { body: { title: 'x' } } : {});
      assert.equal(answer.status, 404, `${method} ${path}`);
      assert.equal(answer.body.error.code, code, `${method} ${path}`);
    }
  });
});
