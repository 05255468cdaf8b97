/**
 * The server side of the browser tests: simulators, each behind its own token endpoint and relay,
 * mounted on web-test-runner's server so test pages reach them same-origin over real HTTP.
 *
 *   /api/agent37/token?user=NAME&ttl=SECONDS   POST → a token for NAME (default test-user), ttl may be ≤ 0
 *   /api/agent37/v1/...                        relay → simulator (faults on, fast pace, 1 s keepalives):
 *                                              the newer revision, history written as the turn runs (Hermes)
 *   /api/agent37-at-end/...                    same, but history written in one go at the turn's end (the docs)
 *   /api/agent37-first/...                     same, but the gateway's first API revision
 *   /api/agent37-expiring[-at-end|-first]/...  those three with replay buffer 1.5 s and records kept 4 s
 *   /api/agent37/sim-url                       GET → the main simulator's URL, for tests that call it directly
 *   /__stack/cross-origin                      GET → {origin}: the stack's second server, below
 *
 * The second server listens on a port of its own, so it is another origin than the test page (same
 * host name, so same site: the page's cookies reach it). In front of the main simulator:
 *
 *   /api/agent37/token               POST → a token for the visitor the `visitor` cookie names (401 without);
 *                                    CORS for the page's origin, with credentials
 *   /api/agent37/v1/...              relay, CORS for the page's origin
 *   /api/agent37-other-origin/token  the same token endpoint, allowing only https://shop.example
 *   /api/agent37-any-origin/token    the same token endpoint, allowing '*' (so without credentials)
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRelay, createTokenHandler, toNodeHandler } from '../../src/server/index.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

/** The part of a Koa context the middleware uses (web-test-runner's server is Koa). */
export interface KoaContext {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  method: string;
  respond?: boolean;
}

export interface TestStackOptions {
  /** web-test-runner's origin, e.g. http://localhost:8000: the second server lets it in */
  pageOrigin: string;
}

export interface TestStack {
  middleware: (ctx: KoaContext, next: () => Promise<unknown>) => Promise<void>;
  close(): Promise<void>;
}

const SIM_HEADERS = ['x-agent37-sim-fault', 'x-agent37-sim-pace'];

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export async function startTestStack(options: TestStackOptions): Promise<TestStack> {
  const key = `sk_live_teststack_${randomBytes(12).toString('hex')}`;
  const secret = randomBytes(32);
  const shared: SimulatorOptions = { key, faults: true, pace: 'fast', keepaliveMs: 1000 };
  const expiring = { replayBufferMs: 1500, recordTtlMs: 4000 };
  const variants: { prefix: string; options: SimulatorOptions }[] = [
    { prefix: '/api/agent37', options: shared },
    { prefix: '/api/agent37-at-end', options: { ...shared, history: 'at-end' } },
    { prefix: '/api/agent37-first', options: { ...shared, revision: 'first' } },
    { prefix: '/api/agent37-expiring', options: { ...shared, ...expiring } },
    { prefix: '/api/agent37-expiring-at-end', options: { ...shared, ...expiring, history: 'at-end' } },
    { prefix: '/api/agent37-expiring-first', options: { ...shared, ...expiring, revision: 'first' } },
  ];

  const simulators: Simulator[] = [];
  const routes = new Map<string, NodeHandler>();
  const relays: { serves: (pathname: string) => boolean; handler: NodeHandler }[] = [];
  try {
    for (const { prefix, options } of variants) {
      const simulator = await createSimulator(options);
      simulators.push(simulator);
      routes.set(`${prefix}/token`, toNodeHandler(tokenEndpoint(secret, prefix)));
      const relay = createRelay({ instanceUrl: simulator.url, apiKey: key, secret, basePath: prefix, forwardHeaders: SIM_HEADERS });
      relays.push({ serves: relay.serves, handler: toNodeHandler(relay) });
    }
  } catch (error) {
    await Promise.all(simulators.map((simulator) => simulator.close()));
    throw error;
  }
  const mainSimulatorUrl = simulators[0]!.url;
  routes.set('/api/agent37/sim-url', async (req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(mainSimulatorUrl);
  });
  let crossOrigin: CrossOriginServer;
  try {
    crossOrigin = await startCrossOriginServer({ pageOrigin: options.pageOrigin, instanceUrl: mainSimulatorUrl, key, secret });
  } catch (error) {
    await Promise.all(simulators.map((simulator) => simulator.close()));
    throw error;
  }
  routes.set('/__stack/cross-origin', async (req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
      .end(JSON.stringify({ origin: crossOrigin.origin }));
  });

  return {
    async middleware(ctx, next) {
      const handler = routes.get(ctx.path) ?? relays.find((relay) => relay.serves(ctx.path))?.handler;
      if (!handler) {
        await next();
        return;
      }
      // the handler writes to the Node response itself; Koa must not answer too
      ctx.respond = false;
      await handler(ctx.req, ctx.res);
    },
    async close() {
      await Promise.all([crossOrigin.close(), ...simulators.map((simulator) => simulator.close())]);
    },
  };
}

interface CrossOriginServer {
  /** where the page reaches it: the page's host name, the server's own port */
  origin: string;
  close(): Promise<void>;
}

/** The second server: a token endpoint that reads a cookie and a relay, each allowing the page's origin. */
async function startCrossOriginServer(o: { pageOrigin: string; instanceUrl: string; key: string; secret: Uint8Array }): Promise<CrossOriginServer> {
  const prefix = '/api/agent37';
  const tokenFor = (allowedOrigins: string[]) =>
    toNodeHandler(createTokenHandler({ secret: o.secret, apiBase: prefix, allowedOrigins, authenticate: visitorOf }));
  const routes = new Map<string, NodeHandler>([
    [`${prefix}/token`, tokenFor([o.pageOrigin])],
    [`${prefix}-other-origin/token`, tokenFor(['https://shop.example'])],
    [`${prefix}-any-origin/token`, tokenFor(['*'])],
  ]);
  const relay = createRelay({
    instanceUrl: o.instanceUrl,
    apiKey: o.key,
    secret: o.secret,
    basePath: prefix,
    forwardHeaders: SIM_HEADERS,
    allowedOrigins: [o.pageOrigin],
  });
  const relayHandler = toNodeHandler(relay);
  const notFound: NodeHandler = async (_req, res) => void res.writeHead(404).end();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://stack.invalid').pathname;
    void (routes.get(path) ?? (relay.serves(path) ? relayHandler : notFound))(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  // the page names it by its own host name (localhost, a loopback name) so it is the same site
  const origin = new URL(o.pageOrigin);
  origin.port = String((server.address() as AddressInfo).port);
  return {
    origin: origin.origin,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Signed in = a `visitor` cookie, the way a site's own session cookie says who is calling. */
function visitorOf(request: Request): string | null {
  const match = /(?:^|;\s*)visitor=([^;]+)/.exec(request.headers.get('cookie') ?? '');
  return match ? decodeURIComponent(match[1]!) : null;
}

/** A token for `?user=` (default test-user) that lives `?ttl=` seconds (default 600; 0 or less is already expired). */
function tokenEndpoint(secret: Uint8Array, apiBase: string) {
  // one handler per distinct ttl, made on first use; the user comes from the request's own query
  const handlers = new Map<number, (request: Request) => Promise<Response>>();
  return (request: Request): Promise<Response> => {
    const ttl = Number(new URL(request.url).searchParams.get('ttl') ?? 600);
    const ttlSeconds = Number.isFinite(ttl) ? ttl : 600;
    let handler = handlers.get(ttlSeconds);
    if (!handler) {
      handler = createTokenHandler({
        secret,
        apiBase,
        ttlSeconds,
        authenticate: (request) => new URL(request.url).searchParams.get('user') || 'test-user',
      });
      handlers.set(ttlSeconds, handler);
    }
    return handler(request);
  };
}
