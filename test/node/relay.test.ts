/**
 * The relay over real sockets, in front of the real simulator: token checks, the route allow-list,
 * per-user ownership, the body limit, CORS, SSE pass-through, client aborts, and a sentinel key that
 * must never show in anything the relay sends back or logs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createParser } from 'eventsource-parser';
import { SignJWT, UnsecuredJWT } from 'jose';
import { createRelay, createTokenHandler, MemoryOwnershipStore, toNodeHandler, type FetchHandler } from '../../src/server/index.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

const SENTINEL_KEY = `sk_live_SENTINEL${randomBytes(12).toString('hex')}`;
const WRONG_KEY = `wrong-key-${randomBytes(8).toString('hex')}`;
/** A well-formed key the instance does not know: the edge answers it with a flat 404, as for another workspace's key. */
const OTHER_WORKSPACE_KEY = `sk_live_OTHER${randomBytes(12).toString('hex')}`;
const SECRET = randomBytes(32).toString('base64url');
const ALLOWED_ORIGIN = 'https://shop.example';
const SIM_HEADERS = ['x-agent37-sim-fault', 'x-agent37-sim-pace'];

/** Everything the relay sent back (status line, headers, body) and every line it logged. */
const transcript: string[] = [];
const relayLog: string[] = [];

interface UpstreamCall {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
  signal: AbortSignal | undefined;
}
const upstreamCalls: UpstreamCall[] = [];
const watchedFetch: typeof fetch = (input, init) => {
  upstreamCalls.push({
    url: String(input),
    method: init?.method ?? 'GET',
    headers: new Headers(init?.headers),
    body: init?.body,
    signal: init?.signal ?? undefined,
  });
  return fetch(input, init);
};

let simulator: Simulator;
let server: Server;
let base: string;

before(async () => {
  simulator = await createSimulator({ key: SENTINEL_KEY, pace: 'fast', faults: true, keepaliveMs: 1000 });
  const closedPort = await unusedPort();
  const common = { secret: SECRET, log: (line: string) => relayLog.push(line), forwardHeaders: SIM_HEADERS };
  const relay = toNodeHandler(
    createRelay({ ...common, instanceUrl: simulator.url, apiKey: SENTINEL_KEY, basePath: '/api/agent37', allowedOrigins: [ALLOWED_ORIGIN], fetch: watchedFetch }),
  );
  const unreachable = toNodeHandler(
    createRelay({ ...common, instanceUrl: `http://127.0.0.1:${closedPort}`, apiKey: SENTINEL_KEY, basePath: '/unreachable' }),
  );
  const wrongKey = toNodeHandler(createRelay({ ...common, instanceUrl: simulator.url, apiKey: WRONG_KEY, basePath: '/wrong-key' }));
  const otherWorkspace = toNodeHandler(
    createRelay({ ...common, instanceUrl: simulator.url, apiKey: OTHER_WORKSPACE_KEY, basePath: '/other-workspace' }),
  );
  const token = toNodeHandler(
    createTokenHandler({ secret: SECRET, apiBase: '/api/agent37', authenticate: (request) => request.headers.get('x-test-user') }),
  );
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/api/agent37/token') return void token(req, res);
    if (path.startsWith('/unreachable/')) return void unreachable(req, res);
    if (path.startsWith('/wrong-key/')) return void wrongKey(req, res);
    if (path.startsWith('/other-workspace/')) return void otherWorkspace(req, res);
    void relay(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await simulator.close();
});

// ---------------------------------------------------------------------------------------------------

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const tokens = new Map<string, string>();
async function tokenFor(user: string): Promise<string> {
  const cached = tokens.get(user);
  if (cached) return cached;
  const response = await fetch(`${base}/api/agent37/token`, { method: 'POST', headers: { 'x-test-user': user } });
  assert.equal(response.status, 200);
  const { token } = (await response.json()) as { token: string };
  tokens.set(user, token);
  return token;
}

function record(response: Response, body: string): void {
  transcript.push(`${response.status} ${[...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}\n\n${body}`);
}

interface CallOptions {
  user?: string;
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

async function requestInit(method: string, options: CallOptions): Promise<RequestInit> {
  const token = options.token === undefined ? await tokenFor(options.user ?? 'alice') : options.token;
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  return { method, headers, ...(body === undefined ? {} : { body }) };
}

/** One relay call, read whole and added to the transcript. */
async function call(method: string, path: string, options: CallOptions = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(base + path, await requestInit(method, options));
  const text = await response.text();
  record(response, text);
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

interface SseEvent {
  event: string;
  data: any;
}

/** A streaming call read event by event; the raw text goes to the transcript as it arrives. */
async function openStream(method: string, path: string, options: CallOptions & { signal?: AbortSignal } = {}) {
  const response = await fetch(base + path, { ...(await requestInit(method, options)), ...(options.signal ? { signal: options.signal } : {}) });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  record(response, '');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const queue: SseEvent[] = [];
  const parser = createParser({ onEvent: (message) => queue.push({ event: message.event ?? 'message', data: JSON.parse(message.data) }) });
  return {
    response,
    /** The next event, or null when the stream ended. */
    async next(): Promise<SseEvent | null> {
      while (queue.length === 0) {
        const { done, value } = await reader.read();
        if (done) return null;
        const text = decoder.decode(value, { stream: true });
        transcript.push(text);
        parser.feed(text);
      }
      return queue.shift()!;
    },
    async rest(): Promise<SseEvent[]> {
      const events: SseEvent[] = [];
      for (let event = await this.next(); event; event = await this.next()) events.push(event);
      return events;
    },
  };
}

/** Runs one whole streamed turn as `user`; answers the ids from response.created. */
async function turn(user: string, input = 'Hello there', sessionId?: string): Promise<{ id: string; sessionId: string; events: SseEvent[] }> {
  const stream = await openStream('POST', '/api/agent37/v1/responses', {
    user,
    body: { input, stream: true, ...(sessionId ? { session_id: sessionId } : {}) },
  });
  const events = await stream.rest();
  assert.equal(events[0]?.event, 'response.created');
  assert.equal(events.at(-1)?.event, 'response.completed');
  return { id: events[0]!.data.id, sessionId: events[0]!.data.session_id, events };
}

/** Calls straight to the simulator, bypassing the relay (not part of the transcript). */
async function direct(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(simulator.url + path, {
    method,
    headers: { 'x-agent37-key': SENTINEL_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function assertGatewayError(answer: { status: number; json: any }, status: number, code: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.json));
  assert.equal(answer.json?.error?.code, code);
  assert.equal(typeof answer.json.error.message, 'string');
  assert.ok(answer.json.error.message.length > 0);
}

// ---------------------------------------------------------------------------------------------------

describe('relay: tokens', () => {
  const claims = { sub: 'alice' };
  const key = new TextEncoder().encode(SECRET);

  async function modelsWith(token: string | null) {
    const before = upstreamCalls.length;
    const answer = await call('GET', '/api/agent37/v1/models', { token });
    assertGatewayError(answer, 401, 'invalid_token');
    assert.equal(upstreamCalls.length, before, 'a rejected token must not reach the instance');
    return answer;
  }

  it('accepts a token from the token endpoint', async () => {
    const answer = await call('GET', '/api/agent37/v1/models', { user: 'alice' });
    assert.equal(answer.status, 200);
    assert.ok(Array.isArray(answer.json.data));
  });

  it('rejects a missing token', async () => {
    const answer = await modelsWith(null);
    assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  it('rejects a token signed with another secret (forged)', async () => {
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('agent37-chat')
      .setAudience('agent37-chat-relay')
      .setExpirationTime('10m')
      .sign(randomBytes(32));
    await modelsWith(forged);
  });

  it('rejects a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await tokenFor('alice')).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', iss: 'agent37-chat', aud: 'agent37-chat-relay', exp: Date.now() / 1000 + 600 })).toString('base64url');
    await modelsWith(`${header}.${payload}.${signature}`);
  });

  it('rejects an expired token, saying so', async () => {
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('agent37-chat')
      .setAudience('agent37-chat-relay')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 700)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 100)
      .sign(key);
    const answer = await modelsWith(expired);
    assert.match(answer.json.error.message, /expired/i);
  });

  it('rejects alg: none', async () => {
    const unsigned = new UnsecuredJWT(claims).setIssuer('agent37-chat').setAudience('agent37-chat-relay').setExpirationTime('10m').encode();
    await modelsWith(unsigned);
  });

  it('rejects a token for another audience or issuer', async () => {
    for (const [issuer, audience] of [
      ['agent37-chat', 'some-other-api'],
      ['someone-else', 'agent37-chat-relay'],
    ] as const) {
      const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience(audience).setExpirationTime('10m').sign(key);
      await modelsWith(token);
    }
  });

  it('never sends the browser token or cookies upstream, only the key (both headers)', async () => {
    const before = upstreamCalls.length;
    const answer = await call('GET', '/api/agent37/v1/health', { user: 'alice', headers: { cookie: 'session=browser-cookie' } });
    assert.equal(answer.status, 200);
    const sent = upstreamCalls.slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.headers.get('x-agent37-key'), SENTINEL_KEY);
    assert.equal(sent[0]!.headers.get('authorization'), `Bearer ${SENTINEL_KEY}`);
    assert.equal(sent[0]!.headers.get('cookie'), null);
    assert.equal(sent[0]!.url, `${simulator.url}/v1/health`);
  });
});

describe('relay: routes', () => {
  it('answers 404 to anything outside the allow-list without touching the instance', async () => {
    const before = upstreamCalls.length;
    const refused: [string, string][] = [
      ['GET', '/api/agent37/v1/version'],
      ['GET', '/api/agent37/v1/admin'],
      ['GET', '/api/agent37/v1/responses'],
      ['POST', '/api/agent37/v1/sessions'],
      ['PUT', '/api/agent37/v1/sessions/abc'],
      ['GET', '/api/agent37/v1/sessions/abc/history'],
      ['GET', '/api/agent37/v1/sessions/%2e%2e'],
      ['GET', '/api/agent37/v2/models'],
      ['GET', '/api/agent37/models'],
    ];
    for (const [method, path] of refused) {
      const answer = await call(method, path, { user: 'alice' });
      assertGatewayError(answer, 404, 'not_found');
    }
    assert.equal(upstreamCalls.length, before);
  });

  it('passes the simulator switches through when told to (forwardHeaders)', async () => {
    const answer = await call('GET', '/api/agent37/v1/models', { user: 'alice', headers: { 'x-agent37-sim-fault': 'status=503,retry-after=7' } });
    assertGatewayError(answer, 503, 'agent_unavailable');
    assert.equal(answer.headers.get('retry-after'), '7');
  });
});

describe('relay: ownership', () => {
  let alice: { id: string; sessionId: string };

  before(async () => {
    alice = await turn('alice', 'Tell me about streaming');
  });

  it('lets the owner read, stream and cancel their own session and response', async () => {
    const session = await call('GET', `/api/agent37/v1/sessions/${alice.sessionId}`, { user: 'alice' });
    assert.equal(session.status, 200);
    assert.equal(session.json.id, alice.sessionId);
    // the user's message, then the answer (Hermes may add interim assistant texts between)
    assert.equal(session.json.history[0].role, 'user');
    assert.equal(session.json.history.at(-1).role, 'assistant');

    const replay = await openStream('GET', `/api/agent37/v1/responses/${alice.id}/stream`, { user: 'alice' });
    const events = await replay.rest();
    assert.equal(events[0]?.data.id, alice.id);
    assert.equal(events.at(-1)?.event, 'response.completed');

    const cancel = await call('POST', `/api/agent37/v1/responses/${alice.id}/cancel`, { user: 'alice' });
    assert.equal(cancel.status, 200);
    assert.equal(cancel.json.status, 'completed');
  });

  it("answers 404 to another user reading, renaming, deleting, streaming or cancelling it", async () => {
    const untouched = (await direct('GET', `/v1/sessions/${alice.sessionId}`)).json;
    const before = upstreamCalls.length;
    const sessionPath = `/api/agent37/v1/sessions/${alice.sessionId}`;
    const responsePath = `/api/agent37/v1/responses/${alice.id}`;
    assertGatewayError(await call('GET', sessionPath, { user: 'bob' }), 404, 'session_not_found');
    assertGatewayError(await call('PATCH', sessionPath, { user: 'bob', body: { title: 'mine now' } }), 404, 'session_not_found');
    assertGatewayError(await call('DELETE', sessionPath, { user: 'bob' }), 404, 'session_not_found');
    assertGatewayError(await call('GET', `${responsePath}/stream`, { user: 'bob' }), 404, 'response_not_found');
    assertGatewayError(await call('POST', `${responsePath}/cancel`, { user: 'bob' }), 404, 'response_not_found');
    assertGatewayError(await call('GET', responsePath, { user: 'bob' }), 404, 'response_not_found');
    assertGatewayError(
      await call('POST', '/api/agent37/v1/responses', { user: 'bob', body: { input: 'hijack', session_id: alice.sessionId, stream: true } }),
      404,
      'session_not_found',
    );
    assert.equal(upstreamCalls.length, before, "another user's ids must not reach the instance");

    // nothing happened to alice's conversation
    const session = await direct('GET', `/v1/sessions/${alice.sessionId}`);
    assert.equal(session.status, 200);
    assert.deepEqual(session.json.history, untouched.history);
    assert.notEqual(session.json.title, 'mine now');
  });

  it('refuses a session id nobody owns without reaching the instance', async () => {
    const before = upstreamCalls.length;
    const made = await direct('POST', '/v1/responses', { input: 'made without the relay' });
    assert.equal(made.status, 200);
    for (const sessionId of [made.json.session_id, 'f'.repeat(32)]) {
      const answer = await call('POST', '/api/agent37/v1/responses', { user: 'alice', body: { input: 'hi', session_id: sessionId } });
      assertGatewayError(answer, 404, 'session_not_found');
    }
    assert.equal(upstreamCalls.length, before);
  });

  it('lets the owner continue, rename and delete their session', async () => {
    const second = await turn('alice', 'And one more thing', alice.sessionId);
    assert.equal(second.sessionId, alice.sessionId);
    const renamed = await call('PATCH', `/api/agent37/v1/sessions/${alice.sessionId}`, { user: 'alice', body: { title: 'Streaming notes' } });
    assert.equal(renamed.status, 200);
    assert.equal((await direct('GET', `/v1/sessions/${alice.sessionId}`)).json.title, 'Streaming notes');
    const deleted = await call('DELETE', `/api/agent37/v1/sessions/${alice.sessionId}`, { user: 'alice' });
    assert.equal(deleted.status, 200);
    // gone: the first revision answers 404, the newer one an empty history
    const gone = await direct('GET', `/v1/sessions/${alice.sessionId}`);
    assert.ok(gone.status === 404 || gone.json.history.length === 0, JSON.stringify(gone));
  });

  it('records sessions created by a non-streaming reply too', async () => {
    const answer = await call('POST', '/api/agent37/v1/responses', { user: 'carol', body: { input: 'no stream please [chars=40]' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.status, 'completed');
    assert.equal(answer.json.output_text.length, 40);
    assert.equal((await call('GET', `/api/agent37/v1/sessions/${answer.json.session_id}`, { user: 'carol' })).status, 200);
    assertGatewayError(await call('GET', `/api/agent37/v1/sessions/${answer.json.session_id}`, { user: 'bob' }), 404, 'session_not_found');
    assert.equal((await call('POST', `/api/agent37/v1/responses/${answer.json.id}/cancel`, { user: 'carol' })).status, 200);
  });

  it("filters the session list to the caller's own", async () => {
    const dave = [await turn('dave', 'first'), await turn('dave', 'second')];
    const erin = await turn('erin', 'third');
    await direct('POST', '/v1/responses', { input: 'someone outside the relay' });
    const everything = await direct('GET', '/v1/sessions');
    assert.ok(everything.json.data.length >= 5);

    const daves = await call('GET', '/api/agent37/v1/sessions', { user: 'dave' });
    assert.equal(daves.status, 200);
    assert.deepEqual(daves.json.data.map((session: { id: string }) => session.id).sort(), dave.map((t) => t.sessionId).sort());
    const erins = await call('GET', '/api/agent37/v1/sessions', { user: 'erin' });
    assert.deepEqual(erins.json.data.map((session: { id: string }) => session.id), [erin.sessionId]);
    const nobody = await call('GET', '/api/agent37/v1/sessions', { user: 'frank' });
    assert.deepEqual(nobody.json.data, []);
  });
});

describe('relay: body limit', () => {
  const tooBig = JSON.stringify({ input: 'x'.repeat(2 * 1024 * 1024) });

  it('refuses a body over 2 MB with 413 before anything goes upstream', async () => {
    const before = upstreamCalls.length;
    const answer = await call('POST', '/api/agent37/v1/responses', { user: 'alice', body: tooBig });
    assertGatewayError(answer, 413, 'payload_too_large');
    assert.equal(upstreamCalls.length, before);
  });

  it('counts the bytes of a body sent without Content-Length', async () => {
    const before = upstreamCalls.length;
    const bytes = new TextEncoder().encode(tooBig);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024) controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
        controller.close();
      },
    });
    const response = await fetch(`${base}/api/agent37/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor('alice')}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    const text = await response.text();
    record(response, text);
    assertGatewayError({ status: response.status, json: JSON.parse(text) }, 413, 'payload_too_large');
    assert.equal(upstreamCalls.length, before);
  });

  it('lets a large body under the limit through', async () => {
    const input = `${'y'.repeat(1_500_000)} [chars=12]`;
    const answer = await call('POST', '/api/agent37/v1/responses', { user: 'alice', body: { input } });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.output_text.length, 12);
  });
});

describe('relay: CORS', () => {
  const preflight = (origin: string) =>
    fetch(`${base}/api/agent37/v1/responses`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });

  it('answers the preflight of an allowed origin', async () => {
    const response = await preflight(ALLOWED_ORIGIN);
    record(response, await response.text());
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /\bauthorization\b/);
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /\bcontent-type\b/);
  });

  it('refuses the preflight of any other origin', async () => {
    const response = await preflight('https://evil.example');
    const text = await response.text();
    record(response, text);
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.equal(JSON.parse(text).error.code, 'origin_not_allowed');
  });

  it('adds CORS headers to answers for an allowed origin only', async () => {
    const allowed = await call('GET', '/api/agent37/v1/models', { user: 'alice', headers: { origin: ALLOWED_ORIGIN } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /retry-after/i);
    const refused = await call('GET', '/api/agent37/v1/models', { user: 'alice', headers: { origin: 'https://evil.example' } });
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    const unauthorized = await call('GET', '/api/agent37/v1/models', { token: null, headers: { origin: ALLOWED_ORIGIN } });
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN, 'the widget must be able to read a 401');
  });
});

describe('relay: streaming', () => {
  it('passes the first event through before the turn ends', async () => {
    const stream = await openStream('POST', '/api/agent37/v1/responses', {
      user: 'alice',
      body: { input: 'Explain streaming slowly', stream: true },
      headers: { 'x-agent37-sim-pace': '100' },
    });
    assert.equal(stream.response.headers.get('cache-control'), 'no-cache, no-transform');
    const first = await stream.next();
    assert.equal(first?.event, 'response.created');
    // at the instance, the turn is still running when the browser already holds its first event
    const live = await direct('GET', `/v1/sessions/${first!.data.session_id}`);
    assert.equal(live.json.active_response_id, first!.data.id);

    const cancel = await call('POST', `/api/agent37/v1/responses/${first!.data.id}/cancel`, { user: 'alice' });
    assert.equal(cancel.status, 200);
    // the current object: the newer gateway answers before the turn has stopped
    assert.ok(['cancelled', 'in_progress'].includes(cancel.json.status), cancel.json.status);
    const rest = await stream.rest();
    assert.equal(rest.at(-1)?.event, 'response.completed');
    assert.equal((await direct('POST', `/v1/responses/${first!.data.id}/cancel`)).json.status, 'cancelled');
  });

  it('aborts the upstream request when the client goes away', async () => {
    const client = new AbortController();
    const before = upstreamCalls.length;
    const stream = await openStream('POST', '/api/agent37/v1/responses', {
      user: 'alice',
      body: { input: 'A long answer I will not wait for', stream: true },
      headers: { 'x-agent37-sim-pace': '100' },
      signal: client.signal,
    });
    const first = await stream.next();
    assert.equal(first?.event, 'response.created');
    const upstream = upstreamCalls[before]!;
    assert.equal(upstream.signal?.aborted, false);

    client.abort();
    await waitFor(() => upstream.signal?.aborted === true, 'the upstream fetch to be aborted');
    // the turn itself goes on at the instance (a disconnect is not a cancel); stop it for tidiness
    await direct('POST', `/v1/responses/${first!.data.id}/cancel`);
  });

  it('answers a busy session with 409 and lets the owner reattach to the running response', async () => {
    const running = await openStream('POST', '/api/agent37/v1/responses', {
      user: 'gina',
      body: { input: 'Keep going for a while', stream: true },
      headers: { 'x-agent37-sim-pace': '100' },
    });
    const created = (await running.next())!.data;
    const busy = await call('POST', '/api/agent37/v1/responses', { user: 'gina', body: { input: 'again', session_id: created.session_id, stream: true } });
    assertGatewayError(busy, 409, 'session_busy');
    assert.equal(busy.json.error.response_id, created.id);
    const reattached = await openStream('GET', `/api/agent37/v1/responses/${created.id}/stream`, { user: 'gina' });
    assert.equal((await reattached.next())?.data.id, created.id);
    await call('POST', `/api/agent37/v1/responses/${created.id}/cancel`, { user: 'gina' });
    assert.equal((await reattached.rest()).at(-1)?.event, 'response.completed');
    assert.equal((await running.rest()).at(-1)?.event, 'response.completed');
  });
});

describe('relay: instance problems', () => {
  it('maps an unreachable instance to 502 upstream_unreachable', async () => {
    const answer = await call('GET', '/unreachable/v1/models', { user: 'alice' });
    assertGatewayError(answer, 502, 'upstream_unreachable');
    assert.ok(relayLog.some((line) => /upstream unreachable \(ECONNREFUSED\)/.test(line)), relayLog.join('\n'));
  });

  it('maps the instance refusing the relay key to 502, not to a 401 the widget would take for its token', async () => {
    const answer = await call('GET', '/wrong-key/v1/models', { user: 'alice' });
    assertGatewayError(answer, 502, 'upstream_auth_failed');
  });
});

describe('relay: what it forwards and answers', () => {
  it('forwards the body it checked: a duplicated session_id names only the session the check saw', async () => {
    const alices = await turn('alice', 'Mine alone');
    const bobs = await turn('bob', 'Mine too');
    const alicesHistory = (await direct('GET', `/v1/sessions/${alices.sessionId}`)).json.history;
    const before = upstreamCalls.length;
    // JSON.parse keeps the last duplicate; a parser keeping the first would read alice's session
    const raw = `{"input":"who am I talking to","session_id":"${alices.sessionId}","session_id":"${bobs.sessionId}"}`;
    const answer = await call('POST', '/api/agent37/v1/responses', { user: 'bob', body: raw, headers: { 'content-type': 'text/plain' } });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.session_id, bobs.sessionId);
    const sent = upstreamCalls.slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.headers.get('content-type'), 'application/json');
    const body = String(sent[0]!.body);
    assert.deepEqual(JSON.parse(body), { input: 'who am I talking to', session_id: bobs.sessionId });
    assert.equal(body.includes(alices.sessionId), false, "alice's session id must not reach the instance");
    assert.deepEqual((await direct('GET', `/v1/sessions/${alices.sessionId}`)).json.history, alicesHistory, "alice's conversation is untouched");
  });

  it('answers a filtered session list with only its data (and the agent it lists)', async () => {
    const answer = await call('GET', '/api/agent37/v1/sessions', { user: 'alice' });
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.json).filter((key) => key !== 'agent'), ['data']);
  });

  it('marks every relayed JSON answer no-store (lists and histories are per user); SSE stays no-cache', async () => {
    const mine = await turn('alice', 'Cache me not');
    for (const path of ['/v1/models', '/v1/health', '/v1/sessions', `/v1/sessions/${mine.sessionId}`]) {
      const answer = await call('GET', `/api/agent37${path}`, { user: 'alice' });
      assert.equal(answer.status, 200, path);
      assert.equal(answer.headers.get('cache-control'), 'no-store', path);
    }
    const cancelled = await call('POST', `/api/agent37/v1/responses/${mine.id}/cancel`, { user: 'alice' });
    assert.equal(cancelled.headers.get('cache-control'), 'no-store');
    const replay = await openStream('GET', `/api/agent37/v1/responses/${mine.id}/stream`, { user: 'alice' });
    assert.equal(replay.response.headers.get('cache-control'), 'no-cache, no-transform');
    await replay.rest();
  });

  it('answers a preflight for a path it does not serve with 404', async () => {
    for (const path of ['/api/agent37/v2/models', '/api/agent37/elsewhere']) {
      const response = await fetch(base + path, {
        method: 'OPTIONS',
        headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' },
      });
      const text = await response.text();
      record(response, text);
      assert.equal(response.status, 404, path);
      assert.equal(JSON.parse(text).error.code, 'not_found');
    }
  });

  it("keeps the gateway's own 404s (session_not_found) as they are", async () => {
    // the first revision answers a deleted session with 404 (the newer one with an empty history)
    const first = await createSimulator({ key: SENTINEL_KEY, pace: 'fast', revision: 'first' });
    after(() => first.close());
    const url = await serveAlone(createRelay({ instanceUrl: first.url, apiKey: SENTINEL_KEY, secret: SECRET }));
    const headers = { authorization: `Bearer ${await tokenFor('alice')}`, 'content-type': 'application/json' };
    const made = await fetch(`${url}/v1/responses`, { method: 'POST', headers, body: JSON.stringify({ input: 'Soon gone [chars=5]' }) });
    const { session_id: sessionId } = (await made.json()) as { session_id: string };
    const deleted = await fetch(`${first.url}/v1/sessions/${sessionId}`, { method: 'DELETE', headers: { 'x-agent37-key': SENTINEL_KEY } });
    assert.equal(deleted.status, 200);
    const gone = await fetch(`${url}/v1/sessions/${sessionId}`, { headers });
    assertGatewayError({ status: gone.status, json: await gone.json() }, 404, 'session_not_found');
  });
});

describe('relay: a key of another workspace', () => {
  it("maps the edge's flat 404 on id-free routes to 502 upstream_auth_failed", async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', '/other-workspace/v1/models'],
      ['GET', '/other-workspace/v1/health'],
      ['GET', '/other-workspace/v1/sessions'],
      ['POST', '/other-workspace/v1/responses', { input: 'hello' }],
      ['POST', '/other-workspace/v1/responses', { input: 'hello', stream: true }],
    ];
    for (const [method, path, body] of calls) {
      const answer = await call(method, path, { user: 'alice', ...(body === undefined ? {} : { body }) });
      assertGatewayError(answer, 502, 'upstream_auth_failed');
    }
    assert.ok(relayLog.some((line) => /does not know the relay's API key/.test(line)), relayLog.join('\n'));
  });
});

describe('relay: the key', () => {
  it('never shows the key in any byte the relay returned or logged', () => {
    assert.ok(transcript.length > 50, 'the transcript should hold every call above');
    assert.ok(relayLog.length > 50, 'the relay should have logged every call above');
    const everything = transcript.join('\n');
    const logged = relayLog.join('\n');
    for (const secret of [SENTINEL_KEY, WRONG_KEY, OTHER_WORKSPACE_KEY, SENTINEL_KEY.slice(8), SECRET]) {
      assert.equal(everything.includes(secret), false, 'a secret appeared in a relay response');
      assert.equal(logged.includes(secret), false, 'a secret appeared in a relay log line');
    }
  });
});

describe('relay: redaction', () => {
  it('redacts the key should the instance ever echo it, in JSON, headers and a stream split mid-key', async () => {
    const key = 'sk_live_ECHOED_0123456789abcdef';
    const encoder = new TextEncoder();
    const echoingFetch: typeof fetch = async (input) => {
      const path = new URL(String(input)).pathname;
      if (path === '/v1/models') {
        return new Response(JSON.stringify({ error: { code: 'internal_error', message: `bad key ${key}` } }), {
          status: 500,
          headers: { 'content-type': 'application/json', 'retry-after': key },
        });
      }
      const frames = `event: response.created\ndata: {"id":"r1","session_id":"s1"}\n\nevent: response.output_text.delta\ndata: {"text":"${key}"}\n\n`;
      const cut = frames.indexOf(key) + 10;
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode(frames.slice(0, cut)));
            controller.enqueue(encoder.encode(frames.slice(cut)));
            controller.close();
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    };
    const relay: FetchHandler = createRelay({ instanceUrl: 'https://abcdefghij.agent37.app', apiKey: key, secret: SECRET, fetch: echoingFetch });
    const token = await tokenFor('alice');
    const models = await relay(new Request('http://relay.test/v1/models', { headers: { authorization: `Bearer ${token}` } }));
    const modelsText = await models.text();
    assert.equal(models.status, 500);
    assert.match(modelsText, /bad key \[redacted\]/);
    assert.equal(models.headers.get('retry-after'), '[redacted]');

    const stream = await relay(
      new Request('http://relay.test/v1/responses', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ input: 'hi', stream: true }),
      }),
    );
    const streamText = await stream.text();
    assert.equal(streamText.includes(key), false);
    assert.match(streamText, /"text":"\[redacted\]"/);
    assert.match(streamText, /^event: response\.created\n/);
  });
});

/** Serves one relay on its own port, for relays with a stubbed store or fetch. */
async function serveAlone(relay: FetchHandler): Promise<string> {
  const alone = createServer(toNodeHandler(relay));
  await new Promise<void>((resolve) => alone.listen(0, '127.0.0.1', resolve));
  after(async () => {
    alone.closeAllConnections();
    await new Promise((resolve) => alone.close(resolve));
  });
  return `http://127.0.0.1:${(alone.address() as AddressInfo).port}`;
}

describe('relay: its own failures', () => {
  it('answers 500 internal_error in the gateway shape when the ownership store throws, without the key anywhere', async () => {
    const key = SENTINEL_KEY;
    const lines: string[] = [];
    const broken = {
      claim: async () => {
        throw new Error(`store down (connecting with ${key})`);
      },
      owners: async () => {
        throw new Error(`store down (connecting with ${key})`);
      },
      sessionsOf: async () => {
        throw new Error(`store down (connecting with ${key})`);
      },
      release: async () => {
        throw new Error(`store down (connecting with ${key})`);
      },
    };
    const relay = createRelay({ instanceUrl: simulator.url, apiKey: key, secret: SECRET, store: broken, log: (line) => lines.push(line) });
    const url = await serveAlone(relay);
    const token = await tokenFor('alice');
    for (const [method, path, body] of [
      ['GET', '/v1/sessions', undefined],
      ['GET', `/v1/sessions/${'a'.repeat(32)}`, undefined],
      ['POST', '/v1/responses', JSON.stringify({ input: 'hi', session_id: 'b'.repeat(32) })],
    ] as const) {
      const response = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      assertGatewayError({ status: response.status, json: JSON.parse(text) }, 500, 'internal_error');
      assert.equal(text.includes(key), false);
      assert.equal([...response.headers].join('\n').includes(key), false);
    }
    assert.ok(lines.some((line) => /internal error/.test(line)), lines.join('\n'));
    assert.equal(lines.join('\n').includes(key), false, 'the key must not reach the log');
  });

  it('answers 502 upstream_unreachable when the instance answer breaks off while it is read', async () => {
    const brokenBody: typeof fetch = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"data":['));
            controller.error(new TypeError('terminated'));
          },
        }),
        { headers: { 'content-type': 'application/json' } },
      );
    const lines: string[] = [];
    const relay = createRelay({ instanceUrl: simulator.url, apiKey: SENTINEL_KEY, secret: SECRET, fetch: brokenBody, log: (line) => lines.push(line) });
    const url = await serveAlone(relay);
    const response = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${await tokenFor('alice')}` } });
    assertGatewayError({ status: response.status, json: await response.json() }, 502, 'upstream_unreachable');
    assert.equal(lines.join('\n').includes(SENTINEL_KEY), false);
  });
});

describe('relay: the api key setting', () => {
  it('trims a key read with a trailing newline: it works, and it is redacted', async () => {
    const relay = createRelay({ instanceUrl: simulator.url, apiKey: `${SENTINEL_KEY}\n`, secret: SECRET });
    const url = await serveAlone(relay);
    const token = await tokenFor('alice');
    const models = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(models.status, 200);

    const key = 'sk_live_NEWLINE_0123456789abcdef';
    const echo: typeof fetch = async () =>
      new Response(JSON.stringify({ error: { code: 'internal_error', message: `bad key ${key}` } }), { status: 500, headers: { 'content-type': 'application/json' } });
    const echoing = createRelay({ instanceUrl: 'https://abcdefghij.agent37.app', apiKey: ` ${key}\r\n`, secret: SECRET, fetch: echo });
    const answer = await (await fetch(`${await serveAlone(echoing)}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).text();
    assert.match(answer, /bad key \[redacted\]/);
  });

  it('refuses at creation a key with whitespace or control characters inside, without quoting it', () => {
    for (const apiKey of ['sk_live_abc def0123456', 'sk_live_abc\ndef0123456', 'sk_live_abc\u0000def0123456']) {
      assert.throws(
        () => createRelay({ instanceUrl: simulator.url, apiKey, secret: SECRET }),
        (error: Error) => /whitespace or control characters/.test(error.message) && !error.message.includes('abc'),
      );
    }
  });
});

describe('MemoryOwnershipStore: sessions stay bounded', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('forgets a session after its idle TTL; each use refreshes it', async () => {
    const store = new MemoryOwnershipStore({ sessionIdleTtlMs: 300 });
    await store.claim('session', 'used', 'alice');
    await store.claim('session', 'idle', 'alice');
    await sleep(180);
    assert.deepEqual(await store.owners('session', ['used']), ['alice']);
    await sleep(180);
    assert.deepEqual(await store.owners('session', ['used', 'idle']), ['alice', null]);
    await sleep(350);
    assert.deepEqual(await store.owners('session', ['used']), [null]);
  });

  it('keeps at most maxSessions, dropping the least recently used', async () => {
    const store = new MemoryOwnershipStore({ maxSessions: 2 });
    await store.claim('session', 'a', 'alice');
    await store.claim('session', 'b', 'bob');
    await store.owners('session', ['a']);
    await store.claim('session', 'c', 'carol');
    assert.deepEqual(await store.owners('session', ['a', 'b', 'c']), ['alice', null, 'carol']);
    assert.equal(await store.claim('session', 'a', 'mallory'), 'alice', 'a claim never reassigns a kept session');
  });

  it('behind a relay, a dropped session is a 404 like an unknown one', async () => {
    const relay = createRelay({ instanceUrl: simulator.url, apiKey: SENTINEL_KEY, secret: SECRET, store: new MemoryOwnershipStore({ maxSessions: 1 }) });
    const url = await serveAlone(relay);
    const headers = { authorization: `Bearer ${await tokenFor('alice')}`, 'content-type': 'application/json' };
    const start = async () => {
      const response = await fetch(`${url}/v1/responses`, { method: 'POST', headers, body: JSON.stringify({ input: 'hi [chars=5]' }) });
      return ((await response.json()) as { session_id: string }).session_id;
    };
    const first = await start();
    const second = await start();
    assert.equal((await fetch(`${url}/v1/sessions/${second}`, { headers })).status, 200);
    const dropped = await fetch(`${url}/v1/sessions/${first}`, { headers });
    assertGatewayError({ status: dropped.status, json: await dropped.json() }, 404, 'session_not_found');
  });
});
