/**
 * The README's Express set-up, run for real: the app's own login (a session cookie → req.user), the
 * token endpoint reading req.user through nodeRequestOf, the relay as middleware, and the app's own
 * routes and body parser around them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express, { type NextFunction, type Request as ExpressRequest, type Response as ExpressResponse } from 'express';
import { createRelay, createTokenHandler, nodeRequestOf, toNodeHandler } from '../../src/server/index.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

const KEY = `sk_live_${randomBytes(12).toString('hex')}`;
const SECRET = randomBytes(32).toString('base64url');

/** The app's own sessions: cookie `sid` → user. */
const sessions = new Map([
  ['sid-alice', { id: 'user-alice' }],
  ['sid-bob', { id: 'user-bob' }],
]);
type AppRequest = ExpressRequest & { user?: { id: string } };

function login(req: AppRequest, _res: ExpressResponse, next: NextFunction): void {
  const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (sid) {
    const user = sessions.get(sid);
    if (user) req.user = user;
  }
  next();
}

let simulator: Simulator;
const servers: Server[] = [];

/** The README example; `bodyParserFirst` puts express.json() in front of everything, as many apps do. */
function buildApp(options: { bodyParserFirst: boolean; mountAt?: string }) {
  const app = express();
  if (options.bodyParserFirst) app.use(express.json());
  app.use(login);

  app.post(
    '/api/agent37/token',
    toNodeHandler(
      createTokenHandler({
        secret: SECRET,
        apiBase: '/api/agent37',
        authenticate: (request) => nodeRequestOf<AppRequest>(request)?.user?.id ?? null,
      }),
    ),
  );
  const relay = toNodeHandler(createRelay({ instanceUrl: simulator.url, apiKey: KEY, secret: SECRET, basePath: '/api/agent37' }));
  if (options.mountAt) app.use(options.mountAt, relay);
  else app.use(relay);

  app.get('/', (_req, res) => {
    res.send('the app’s own page');
  });
  return app;
}

async function listen(app: express.Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  simulator = await createSimulator({ key: KEY, pace: 'fast' });
});

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await simulator.close();
});

async function tokenAs(base: string, sid: string | null): Promise<Response> {
  return fetch(`${base}/api/agent37/token`, { method: 'POST', headers: sid ? { cookie: `sid=${sid}` } : {} });
}

for (const variant of [
  { name: 'relay before the body parser', bodyParserFirst: false },
  { name: 'express.json() in front of everything', bodyParserFirst: true },
  { name: "relay mounted with app.use('/api/agent37', …)", bodyParserFirst: false, mountAt: '/api/agent37' },
]) {
  describe(`Express: ${variant.name}`, () => {
    let base: string;
    before(async () => {
      base = await listen(buildApp(variant));
    });

    it('mints tokens for signed-in users only', async () => {
      const anonymous = await tokenAs(base, null);
      assert.equal(anonymous.status, 401);
      assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'unauthorized');
      const alice = await tokenAs(base, 'sid-alice');
      assert.equal(alice.status, 200);
      assert.equal(alice.headers.get('cache-control'), 'no-store');
    });

    it('relays a streamed turn and keeps it to its user, leaving other routes to the app', async () => {
      const aliceToken = ((await (await tokenAs(base, 'sid-alice')).json()) as { token: string }).token;
      const turn = await fetch(`${base}/api/agent37/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ input: 'Hello from Express [chars=33]', stream: true }),
      });
      assert.equal(turn.status, 200);
      assert.match(turn.headers.get('content-type') ?? '', /^text\/event-stream/);
      const text = await turn.text();
      const created = JSON.parse(/event: response\.created\ndata: (.*)\n/.exec(text)![1]!) as { session_id: string };
      const completed = JSON.parse(/event: response\.completed\ndata: (.*)\n/.exec(text)![1]!) as { output_text: string };
      assert.equal(completed.output_text.length, 33);

      const bobToken = ((await (await tokenAs(base, 'sid-bob')).json()) as { token: string }).token;
      const asBob = await fetch(`${base}/api/agent37/v1/sessions/${created.session_id}`, { headers: { authorization: `Bearer ${bobToken}` } });
      assert.equal(asBob.status, 404);
      const asAlice = await fetch(`${base}/api/agent37/v1/sessions/${created.session_id}`, { headers: { authorization: `Bearer ${aliceToken}` } });
      assert.equal(asAlice.status, 200);

      const page = await fetch(`${base}/`);
      assert.equal(await page.text(), 'the app’s own page');
    });
  });
}
