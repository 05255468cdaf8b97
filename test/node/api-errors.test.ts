// The API client against a small real HTTP server that answers what a gateway edge can: flat errors,
// nested ones, 401s, a non-JSON body. (The relay and the simulator always answer the nested shape;
// the browser tests cover those.)
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Agent37Api } from '../../src/client/api.js';
import { Agent37Error } from '../../src/contract/errors.js';
import { TokenSource } from '../../src/client/token.js';

const seen: { method: string; url: string; auth: string | undefined }[] = [];
let base = '';
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
  const send = (status: number, body: string, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  switch (req.url) {
    case '/v1/models':
      return send(503, JSON.stringify({ error: 'instance_saturated', message: 'The instance is busy.' }), { 'retry-after': '2' });
    case '/v1/health':
      return send(504, JSON.stringify({ error: 'upstream_timeout' }));
    case '/v1/sessions':
      return send(502, '<html>bad gateway</html>', { 'content-type': 'text/html' });
    case '/v1/responses':
      return send(409, JSON.stringify({ error: { code: 'session_busy', message: 'Busy.', hint: 'Reattach.', response_id: 'a'.repeat(32) } }));
    case '/v1/sessions/expired':
      return send(401, JSON.stringify({ error: 'invalid_api_key' }));
    default:
      return send(404, JSON.stringify({ error: { code: 'not_found', message: 'No.' } }));
  }
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

let minted = 0;
const api = () =>
  new Agent37Api({
    tokens: new TokenSource({ getToken: async () => ({ token: `t${++minted}`, expires_at: Date.now() + 600_000, api_base: base }) }),
  });

async function rejection(p: Promise<unknown>): Promise<Agent37Error> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Agent37Error, String(e));
    return e;
  }
  assert.fail('expected a rejection');
}

test('flat edge errors: code, message, status, Retry-After', async () => {
  const e = await rejection(api().models());
  assert.deepEqual([e.code, e.message, e.status, e.retryAfterMs], ['instance_saturated', 'The instance is busy.', 503, 2000]);
  const bare = await rejection(api().health());
  assert.deepEqual([bare.code, bare.status], ['upstream_timeout', 504]);
  assert.equal(bare.message, 'upstream timeout');
});

test('nested gateway errors keep hint and response_id', async () => {
  const e = await rejection(api().createResponse({ input: 'x' }));
  assert.deepEqual([e.code, e.status, e.hint, e.responseId], ['session_busy', 409, 'Reattach.', 'a'.repeat(32)]);
});

test('a body that is not JSON still gives a typed error with the status', async () => {
  const e = await rejection(api().listSessions());
  assert.deepEqual([e.code, e.status], ['http_502', 502]);
});

test('a 401 gets one refresh and one retry with the new token, then unauthorized', async () => {
  seen.length = 0;
  const e = await rejection(api().getSession('expired'));
  assert.equal(e.code, 'unauthorized');
  assert.equal(e.status, 401);
  assert.match(e.message, /refused the token, a freshly fetched one too/);
  assert.equal(seen.length, 2);
  assert.notEqual(seen[0]?.auth, seen[1]?.auth);
});

test('a refused connection is network_error', async () => {
  const tokens = new TokenSource({ getToken: async () => ({ token: 't', expires_at: Date.now() + 600_000, api_base: 'http://127.0.0.1:1' }) });
  const e = await rejection(new Agent37Api({ tokens }).health());
  assert.deepEqual([e.code, e.status], ['network_error', 0]);
});
