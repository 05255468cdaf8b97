/**
 * For relay tests against a small fake upstream (a node:http server that records exactly what the relay
 * sent and answers what a test tells it to) or the real simulator, each behind a relay on its own port.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { createParser } from 'eventsource-parser';
import { createRelay, toNodeHandler, type RelayOptions } from '../../src/server/index.js';
import { secretKey, signRelayToken } from '../../src/server/relay-token.js';

export const API_KEY = `sk_live_RELAYTEST${randomBytes(12).toString('hex')}`;
/** The token secret every relay of these tests shares. */
export const SECRET = randomBytes(32).toString('base64url');
export const HEX32 = /^[0-9a-f]{32}$/;

export function hex32(): string {
  return randomBytes(16).toString('hex');
}

/** One request as it reached the upstream. */
export interface SeenRequest {
  method: string;
  path: string;
  /** the raw query string, '' for none */
  search: string;
  body: any;
}

/** How the fake answers one POST /v1/responses. */
export type PostAnswer = (seen: SeenRequest, res: ServerResponse, fake: FakeUpstream) => void | Promise<void>;

export interface FakeUpstream {
  url: string;
  seen: SeenRequest[];
  /** Every session a turn ran under; GET /v1/sessions lists them, plus one nobody behind the relay made. */
  sessions: Set<string>;
  /** How the next POSTs are answered, first in first out; once empty, each POST runs a short turn. */
  answers: PostAnswer[];
  posts(): SeenRequest[];
}

export async function startFakeUpstream(t: TestContext): Promise<FakeUpstream> {
  const fake: FakeUpstream = {
    url: '',
    seen: [],
    sessions: new Set([hex32()]),
    answers: [],
    posts: () => fake.seen.filter((seen) => seen.method === 'POST' && seen.path === '/v1/responses'),
  };
  const server = createServer(async (req, res) => {
    const seen = await readSeen(req);
    fake.seen.push(seen);
    if (seen.method === 'POST' && seen.path === '/v1/responses') return void (await (fake.answers.shift() ?? runTurn)(seen, res, fake));
    answerRead(seen, res, fake);
  });
  fake.url = await listenOn(t, server);
  return fake;
}

async function readSeen(req: IncomingMessage): Promise<SeenRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://upstream.test');
  return { method: req.method ?? 'GET', path: url.pathname, search: url.search, body: text ? JSON.parse(text) : undefined };
}

/** The reads, as the newer gateway answers them; `GET /v1/sessions` echoes `?agent=` and adds a count, as Hermes does. */
function answerRead(seen: SeenRequest, res: ServerResponse, fake: FakeUpstream): void {
  const [, , resource, id, action] = seen.path.split('/');
  if (resource === 'sessions' && id === undefined) {
    const agent = new URLSearchParams(seen.search).get('agent');
    const data = [...fake.sessions].map((session) => ({ id: session, title: null }));
    return json(res, 200, { ...(agent === null ? {} : { agent }), data, total: data.length, next_cursor: 'more' });
  }
  if (resource === 'sessions') return json(res, 200, seen.method === 'GET' ? { id, history: [], active_response_id: null } : { id });
  if (resource === 'responses' && action === 'stream') return sse(res, [['response.created', { id, session_id: hex32() }], completed()]);
  if (resource === 'responses' && action === 'cancel') return json(res, 200, { id, status: 'completed' });
  json(res, 200, resource === 'health' ? { ok: true } : { data: [] });
}

/** The default answer: a short turn under the session id sent, or a fresh one. */
export const runTurn: PostAnswer = (seen, res, fake) => {
  const sessionId = typeof seen.body?.session_id === 'string' ? seen.body.session_id : hex32();
  turnUnder(sessionId)(seen, res, fake);
};

/** A short turn under `sessionId` whatever was sent (an agent that answers with an id of its own). */
export function turnUnder(sessionId: string): PostAnswer {
  return (seen, res, fake) => {
    fake.sessions.add(sessionId);
    const id = hex32();
    if (seen.body?.stream === true) return sse(res, [['response.created', { id, session_id: sessionId }], ['response.output_text.delta', { text: 'Hi' }], completed()]);
    json(res, 200, { id, session_id: sessionId, status: 'completed', output_text: 'Hi', error: null });
  };
}

/** An error answer in the gateway's nested shape; no turn starts. */
export function refuse(status: number, error: { code: string; param?: string }): PostAnswer {
  return (_seen, res) => json(res, status, { error: { message: `refused (${error.code})`, ...error } });
}

/** Starts the turn, writes part of the `response.created` frame, then breaks the connection. */
export const cutInsideCreated: PostAnswer = (seen, res, fake) => {
  const sessionId = typeof seen.body?.session_id === 'string' ? seen.body.session_id : hex32();
  fake.sessions.add(sessionId);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`event: response.created\ndata: {"id":"${hex32()}","sess`, () => setTimeout(() => res.socket?.destroy(), 20));
};

/** Holds the POST unanswered until `release` resolves, then runs the turn. */
export function stalledUntil(release: Promise<void>): PostAnswer {
  return async (seen, res, fake) => {
    await release;
    runTurn(seen, res, fake);
  };
}

function completed(): [string, unknown] {
  return ['response.completed', { output_text: 'Hi', usage: null }];
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sse(res: ServerResponse, events: [string, unknown][]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(''));
}

/** Listens on a free port of 127.0.0.1 until the test ends; its base URL. */
export async function listenOn(t: TestContext, server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// ---------------------------------------------------------------------------------------------------

/** A relay in front of `instanceUrl` on its own port; answers a caller that speaks to it as a user. */
export async function serveRelay(t: TestContext, options: Partial<RelayOptions> & { instanceUrl: string }) {
  const lines: string[] = [];
  const relay = createRelay({ apiKey: API_KEY, secret: SECRET, log: (line) => lines.push(line), ...options });
  const base = await listenOn(t, createServer(toNodeHandler(relay)));
  return { base, lines, as: (user: string) => relayCaller(base, user) };
}

export type RelayCaller = ReturnType<typeof relayCaller>;

/** A token for `user`, as the token endpoint would issue it, for a test that makes its own requests. */
export async function tokenFor(user: string): Promise<string> {
  return (await signRelayToken(secretKey(SECRET), user, 600)).token;
}

function relayCaller(base: string, user: string) {
  const key = secretKey(SECRET);
  const init = async (method: string, body: unknown, headers: Record<string, string>): Promise<RequestInit> => {
    const { token } = await signRelayToken(key, user, 600);
    return {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
  };
  return {
    /** One call, read whole. */
    async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
      const response = await fetch(base + path, await init(method, body, headers));
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    },
    /** The response of a call, unread (a stream the test reads itself). */
    async open(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
      return fetch(base + path, await init(method, body, headers));
    },
  };
}

export interface SseEvent {
  event: string;
  data: any;
}

/** Every event of an SSE answer, read to its end. */
export async function readEvents(response: Response): Promise<SseEvent[]> {
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (message) => events.push({ event: message.event ?? 'message', data: JSON.parse(message.data) }) });
  parser.feed(await response.text());
  return events;
}

/** A fetch that records every body the relay sent upstream (the simulator does not tell). */
export function watchedFetch(): { fetch: typeof fetch; bodies: () => any[] } {
  const sent: { method: string; url: string; body: unknown }[] = [];
  return {
    fetch: (input, init) => {
      sent.push({ method: init?.method ?? 'GET', url: String(input), body: init?.body });
      return fetch(input, init);
    },
    bodies: () => sent.filter((call) => call.method === 'POST' && new URL(call.url).pathname === '/v1/responses').map((call) => JSON.parse(String(call.body))),
  };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function assertGatewayError(answer: { status: number; json: any }, status: number, code: string, param?: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.json));
  assert.equal(answer.json?.error?.code, code);
  if (param !== undefined) assert.equal(answer.json.error.param, param);
}
