/**
 * The token endpoint: the customer's own login check decides who the caller is, and the answer is a
 * short-lived token that only the relay accepts. The secret key never comes near it. Pages on other
 * origins get CORS answers for the origins listed, with the same policy as the relay's.
 */
import type { TokenGrant } from '../contract/gateway.js';
import { createCorsPolicy } from './cors.js';
import { errorResponse } from './error-response.js';
import { type TokenSecret, secretKey, signRelayToken } from './relay-token.js';

export interface TokenHandlerOptions {
  /** The app's own login check: a stable user id, or null when nobody is signed in (→ 401). */
  authenticate: (request: Request) => string | null | undefined | Promise<string | null | undefined>;
  /** Shared with the relay; at least 32 bytes. */
  secret: TokenSecret;
  /** Token lifetime, 600 (10 minutes) by default. */
  ttlSeconds?: number;
  /** Where the relay is mounted: a path (resolved by the widget against the token URL) or an absolute URL. */
  apiBase: string;
  /**
   * Origins whose pages may call the endpoint from another origin, with the visitor's cookies (the
   * element's `token-credentials="include"`). `*` lets any origin read answers to calls made without
   * cookies only: never a signed-in visitor's token for any site. Same-origin pages need none.
   */
  allowedOrigins?: readonly string[];
}

export function createTokenHandler(options: TokenHandlerOptions): (request: Request) => Promise<Response> {
  const key = secretKey(options.secret);
  const ttlSeconds = options.ttlSeconds ?? 600;
  if (!Number.isFinite(ttlSeconds)) throw new TypeError('agent37-chat/server: ttlSeconds must be a finite number');
  if (typeof options.apiBase !== 'string' || options.apiBase === '') {
    throw new TypeError('agent37-chat/server: apiBase is required (the path or URL the relay is mounted at)');
  }
  const noStore = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  // the customer's login is usually a cookie: credentials for the origins listed by name
  const cors = createCorsPolicy(options.allowedOrigins ?? [], [], { methods: ['POST'], credentials: true });

  async function answer(request: Request): Promise<Response> {
    const userId = await options.authenticate(request);
    if (typeof userId !== 'string' || userId === '') {
      return errorResponse(401, 'unauthorized', 'Sign in to chat: no signed-in user for this request.', noStore);
    }
    const { token, expiresAt } = await signRelayToken(key, userId, ttlSeconds);
    const grant: TokenGrant = { token, expires_at: expiresAt, api_base: options.apiBase };
    return new Response(JSON.stringify(grant), {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', ...noStore, pragma: 'no-cache' },
    });
  }

  return async (request) => {
    const origin = request.headers.get('origin');
    if (request.method === 'OPTIONS') {
      const headers = cors.preflightHeaders(origin);
      if (!headers) return errorResponse(403, 'origin_not_allowed', 'This origin may not call the token endpoint.', noStore);
      return new Response(null, { status: 204, headers: { ...headers, 'x-content-type-options': 'nosniff' } });
    }
    if (request.method !== 'POST') {
      return errorResponse(405, 'method_not_allowed', 'The token endpoint answers POST only.', { ...noStore, allow: 'POST' });
    }
    const response = await answer(request);
    // a 401 too: the page must be able to tell "sign in" from "could not reach the server"
    for (const [name, value] of Object.entries(cors.responseHeaders(origin))) response.headers.set(name, value);
    return response;
  };
}
