/**
 * Shared by the client's browser tests: a fetch that only adds the simulator's fault/pace headers to
 * chosen requests (or cuts the page's side of a connection) and records every request it passes on
 * (never answers anything itself), and a
 * token source + API client wired to one of the test stack's same-origin prefixes.
 */
import { Agent37Api } from '../../src/client/api.js';
import { expect } from '@open-wc/testing';
import { Agent37Error } from '../../src/contract/errors.js';
import { TokenSource, type TokenSourceOptions } from '../../src/client/token.js';
import { ChatSession, type ChatSessionOptions, type ChatSnapshot } from '../../src/state/chat-session.js';
import type { AnswerPart, AssistantMessage, ToolStep } from '../../src/state/conversation-types.js';
import { createPersistence, type IdbPersistence } from '../../src/state/persistence.js';


export interface SeenRequest {
  method: string;
  /** path without origin, e.g. /api/agent37/v1/responses */
  path: string;
  /** the query string, e.g. `?agent=codex` ('' for none) */
  query: string;
  headers: Headers;
  credentials: RequestCredentials | undefined;
  /** the body when it was a string (the JSON bodies the client sends) */
  body: string | undefined;
  at: number;
}

export interface HeaderRule {
  /** which requests get the headers */
  when: (r: { method: string; path: string }) => boolean;
  fault?: string;
  pace?: string;
  /** how many matching requests get them (default: all) */
  times?: number;
  /** hold matching requests this long before sending them (network latency, nothing more) */
  delayMs?: number;
  /**
   * the browser's own connection breaks after this many bytes of the answer's body (the relay and
   * the simulator saw the whole exchange): a cut between the relay and the page, which a simulator
   * fault (upstream of the relay) cannot make
   */
  cutAfterBytes?: number;
  /** send this Authorization header instead (a token the relay refuses: a signed-out visitor) */
  authorization?: string;
}

export class RecordingFetch {
  readonly requests: SeenRequest[] = [];
  private rules: HeaderRule[] = [];

  /** pass to TokenSource / Agent37Api / ChatSession */
  readonly fetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const headers = new Headers(init?.headers);
    const path = url.pathname;
    let delayMs = 0;
    let cutAfterBytes: number | undefined;
    for (const rule of this.rules) {
      if (rule.times === 0 || !rule.when({ method, path })) continue;
      if (rule.times !== undefined) rule.times -= 1;
      if (rule.fault) headers.set('x-agent37-sim-fault', rule.fault);
      if (rule.pace) headers.set('x-agent37-sim-pace', rule.pace);
      if (rule.delayMs) delayMs = Math.max(delayMs, rule.delayMs);
      if (rule.authorization) headers.set('authorization', rule.authorization);
      if (rule.cutAfterBytes !== undefined) cutAfterBytes = rule.cutAfterBytes;
    }
    const body = typeof init?.body === 'string' ? init.body : undefined;
    this.requests.push({ method, path, query: url.search, headers, credentials: init?.credentials, body, at: performance.now() });
    const sent = delayMs > 0 ? sleep(delayMs).then(() => fetch(input, { ...init, headers })) : fetch(input, { ...init, headers });
    return cutAfterBytes === undefined ? sent : sent.then((response) => cut(response, cutAfterBytes));
  };

  add(rule: HeaderRule): this {
    this.rules.push(rule);
    return this;
  }

  clearRules(): void {
    this.rules = [];
  }

  count(method: string, pathEnd: string | RegExp): number {
    return this.requests.filter((r) => r.method === method && (typeof pathEnd === 'string' ? r.path.endsWith(pathEnd) : pathEnd.test(r.path))).length;
  }

  posts(): number {
    return this.count('POST', '/v1/responses');
  }
}

export const isPost = (r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith('/v1/responses');
export const isAttach = (r: { method: string; path: string }) => r.method === 'GET' && r.path.endsWith('/stream');
export const isCancel = (r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith('/cancel');
export const isSessionList = (r: { method: string; path: string }) => r.method === 'GET' && r.path.endsWith('/v1/sessions');
export const isSessionRead = (r: { method: string; path: string }) => r.method === 'GET' && /\/v1\/sessions\/[^/]+$/.test(r.path);

/** Stack prefixes: `/api/agent37` (faults on, fast), `/api/agent37-expiring` (1.5 s buffer, 4 s record), `/api/agent37-first`. */
export type StackPrefix =
  | '/api/agent37'
  | '/api/agent37-at-end'
  | '/api/agent37-first'
  | '/api/agent37-expiring'
  | '/api/agent37-expiring-at-end'
  | '/api/agent37-expiring-first';

export interface Client {
  net: RecordingFetch;
  tokens: TokenSource;
  api: Agent37Api;
  user: string;
}

/** A fresh user each time, so sessions of one test never meet another's. */
export function client(prefix: StackPrefix = '/api/agent37', o: Partial<TokenSourceOptions> & { user?: string; ttl?: number } = {}): Client {
  const net = new RecordingFetch();
  const user = o.user ?? `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const query = new URLSearchParams({ user, ...(o.ttl !== undefined ? { ttl: String(o.ttl) } : {}) });
  const tokens = new TokenSource({
    tokenUrl: `${prefix}/token?${query}`,
    fetch: net.fetch,
    ...(o.getToken ? { getToken: o.getToken } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.backoff ? { backoff: o.backoff } : {}),
  });
  const api = new Agent37Api({ tokens, fetch: net.fetch });
  return { net, tokens, api, user };
}

/** The response with its body erroring (as a dropped connection does) after `bytes` bytes. */
function cut(response: Response, bytes: number): Response {
  if (!response.body) return response;
  const reader = response.body.getReader();
  let left = bytes;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      if (value.byteLength < left) {
        left -= value.byteLength;
        return controller.enqueue(value);
      }
      if (left > 0) controller.enqueue(value.slice(0, left));
      left = 0;
      void reader.cancel();
      controller.error(new TypeError('network error (cut by the test)'));
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` until it holds; fails after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface HookLog {
  created: { id: string; sessionId: string }[];
  completed: AssistantMessage[];
  errors: Agent37Error[];
  sessions: (string | null)[];
  resumedMs: number[];
}

export interface Chat {
  session: ChatSession;
  persistence: IdbPersistence;
  hooks: HookLog;
  /** every status an assistant message went through, in order (consecutive repeats folded) */
  statuses: string[];
}

/** A ChatSession as the element builds one: persistence named from the token's api_base and `persistKey`. */
export async function chat(c: Client, persistKey: string, o: Partial<ChatSessionOptions> = {}): Promise<Chat> {
  const grant = await c.tokens.get();
  const persistence = createPersistence(grant.api_base, persistKey);
  const hooks: HookLog = { created: [], completed: [], errors: [], sessions: [], resumedMs: [] };
  const session = new ChatSession({
    api: c.api,
    persistence,
    request: () => ({}),
    ...o,
    hooks: {
      responseCreated: (id, sessionId) => hooks.created.push({ id, sessionId }),
      responseCompleted: (m) => hooks.completed.push(m),
      error: (e) => hooks.errors.push(e),
      sessionChange: (id) => hooks.sessions.push(id),
      resumed: (ms) => hooks.resumedMs.push(ms),
    },
  });
  const statuses: string[] = [];
  session.subscribe((s) => {
    const last = s.messages.at(-1);
    if (last?.role === 'assistant' && statuses.at(-1) !== last.status) statuses.push(last.status);
  });
  return { session, persistence, hooks, statuses };
}

/** Resolves with the snapshot once no turn runs (bounded). */
export async function idle(session: ChatSession, timeoutMs = 20_000): Promise<ChatSnapshot> {
  await until(() => !session.snapshot.busy && !session.snapshot.restoring, 'the turn to end', timeoutMs);
  return session.snapshot;
}

export function lastAnswer(session: ChatSession): AssistantMessage {
  const last = session.snapshot.messages.at(-1);
  if (last?.role !== 'assistant') throw new Error(`the last message is not an answer: ${JSON.stringify(last)}`);
  return last;
}

/** What a visitor can see of an answer, for comparing runs. */
export function visible(m: AssistantMessage): { text: string; reasoning: string; steps: ToolStep[]; parts: AnswerPart[]; status: string } {
  return { text: m.text, reasoning: m.reasoning, steps: m.steps, parts: m.parts, status: m.status };
}

/** The Agent37Error a promise rejects with; fails when it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<Agent37Error> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(Agent37Error);
    return e as Agent37Error;
  }
  throw new Error('expected a rejection');
}
