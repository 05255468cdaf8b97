/** The token endpoint over a real socket: what it mints, when it refuses, and that nothing caches it. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { createTokenHandler, toNodeHandler } from '../../src/server/index.js';

const SECRET = randomBytes(32).toString('base64url');
let server: Server;
let base: string;

/** Signed in = a `user` cookie, the way an app's own session cookie would say who is calling. */
async function authenticate(request: Request): Promise<string | null> {
  const match = /(?:^|;\s*)user=([^;]+)/.exec(request.headers.get('cookie') ?? '');
  return match ? decodeURIComponent(match[1]!) : null;
}

before(async () => {
  const standard = toNodeHandler(createTokenHandler({ secret: SECRET, apiBase: '/api/agent37', authenticate }));
  const shortLived = toNodeHandler(
    createTokenHandler({ secret: new TextEncoder().encode(SECRET), apiBase: 'https://chat.example/api/agent37', ttlSeconds: 60, authenticate }),
  );
  server = createServer((req, res) => void (req.url === '/short/token' ? shortLived(req, res) : standard(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('token endpoint', () => {
  it('mints a short HS256 token for the signed-in user, never cacheable', async () => {
    const before = Date.now();
    const response = await fetch(`${base}/api/agent37/token`, { method: 'POST', headers: { cookie: 'theme=dark; user=alice%40example.com' } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const grant = (await response.json()) as { token: string; expires_at: number; api_base: string };
    assert.deepEqual(Object.keys(grant).sort(), ['api_base', 'expires_at', 'token']);
    assert.equal(grant.api_base, '/api/agent37');

    assert.deepEqual(decodeProtectedHeader(grant.token), { alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(grant.token, new TextEncoder().encode(SECRET), {
      issuer: 'agent37-chat',
      audience: 'agent37-chat-relay',
      algorithms: ['HS256'],
    });
    assert.equal(payload.sub, 'alice@example.com');
    assert.equal(payload.exp! - payload.iat!, 600, 'ten minutes by default');
    assert.equal(grant.expires_at, payload.exp! * 1000, 'expires_at is the expiry in epoch ms');
    assert.ok(grant.expires_at >= Math.floor(before / 1000) * 1000 + 600_000);
    assert.ok(grant.expires_at <= Date.now() + 600_000);
  });

  it('honours ttlSeconds, a byte secret and an absolute apiBase', async () => {
    const response = await fetch(`${base}/short/token`, { method: 'POST', headers: { cookie: 'user=bob' } });
    assert.equal(response.status, 200);
    const grant = (await response.json()) as { token: string; expires_at: number; api_base: string };
    assert.equal(grant.api_base, 'https://chat.example/api/agent37');
    const payload = decodeJwt(grant.token);
    assert.equal(payload.sub, 'bob');
    assert.equal(payload.exp! - payload.iat!, 60);
  });

  it('answers 401 in the gateway error shape when nobody is signed in', async () => {
    const response = await fetch(`${base}/api/agent37/token`, { method: 'POST' });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as { error: { code: string; message: string }; token?: unknown };
    assert.equal(body.error.code, 'unauthorized');
    assert.ok(body.error.message.length > 0);
    assert.equal(body.token, undefined);
  });

  it('answers 405 to anything but POST', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await fetch(`${base}/api/agent37/token`, { method, headers: { cookie: 'user=alice' } });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('allow'), 'POST');
      const body = (await response.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'method_not_allowed');
    }
  });

  it('refuses a secret too short to be safe, at start-up', () => {
    assert.throws(() => createTokenHandler({ secret: 'short', apiBase: '/api/agent37', authenticate: () => 'x' }), /at least 32 bytes/);
  });
});
