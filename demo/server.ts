/**
 * `npm run demo`: one Node process on PORT (default 5173) serving the demo page through Vite, a token
 * endpoint with an anonymous demo login (a random user id in an HttpOnly cookie per browser), the relay,
 * and a simulator behind it. With AGENT37_INSTANCE_URL and AGENT37_API_KEY set, the relay talks to that
 * instance instead and no simulator starts. AGENT37_TOKEN_SECRET fixes the token secret (else random).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer as createViteServer } from 'vite';
import { createRelay, createTokenHandler, toNodeHandler } from '../src/server/index.js';
import { RedisOwnershipStore } from '../src/server/redis.js';
import { createSimulator, type Simulator } from '../src/simulator/index.js';

const PORT = Number(process.env['PORT'] ?? 5173);
const HOST = '127.0.0.1';
const API_BASE = '/api/agent37';
const USER_COOKIE = 'agent37_demo_user';
const USER_ID = /^demo-[0-9a-f-]{36}$/;

const instanceUrl = process.env['AGENT37_INSTANCE_URL'];
const apiKey = process.env['AGENT37_API_KEY'];
if (Boolean(instanceUrl) !== Boolean(apiKey)) {
  console.error('Set both AGENT37_INSTANCE_URL and AGENT37_API_KEY to use a real instance, or neither to use the simulator.');
  process.exit(1);
}
const secret = process.env['AGENT37_TOKEN_SECRET'] || randomBytes(32);

let simulator: Simulator | null = null;
let upstream: { url: string; key: string };
if (instanceUrl && apiKey) {
  upstream = { url: instanceUrl, key: apiKey };
} else {
  const key = `sk_live_demo_${randomBytes(16).toString('hex')}`;
  simulator = await createSimulator({ key, pace: 'realistic', faults: false });
  upstream = { url: simulator.url, key };
}

const tokenEndpoint = toNodeHandler(
  createTokenHandler({ secret, apiBase: API_BASE, authenticate: (request) => userFromCookie(request.headers.get('cookie')) }),
);
const relay = toNodeHandler(
  createRelay({
    instanceUrl: upstream.url,
    apiKey: upstream.key,
    secret,
    basePath: API_BASE,
    // with a real instance, ownership can outlive the demo server (and be shared by several)
    ...(process.env['REDIS_URL'] ? { store: new RedisOwnershipStore({ url: process.env['REDIS_URL'] }) } : {}),
    // the simulator's switches are for trying things out; a real instance gets none of them
    ...(simulator ? { forwardHeaders: ['x-agent37-sim-fault', 'x-agent37-sim-pace'] } : {}),
    // successful calls are noise here; problems are worth a line
    log: (line) => {
      if (!/ 2\d\d( |$)/.test(line)) console.log(line);
    },
  }),
);

const server = createServer();
const vite = await createViteServer({
  root: fileURLToPath(new URL('.', import.meta.url)),
  configFile: false,
  appType: 'spa',
  server: { middlewareMode: true, ws: { server } },
});

server.on('request', (req: IncomingMessage, res: ServerResponse) => {
  signIn(req, res);
  const path = (req.url ?? '/').split('?')[0];
  if (path === `${API_BASE}/token`) {
    void tokenEndpoint(req, res);
    return;
  }
  void relay(req, res, (error?: unknown) => {
    if (error === undefined) {
      vite.middlewares(req, res);
      return;
    }
    // the relay failed to answer: say so without printing the error object, which could quote the request or the key
    console.error(`agent37-chat demo: the relay failed on ${req.method} ${path} (${error instanceof Error ? error.name : typeof error})`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error: { code: 'internal_error', message: 'The demo server failed to answer.' } }));
  });
});

server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `Port ${PORT} is in use; set PORT to another one.` : error);
  void shutdown(1);
});
server.listen(PORT, HOST, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`agent37-chat demo: ${simulator ? 'simulated agent (realistic pace)' : `relaying to ${new URL(upstream.url).host}`}`);
  console.log(`http://${HOST}:${port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(0));

async function shutdown(code: number): Promise<void> {
  server.closeAllConnections();
  await Promise.allSettled([new Promise((resolve) => server.close(resolve)), vite.close(), simulator?.close()]);
  process.exit(code);
}

/** The demo login: every browser gets an anonymous user id in an HttpOnly cookie on its first request. */
function signIn(req: IncomingMessage, res: ServerResponse): void {
  if (userFromCookie(req.headers.cookie ?? null)) return;
  const userId = `demo-${randomUUID()}`;
  res.appendHeader('set-cookie', `${USER_COOKIE}=${userId}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`);
  // this very request (perhaps the token request itself) is already signed in
  req.headers.cookie = req.headers.cookie ? `${req.headers.cookie}; ${USER_COOKIE}=${userId}` : `${USER_COOKIE}=${userId}`;
}

function userFromCookie(header: string | null): string | null {
  for (const part of (header ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === USER_COOKIE && value && USER_ID.test(value)) return value;
  }
  return null;
}
