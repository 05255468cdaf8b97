/**
 * toNodeHandler over real sockets: Node's http server and Express/Connect-style middleware chains
 * (next(), a mount path stripped from req.url, a body parser that ran first), streaming out chunk by
 * chunk, client aborts reaching the handler, and a body that fails midway.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createRelay, createTokenHandler, toNodeHandler, type FetchHandler } from '../../src/server/index.js';
import { createSimulator } from '../../src/simulator/index.js';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** A minimal Connect: runs middleware in order; the end of the chain answers 404 "fell through". */
function chain(middlewares: Middleware[], onError: (error: unknown, res: ServerResponse) => void = () => {}) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let index = 0;
    const next = (error?: unknown) => {
      if (error !== undefined) return onError(error, res);
      const middleware = middlewares[index++];
      if (!middleware) {
        res.statusCode = 404;
        res.end('fell through');
        return;
      }
      middleware(req, res, next);
    };
    next();
  };
}

/** What `app.use('/mount', handler)` does in Express: strips the mount path from req.url, keeps originalUrl. */
function mountedAt(prefix: string, middleware: Middleware): Middleware {
  return (req, res, next) => {
    const url = req.url ?? '/';
    if (!url.startsWith(`${prefix}/`)) return next();
    const request = req as IncomingMessage & { originalUrl?: string };
    request.originalUrl = url;
    req.url = url.slice(prefix.length);
    middleware(req, res, next);
  };
}

/** A body parser in the style of express.json(): reads the stream and leaves req.body behind. */
const jsonBodyParser: Middleware = (req, _res, next) => {
  if (req.method === 'GET' || !(req.headers['content-type'] ?? '').startsWith('application/json')) return next();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    (req as IncomingMessage & { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    next();
  });
};

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One raw HTTP/1.1 request (a request line fetch would not send, any Host); resolves to the whole answer. */
async function rawRequest(base: string, requestLine: string, headers: Record<string, string>): Promise<string> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  // a handler that never answers fails the test instead of hanging it
  socket.setTimeout(5000, () => socket.destroy());
  const lines = [`${requestLine} HTTP/1.1`, `host: ${headers.host ?? `${hostname}:${port}`}`, 'connection: close'];
  for (const [name, value] of Object.entries(headers)) if (name !== 'host') lines.push(`${name}: ${value}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('toNodeHandler as Express/Connect middleware', async () => {
  const KEY = `sk_live_${randomBytes(12).toString('hex')}`;
  const SECRET = randomBytes(32).toString('base64url');
  const simulator = await createSimulator({ key: KEY, pace: 'fast' });
  after(() => simulator.close());
  const relay = toNodeHandler(createRelay({ instanceUrl: simulator.url, apiKey: KEY, secret: SECRET, basePath: '/api/agent37' }));
  const token = toNodeHandler(createTokenHandler({ secret: SECRET, apiBase: '/api/agent37', authenticate: () => 'middleware-user' }));
  const routeToken: Middleware = (req, res, next) => (req.url === '/api/agent37/token' ? void token(req, res) : next());

  const grant = async (base: string) => {
    const response = await fetch(`${base}/api/agent37/token`, { method: 'POST' });
    return ((await response.json()) as { token: string }).token;
  };

  it('serves its own paths and calls next() for everything else', async () => {
    const base = await listen(chain([routeToken, relay, (_req, res) => res.end('the app')]));
    const bearer = { authorization: `Bearer ${await grant(base)}` };
    const models = await fetch(`${base}/api/agent37/v1/models`, { headers: bearer });
    assert.equal(models.status, 200);
    assert.ok(((await models.json()) as { data: unknown[] }).data.length > 0);
    for (const path of ['/', '/about', '/api/agent37', '/api/agent37/other', '/api/agent37-other/v1/models']) {
      const response = await fetch(base + path, { headers: bearer });
      assert.equal(await response.text(), 'the app', path);
    }
    const unknown = await fetch(`${base}/api/agent37/v1/version`, { headers: bearer });
    assert.equal(unknown.status, 404, 'an unknown route under the relay is the relay’s 404, not the app’s');
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('works mounted under a path (Express strips it from req.url; originalUrl keeps it)', async () => {
    const base = await listen(chain([routeToken, mountedAt('/api/agent37', relay)]));
    const response = await fetch(`${base}/api/agent37/v1/health`, { headers: { authorization: `Bearer ${await grant(base)}` } });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { ok: boolean }).ok, true);
  });

  it('uses the body a JSON body parser already read', async () => {
    const base = await listen(chain([routeToken, jsonBodyParser, relay]));
    const response = await fetch(`${base}/api/agent37/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await grant(base)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'parsed first [chars=21]' }),
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { status: string; output_text: string };
    assert.equal(answer.status, 'completed');
    assert.equal(answer.output_text.length, 21);
  });

  it('decides what it serves on the path as sent, as Express does: one that URL parsing would change is not its own', async () => {
    const base = await listen(chain([routeToken, relay, (_req, res) => res.end('the app')]));
    const bearer = { authorization: `Bearer ${await grant(base)}` };
    // parsed, this target is the relay's health route; as sent it is not under the relay's path, so it goes on to the app
    const health = await rawRequest(base, 'GET /api/other/../agent37/v1/health', { authorization: bearer.authorization });
    assert.match(health, /^HTTP\/1\.1 200 /);
    assert.match(health, /the app$/);
    // and a protocol-relative target stays a path, it does not become a host
    const relative = await rawRequest(base, 'GET //api/agent37/v1/health', { authorization: bearer.authorization });
    assert.match(relative, /the app$/);
  });

  it('does not throw on a malformed Host header: it falls back to localhost', async () => {
    const base = await listen(chain([routeToken, relay, (_req, res) => res.end('the app')]));
    const token = await grant(base);
    for (const host of ['bad host', 'a/b', 'x:99999', '[nope']) {
      const answer = await rawRequest(base, 'GET /api/agent37/v1/health', { host, authorization: `Bearer ${token}` });
      assert.match(answer, /^HTTP\/1\.1 200 /, host);
      assert.match(answer, /"ok":true/, host);
    }
  });

  it('hands a handler error to next(error)', async () => {
    const failure = new Error('boom');
    const seen: unknown[] = [];
    const failing = toNodeHandler(async () => {
      throw failure;
    });
    const base = await listen(
      chain([failing], (error, res) => {
        seen.push(error);
        res.statusCode = 500;
        res.end('error page');
      }),
    );
    const response = await fetch(base);
    assert.equal(await response.text(), 'error page');
    assert.deepEqual(seen, [failure]);
  });
});

describe('toNodeHandler on node:http', () => {
  it('streams each chunk out as soon as the handler has it', async () => {
    const gate = deferred();
    const handler: FetchHandler = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode('first\n'));
            await gate.promise;
            controller.enqueue(new TextEncoder().encode('second\n'));
            controller.close();
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const base = await listen(toNodeHandler(handler));
    const response = await fetch(base);
    const reader = response.body!.getReader();
    const first = await reader.read();
    // the second chunk cannot exist yet: the handler waits for this test to open the gate
    assert.equal(new TextDecoder().decode(first.value), 'first\n');
    gate.resolve();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    assert.equal(rest, 'second\n');
  });

  it("aborts the handler's request.signal when the client goes away", async () => {
    let signal: AbortSignal | undefined;
    const handler: FetchHandler = async (request) => {
      signal = request.signal;
      return new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(':open\n\n'));
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    };
    const base = await listen(toNodeHandler(handler));
    const client = new AbortController();
    const response = await fetch(base, { signal: client.signal });
    await response.body!.getReader().read();
    assert.equal(signal?.aborted, false);
    client.abort();
    await waitFor(() => signal?.aborted === true, 'request.signal to abort');
  });

  it('cuts the connection when the body fails midway, so the client does not see a clean end', async () => {
    const handler: FetchHandler = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('event: response.created\ndata: {}\n\n'));
            setTimeout(() => controller.error(new Error('upstream dropped')), 10);
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const base = await listen(toNodeHandler(handler));
    const response = await fetch(base);
    await assert.rejects(response.text());
  });

  it('streams a request body in and keeps every Set-Cookie and header already set', async () => {
    const handler: FetchHandler = async (request) => {
      const size = (await request.arrayBuffer()).byteLength;
      const headers = new Headers({ 'content-type': 'application/json' });
      headers.append('set-cookie', 'a=1; Path=/');
      headers.append('set-cookie', 'b=2; Path=/');
      return new Response(JSON.stringify({ size, url: request.url, method: request.method }), { status: 201, headers });
    };
    const node = toNodeHandler(handler);
    const base = await listen((req, res) => {
      res.setHeader('set-cookie', 'visitor=xyz; HttpOnly');
      void node(req, res);
    });
    const bytes = new Uint8Array(300_000).fill(97);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 50_000) controller.enqueue(bytes.subarray(offset, offset + 50_000));
        controller.close();
      },
    });
    const response = await fetch(`${base}/upload?x=1`, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    assert.equal(response.status, 201);
    assert.deepEqual(response.headers.getSetCookie(), ['visitor=xyz; HttpOnly', 'a=1; Path=/', 'b=2; Path=/']);
    assert.deepEqual(await response.json(), { size: 300_000, url: `${base}/upload?x=1`, method: 'PUT' });
  });

  it('answers 500 in the gateway error shape when the handler throws and there is no next()', async () => {
    const base = await listen(
      toNodeHandler(async () => {
        throw new Error('boom');
      }),
    );
    const originalError = console.error;
    console.error = () => {};
    try {
      const response = await fetch(base);
      assert.equal(response.status, 500);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'internal_error');
    } finally {
      console.error = originalError;
    }
  });
});
