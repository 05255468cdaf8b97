/**
 * Runs a Fetch-API handler (the token endpoint, the relay) on Node's `http` server or as Express /
 * Connect middleware: the request body is streamed in, the response streamed out chunk by chunk
 * (SSE stays live), and the handler's `request.signal` aborts when the client goes away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

export type FetchHandler = ((request: Request) => Promise<Response>) & {
  /** When present and the adapter runs as middleware, paths it does not serve go to `next()`. */
  serves?: (pathname: string) => boolean;
};

export type NextFunction = (error?: unknown) => void;

/** What Express and friends add to Node's request; read when present. */
interface FrameworkRequest extends IncomingMessage {
  originalUrl?: string;
  body?: unknown;
}

const nodeRequests = new WeakMap<Request, IncomingMessage>();

/**
 * The Node request behind a Request that toNodeHandler made, so an `authenticate` callback can read
 * what Express middleware left on it (`req.user`, `req.session`); undefined for any other Request.
 */
export function nodeRequestOf<T extends IncomingMessage = IncomingMessage>(request: Request): T | undefined {
  return nodeRequests.get(request) as T | undefined;
}

/**
 * `http.createServer(toNodeHandler(handler))`, `app.use(toNodeHandler(relay))` or
 * `app.post('/api/agent37/token', toNodeHandler(tokenHandler))`. The returned promise settles once the
 * response is written (or the client left); it never rejects.
 */
export function toNodeHandler(handler: FetchHandler) {
  return async (req: IncomingMessage, res: ServerResponse, next?: NextFunction): Promise<void> => {
    const request = req as FrameworkRequest;
    // Express strips a mount path from req.url; originalUrl keeps what the browser asked for.
    const target = request.originalUrl ?? request.url ?? '/';
    const url = requestUrl(request, target);
    // Decided on the path as sent, as Express decides: a URL parser resolves `%2e%2e`, `.` segments and
    // `\`, so `/public/%2e%2e/api/agent37/v1/...` would reach the relay past a guard mounted on
    // `/api/agent37`. A path that parsing changes is not the handler's.
    const plain = url.pathname === rawPathOf(target);
    // the same pathname the handler will see in request.url, so both agree on which paths are the handler's
    if (next && ((handler.serves && !handler.serves(url.pathname)) || !plain)) {
      next();
      return;
    }
    if (!plain) {
      answerOwnError(res, 404, 'not_found', 'No such path.');
      return;
    }
    // TRACE, CONNECT and names that are no HTTP token cannot make a Request: not the handler's either
    // (answered as the gateway answers a method it does not serve)
    if (!requestMethod(req.method)) {
      if (next) next();
      else answerOwnError(res, 404, 'not_found', 'That method is not served here.');
      return;
    }

    const clientGone = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) clientGone.abort();
    };
    res.once('close', onClose);

    let response: Response;
    try {
      response = await handler(toRequest(request, url, clientGone.signal));
    } catch (error) {
      res.off('close', onClose);
      if (next) {
        next(error);
      } else if (!res.headersSent && !res.destroyed) {
        console.error('agent37-chat/server: handler failed', error);
        answerOwnError(res, 500, 'internal_error', 'The server failed to answer.');
      }
      return;
    }
    await writeResponse(response, res, clientGone.signal);
    res.off('close', onClose);
  };
}

/** The request target's path as sent: no query, and for an absolute-form target only its path. */
function rawPathOf(target: string): string {
  let path = target;
  if (!path.startsWith('/')) {
    const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(path);
    path = authority ? path.slice(authority[0].length) || '/' : '/';
  }
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

/** Methods a Request can carry (Fetch forbids CONNECT, TRACE and TRACK, and any name that is not a token). */
function requestMethod(method: string | undefined): boolean {
  return method !== undefined && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method) && !/^(connect|trace|track)$/i.test(method);
}

/** An answer of the adapter's own, in the gateway's error shape; nothing is logged. */
function answerOwnError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** Host names and IP literals with an optional port; anything else in a Host header is not used to build a URL. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The request's URL. The path is taken as a path (a `//x/...` request target does not become host x),
 * and a malformed Host header falls back to localhost instead of throwing.
 */
function requestUrl(req: IncomingMessage, path: string): URL {
  const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  let target = path;
  if (!target.startsWith('/')) {
    // absolute-form (`GET http://host/path`, as sent to proxies): only its path and query count
    try {
      const absolute = new URL(target);
      target = absolute.pathname + absolute.search;
    } catch {
      target = '/';
    }
  }
  const host = req.headers.host;
  for (const origin of [host !== undefined && HOST.test(host) ? `${scheme}://${host}` : null, `${scheme}://localhost`]) {
    if (origin === null) continue;
    try {
      return new URL(origin + target);
    } catch {
      // a Host that passed the pattern but is still no valid authority (port 99999): try localhost
    }
  }
  return new URL(`${scheme}://localhost/`);
}

function toRequest(req: FrameworkRequest, url: URL, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    // HTTP/2 pseudo-headers (":path") are not headers a Request can hold
    if (value === undefined || name.startsWith(':')) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (method !== 'GET' && method !== 'HEAD' && hasBody) {
    const parsed = alreadyParsedBody(req);
    if (parsed !== undefined) {
      init.body = parsed;
      headers.delete('content-length');
    } else {
      init.body = bodyStream(req);
      // a streamed request body must say so in Node's fetch
      init.duplex = 'half';
    }
  }
  const request = new Request(url, init);
  nodeRequests.set(request, req);
  return request;
}

/** A body parser mounted before the adapter has read the stream already; use what it parsed. */
function alreadyParsedBody(req: FrameworkRequest): BodyInit | undefined {
  if (!req.readableEnded || req.body === undefined) return undefined;
  const body = req.body;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new Uint8Array(body);
  return JSON.stringify(body);
}

/**
 * The request body as a web stream. Unlike Readable.toWeb, cancelling it (the relay refusing a body
 * over the limit) drains the rest instead of destroying the socket, so the 413 still reaches the client.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let finished = false;
  const detach = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const onData = (chunk: Buffer) => {
    if (finished) return;
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  const onEnd = () => {
    if (finished) return;
    finished = true;
    detach();
    controller.close();
  };
  const onError = (error: Error) => {
    if (finished) return;
    finished = true;
    detach();
    controller.error(error);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        req.on('data', onData);
        req.once('end', onEnd);
        req.once('error', onError);
      },
      pull() {
        req.resume();
      },
      cancel() {
        finished = true;
        detach();
        req.resume();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

async function writeResponse(response: Response, res: ServerResponse, clientGone: AbortSignal): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  const cookies = response.headers.getSetCookie();
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  if (cookies.length > 0) res.appendHeader('set-cookie', cookies);

  if (!response.body) {
    res.end();
    return;
  }
  if (clientGone.aborted || res.destroyed) {
    await response.body.cancel().catch(() => {});
    return;
  }
  // headers out now: an SSE client learns the stream is open before the first event
  res.flushHeaders();
  const reader = response.body.getReader();
  const stop = () => {
    reader.cancel().catch(() => {});
  };
  clientGone.addEventListener('abort', stop, { once: true });
  const flushable = res as ServerResponse & { flush?: () => void };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      // compression middleware buffers until told to flush
      flushable.flush?.();
      if (clientGone.aborted) break;
    }
    if (!clientGone.aborted) res.end();
  } catch {
    // the body failed midway (upstream dropped): cut the connection so the client sees a broken stream, not a clean end
    res.destroy();
  } finally {
    clientGone.removeEventListener('abort', stop);
  }
}

function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
