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
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

export interface TestStack {
  middleware: (ctx: KoaContext, next: () => Promise<unknown>) => Promise<void>;
  close(): Promise<void>;
}

const SIM_HEADERS = ['x-agent37-sim-fault', 'x-agent37-sim-pace'];

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export async function startTestStack(): Promise<TestStack> {
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
      await Promise.all(simulators.map((simulator) => simulator.close()));
    },
  };
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
