/** The token endpoint over a real socket: what it mints, when it refuses, that nothing caches it, and CORS. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { createTokenHandler, toNodeHandler } from '../../src/server/index.js';

const SECRET = randomBytes(32).toString('base64url');
const SHOP = 'https://shop.example';
const EVIL = 'https://evil.example';
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
  const cors = (allowedOrigins: string[]) => toNodeHandler(createTokenHandler({ secret: SECRET, apiBase: '/api/agent37', authenticate, allowedOrigins }));
  const byPath = new Map([
    ['/short/token', shortLived],
    ['/shop/token', cors([SHOP])],
    ['/any/token', cors(['*'])],
    ['/any-and-shop/token', cors(['*', `${SHOP}/`])],
  ]);
  server = createServer((req, res) => void (byPath.get(req.url ?? '') ?? standard)(req, res));
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

describe('token endpoint: CORS', () => {
  const preflight = (path: string, origin: string) =>
    fetch(`${base}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
  const post = (path: string, origin: string, cookie?: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { origin, ...(cookie ? { cookie } : {}) } });
  const corsHeaders = (response: Response) =>
    Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

  it('answers the preflight of a listed origin, with credentials, for POST and content-type', async () => {
    const response = await preflight('/shop/token', SHOP);
    assert.equal(response.status, 204);
    assert.equal(await response.text(), '');
    assert.deepEqual(corsHeaders(response), {
      'access-control-allow-origin': SHOP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization, content-type, accept',
      'access-control-max-age': '600',
    });
    assert.equal(response.headers.get('vary'), 'Origin');
  });

  it('lets a listed origin read the token minted from its cookie, and the 401 of a visitor without one', async () => {
    const signedIn = await post('/shop/token', SHOP, 'user=carol');
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.headers.get('access-control-allow-origin'), SHOP);
    assert.equal(signedIn.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(signedIn.headers.get('vary'), 'Origin');
    assert.equal(signedIn.headers.get('cache-control'), 'no-store');
    assert.equal(decodeJwt(((await signedIn.json()) as { token: string }).token).sub, 'carol');

    const anonymous = await post('/shop/token', SHOP);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('access-control-allow-origin'), SHOP, 'the widget must be able to read the 401');
    assert.equal(anonymous.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'unauthorized');
  });

  it('gives any other origin no CORS headers: its preflight is 403, its POST unreadable', async () => {
    const refused = await preflight('/shop/token', EVIL);
    assert.equal(refused.status, 403);
    assert.deepEqual(corsHeaders(refused), {});
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'origin_not_allowed');

    const answered = await post('/shop/token', EVIL, 'user=carol');
    await answered.body?.cancel();
    assert.deepEqual(corsHeaders(answered), {});
    assert.equal(answered.headers.get('vary'), 'Origin');
    // the sandboxed-iframe / file: origin is never an allowed one, not even under '*'
    for (const path of ['/shop/token', '/any/token']) {
      const opaque = await post(path, 'null', 'user=carol');
      await opaque.body?.cancel();
      assert.deepEqual(corsHeaders(opaque), {}, path);
    }
  });

  it('gives no CORS headers to a method it does not take, even for a listed origin', async () => {
    const response = await fetch(`${base}/shop/token`, { method: 'GET', headers: { origin: SHOP, cookie: 'user=carol' } });
    assert.equal(response.status, 405);
    await response.body?.cancel();
    assert.deepEqual(corsHeaders(response), {});
  });

  it("with '*' answers every origin without credentials, so no site reads a signed-in visitor's token", async () => {
    const pre = await preflight('/any/token', EVIL);
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), EVIL);
    assert.equal(pre.headers.get('access-control-allow-credentials'), null);

    const anonymous = await post('/any/token', EVIL);
    await anonymous.body?.cancel();
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('access-control-allow-origin'), EVIL);
    // a page that sent cookies (credentials: 'include') is refused the answer by the browser without this header
    const withCookie = await post('/any/token', EVIL, 'user=carol');
    await withCookie.body?.cancel();
    assert.equal(withCookie.headers.get('access-control-allow-credentials'), null);
  });

  it("with '*' beside listed origins, only the listed ones get credentials", async () => {
    const listed = await post('/any-and-shop/token', SHOP, 'user=carol');
    await listed.body?.cancel();
    assert.equal(listed.headers.get('access-control-allow-origin'), SHOP);
    assert.equal(listed.headers.get('access-control-allow-credentials'), 'true');
    const other = await post('/any-and-shop/token', EVIL, 'user=carol');
    await other.body?.cancel();
    assert.equal(other.headers.get('access-control-allow-origin'), EVIL);
    assert.equal(other.headers.get('access-control-allow-credentials'), null);
  });

  it('without allowedOrigins stays same-origin only: no CORS headers, and preflights are refused', async () => {
    const answered = await post('/api/agent37/token', SHOP, 'user=carol');
    assert.equal(answered.status, 200);
    await answered.body?.cancel();
    assert.deepEqual(corsHeaders(answered), {});
    const refused = await preflight('/api/agent37/token', SHOP);
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
    assert.deepEqual(corsHeaders(refused), {});
  });
});
