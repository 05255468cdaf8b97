/**
 * The relay's edges: it decides on the path as sent (encoded dot segments and backslashes are not its
 * paths, so an Express guard mounted on the raw path cannot be walked around), methods a Request
 * cannot carry (TRACE) get a plain 404 with no stack and no log, every answer says `nosniff`, and an
 * answer's content type is JSON or an event stream whatever the instance called it.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { MemoryOwnershipStore, createRelay, createTokenHandler, toNodeHandler } from '../../src/server/index.js';
import { API_KEY, SECRET, hex32, listenOn, serveRelay, startFakeUpstream, tokenFor } from './relay-harness.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with the path exactly as written (fetch and URL would resolve its dots and backslashes first). */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SNEAKY_PATHS = [
  '/api/agent37/v1/%2e%2e/v1/sessions',
  '/api/agent37/v1/%2E%2E/v1/sessions',
  '/api/agent37/v1/sessions/./',
  '/api/agent37/v1/x/../sessions',
  '/api/agent37\\v1\\sessions',
  '/api/agent37/v1\\sessions',
  '/public/%2e%2e/api/agent37/v1/sessions',
  '/public/..%2f../api/agent37/v1/sessions',
];

describe('relay: paths as sent', () => {
  let errors: unknown[][] = [];
  const consoleError = console.error;
  before(() => {
    console.error = (...args: unknown[]) => void errors.push(args);
  });
  after(() => {
    console.error = consoleError;
  });

  it('standalone: a path with dot segments or backslashes, plain or encoded, is 404 and never reaches the instance', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, basePath: '/api/agent37' });
    const auth = { authorization: `Bearer ${await tokenFor('alice')}` };
    assert.equal((await rawRequest(relay.base, 'GET', '/api/agent37/v1/sessions', auth)).status, 200, 'the plain path works');
    const before = fake.seen.length;
    for (const path of SNEAKY_PATHS) {
      const answer = await rawRequest(relay.base, 'GET', path, auth);
      assert.equal(answer.status, 404, path);
      assert.equal(JSON.parse(answer.body).error.code, 'not_found', path);
    }
    assert.equal(fake.seen.length, before);
  });

  it('Express: a guard mounted on the relay’s path cannot be walked around; the sneaky paths go on to the app', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = createRelay({ instanceUrl: fake.url, apiKey: API_KEY, secret: SECRET, basePath: '/api/agent37' });
    const app = express();
    let guarded = 0;
    app.use('/api/agent37', (_req, res) => {
      guarded++;
      res.status(403).json({ error: 'the guard says no' });
    });
    app.use(toNodeHandler(relay));
    app.use((_req, res) => void res.status(404).send('app 404'));
    const base = await listenOn(t, createServer(app));
    const auth = { authorization: `Bearer ${await tokenFor('alice')}` };
    for (const path of SNEAKY_PATHS.filter((path) => path.startsWith('/public/'))) {
      const answer = await rawRequest(base, 'GET', path, auth);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body, 'app 404', path);
    }
    assert.equal((await rawRequest(base, 'GET', '/api/agent37/v1/sessions', auth)).status, 403);
    assert.equal(guarded, 1);
    assert.equal(fake.seen.length, 0);
  });

  it('TRACE: 404 in the gateway’s shape, no stack, nothing logged', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    errors = [];
    // (TRACK and other names Node's parser does not know it answers 400 itself, before any handler)
    const answer = await rawRequest(relay.base, 'TRACE', '/v1/sessions');
    assert.equal(answer.status, 404);
    assert.deepEqual(JSON.parse(answer.body), { error: { code: 'not_found', message: 'That method is not served here.' } });
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    // a method a Request can carry but the relay does not serve: its own 404
    assert.equal((await rawRequest(relay.base, 'PROPFIND', '/v1/sessions')).status, 404);
    assert.deepEqual(errors, []);
    assert.ok(!relay.lines.some((line) => /internal error/.test(line)), relay.lines.join('\n'));
  });
});

describe('relay: what every answer says about its content', () => {
  it('nosniff on every answer: the instance’s, the relay’s own errors, a preflight, a stream, the token endpoint’s', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, allowedOrigins: ['https://shop.example'] });
    const alice = relay.as('alice');
    const answers: [string, Response][] = [
      ['models', await alice.open('GET', '/v1/models')],
      ['a stream', await alice.open('POST', '/v1/responses', { input: 'Hi', stream: true })],
      ['unknown session', await alice.open('GET', `/v1/sessions/${hex32()}`)],
      ['no token', await fetch(`${relay.base}/v1/sessions`)],
      ['no route', await fetch(`${relay.base}/v1/files`)],
      ['preflight', await fetch(`${relay.base}/v1/sessions`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET' } })],
    ];
    const tokens = await listenOn(t, createServer(toNodeHandler(createTokenHandler({ secret: SECRET, apiBase: '/api', authenticate: (request) => request.headers.get('x-user') }))));
    answers.push(['token', await fetch(tokens, { method: 'POST', headers: { 'x-user': 'alice' } })]);
    answers.push(['token refused', await fetch(tokens, { method: 'POST' })]);
    answers.push(['token method', await fetch(tokens)]);
    for (const [what, response] of answers) {
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
      await response.body?.cancel();
    }
  });

  it('an answer the instance (or a proxy before it) calls HTML goes out as JSON; a stream as an event stream', async (t) => {
    const id = hex32();
    const upstream = await listenOn(
      t,
      createServer((req, res) => {
        req.resume();
        if (req.url?.endsWith('/stream')) {
          res.writeHead(200, { 'content-type': 'text/event-stream; profile=odd' });
          res.end(`event: response.created\ndata: {"id":"${id}","session_id":"${hex32()}"}\n\n`);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<script>alert(document.cookie)</script>');
      }),
    );
    const relay = await serveRelay(t, { instanceUrl: upstream });
    const html = await relay.as('alice').open('GET', '/v1/models');
    assert.equal(html.headers.get('content-type'), 'application/json; charset=utf-8');
    await html.body?.cancel();
    // the stream of a response alice owns: claim one through a get-session answer naming it active
    const store = new MemoryOwnershipStore();
    await store.claim('response', id, 'alice');
    const streaming = await serveRelay(t, { instanceUrl: upstream, store });
    const stream = await streaming.as('alice').open('GET', `/v1/responses/${id}/stream`);
    assert.equal(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    await stream.body?.cancel();
  });
});

