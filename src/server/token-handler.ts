/**
 * The token endpoint: the customer's own login check decides who the caller is, and the answer is a
 * short-lived token that only the relay accepts. The secret key never comes near it.
 */
import type { TokenGrant } from '../contract/gateway.js';
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
}

export function createTokenHandler(options: TokenHandlerOptions): (request: Request) => Promise<Response> {
  const key = secretKey(options.secret);
  const ttlSeconds = options.ttlSeconds ?? 600;
  if (!Number.isFinite(ttlSeconds)) throw new TypeError('agent37-chat/server: ttlSeconds must be a finite number');
  if (typeof options.apiBase !== 'string' || options.apiBase === '') {
    throw new TypeError('agent37-chat/server: apiBase is required (the path or URL the relay is mounted at)');
  }
  const noStore = { 'cache-control': 'no-store' };

  return async (request) => {
    if (request.method !== 'POST') {
      return errorResponse(405, 'method_not_allowed', 'The token endpoint answers POST only.', { ...noStore, allow: 'POST' });
    }
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
  };
}
