/**
 * Where the widget's short-lived relay token comes from: the page's token endpoint (POST) or a
 * `getToken(previous)` function. Kept in memory only, refreshed ahead of expiry, one refresh at a
 * time however many callers ask, and never a tight loop against a failing endpoint.
 */
import { equalJitterDelay, interruptibleSleep, type BackoffOptions } from './backoff.js';
import type { TokenGrant } from '../contract/gateway.js';
import { Agent37Error } from '../contract/errors.js';

export interface TokenSourceOptions {
  tokenUrl?: string;
  getToken?: (previous: TokenGrant | null) => Promise<TokenGrant>;
  fetch?: typeof fetch;
  /** cookies on the token POST: 'same-origin' (default), 'include' for a token endpoint on another origin, or 'omit' */
  credentials?: RequestCredentials;
  /** delays between failed attempts; default base 1 s, cap 30 s */
  backoff?: BackoffOptions;
}

/** Refresh once less than this share of the token's lifetime is left... */
const REFRESH_SHARE = 0.1;
/** ...or less than this, whichever comes first for short tokens (min of the two). */
const REFRESH_MARGIN_MS = 60_000;

export class TokenSource {
  private readonly options: TokenSourceOptions;
  private readonly fetcher: typeof fetch;
  private readonly backoff: BackoffOptions;
  private grant: TokenGrant | null = null;
  /** when the current grant should be replaced (epoch ms) */
  private refreshAt = 0;
  private inflight: Promise<TokenGrant> | null = null;
  private failures = 0;
  private retryAt = 0;
  private readonly disposed = new AbortController();

  constructor(o: TokenSourceOptions) {
    if (!o.tokenUrl && !o.getToken) throw new Error('TokenSource needs a tokenUrl or a getToken function');
    this.options = o;
    const f = o.fetch;
    this.fetcher = f ? (input, init) => f(input, init) : (input, init) => fetch(input, init);
    this.backoff = o.backoff ?? { baseMs: 1000, capMs: 30_000 };
  }

  /** A token that is good for a while yet; refreshes (single flight) when it is not. */
  get(): Promise<TokenGrant> {
    if (this.grant && Date.now() < this.refreshAt) return Promise.resolve(this.grant);
    return this.fetchOnce();
  }

  /**
   * After a 401 with `rejected`: a fresh token. When another caller already replaced that token the
   * newer one is returned without asking again.
   */
  refresh(rejected?: string): Promise<TokenGrant> {
    if (this.grant && rejected !== undefined && this.grant.token !== rejected && Date.now() < this.refreshAt)
      return Promise.resolve(this.grant);
    // the rejected grant stays as `previous` for getToken, but is never handed out again
    if (this.grant && (rejected === undefined || this.grant.token === rejected)) this.refreshAt = 0;
    return this.fetchOnce();
  }

  dispose(): void {
    this.grant = null;
    this.disposed.abort();
  }

  private fetchOnce(): Promise<TokenGrant> {
    this.inflight ??= this.attempt().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async attempt(): Promise<TokenGrant> {
    const wait = this.retryAt - Date.now();
    if (wait > 0) await interruptibleSleep(wait, this.disposed.signal).done;
    if (this.disposed.signal.aborted) throw new Agent37Error({ code: 'token_error', message: 'The token source was disposed.' });
    const previous = this.grant;
    try {
      const grant = await this.obtain(previous);
      const now = Date.now();
      const lifetime = Math.max(0, grant.expires_at - now);
      this.grant = grant;
      this.refreshAt = grant.expires_at - Math.min(REFRESH_MARGIN_MS, lifetime * REFRESH_SHARE);
      this.failures = 0;
      this.retryAt = 0;
      return grant;
    } catch (cause) {
      this.retryAt = Date.now() + equalJitterDelay(this.failures, this.backoff);
      this.failures += 1;
      throw cause;
    }
  }

  private async obtain(previous: TokenGrant | null): Promise<TokenGrant> {
    let raw: unknown;
    let base: string;
    if (this.options.getToken) {
      try {
        raw = await this.options.getToken(previous);
      } catch (cause) {
        if (cause instanceof Agent37Error) throw cause;
        throw new Agent37Error({ code: 'token_error', message: `Could not get a token: ${messageOf(cause)}`, cause });
      }
      base = pageUrl();
    } else {
      const url = new URL(this.options.tokenUrl!, pageUrl()).href;
      let response: Response;
      try {
        response = await this.fetcher(url, {
          method: 'POST',
          credentials: this.options.credentials ?? 'same-origin',
          headers: { accept: 'application/json' },
          cache: 'no-store',
        });
      } catch (cause) {
        // to the page a network failure and a CORS refusal look alike (a TypeError): no answer came
        throw new Agent37Error({
          code: 'token_unreachable',
          message: `Could not reach the token endpoint ${url} (offline, or refused by CORS on another origin): ${messageOf(cause)}`,
          cause,
        });
      }
      if (!response.ok) {
        throw new Agent37Error({
          code: 'token_error',
          status: response.status,
          message:
            response.status === 401 || response.status === 403
              ? 'You are not signed in, so the chat cannot get a token; sign in and try again.'
              : `The token endpoint answered HTTP ${response.status}.`,
        });
      }
      try {
        raw = await response.json();
      } catch (cause) {
        throw new Agent37Error({ code: 'token_error', status: response.status, message: 'The token endpoint did not answer JSON.', cause });
      }
      base = url;
    }
    return validGrant(raw, base);
  }
}

function validGrant(raw: unknown, base: string): TokenGrant {
  const g = raw as Partial<TokenGrant> | null;
  if (!g || typeof g.token !== 'string' || g.token === '') {
    throw new Agent37Error({ code: 'token_error', message: 'The token endpoint answered without a token.' });
  }
  if (g.token.startsWith('sk_live_')) {
    throw new Agent37Error({
      code: 'token_refused_secret_key',
      message:
        'Refused a token that is an agent37 secret key (sk_live_…). A secret key must never be sent to a browser: ' +
        'keep it on your server and give the widget a short-lived token from createTokenHandler instead.',
    });
  }
  if (typeof g.expires_at !== 'number' || !Number.isFinite(g.expires_at)) {
    throw new Agent37Error({ code: 'token_error', message: 'The token endpoint answered without expires_at (epoch ms).' });
  }
  if (typeof g.api_base !== 'string' || g.api_base === '') {
    throw new Agent37Error({ code: 'token_error', message: 'The token endpoint answered without api_base.' });
  }
  // a path api_base is relative to where the token came from; no trailing slash so `${base}/v1` works
  const apiBase = new URL(g.api_base, base).href.replace(/\/+$/, '');
  return { token: g.token, expires_at: g.expires_at, api_base: apiBase };
}

function pageUrl(): string {
  return globalThis.location?.href ?? 'http://localhost/';
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
