/**
 * Shared by the client's browser tests: a fetch that only adds the simulator's fault/pace headers to
 * chosen requests and records every request it passes on (never answers anything itself), and a
 * token source + API client wired to one of the test stack's same-origin prefixes.
 */
import { Agent37Api } from '../../src/client/api.js';
import { TokenSource, type TokenSourceOptions } from '../../src/client/token.js';

// mocha's globals, which web-test-runner provides in the page (the project has no @types/mocha)
declare global {
  interface MochaContext {
    timeout(ms: number): void;
  }
  function describe(name: string, body: () => void): void;
  function it(name: string, body: (this: MochaContext) => Promise<void> | void): void;
  function before(body: (this: MochaContext) => Promise<void> | void): void;
  function after(body: (this: MochaContext) => Promise<void> | void): void;
}

export interface SeenRequest {
  method: string;
  /** path without origin, e.g. /api/agent37/v1/responses */
  path: string;
  headers: Headers;
  credentials: RequestCredentials | undefined;
  at: number;
}

export interface HeaderRule {
  /** which requests get the headers */
  when: (r: { method: string; path: string }) => boolean;
  fault?: string;
  pace?: string;
  /** how many matching requests get them (default: all) */
  times?: number;
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
    for (const rule of this.rules) {
      if (rule.times === 0 || !rule.when({ method, path })) continue;
      if (rule.times !== undefined) rule.times -= 1;
      if (rule.fault) headers.set('x-agent37-sim-fault', rule.fault);
      if (rule.pace) headers.set('x-agent37-sim-pace', rule.pace);
    }
    this.requests.push({ method, path, headers, credentials: init?.credentials, at: performance.now() });
    return fetch(input, { ...init, headers });
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

/** Stack prefixes: `/api/agent37` (faults on, fast), `/api/agent37-expiring` (1.5 s buffer, 4 s record), `/api/agent37-first`. */
export type StackPrefix = '/api/agent37' | '/api/agent37-expiring' | '/api/agent37-first';

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
