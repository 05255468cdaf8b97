/**
 * CORS for the relay, for the origins the customer lists and no others. Every relay call carries an
 * `Authorization` header, so a browser always preflights a cross-origin call: refusing the preflight
 * (and sending no CORS headers) is what keeps other sites out. Same-origin pages need no CORS at all.
 */
export interface CorsPolicy {
  /** Headers for an actual response: empty unless `origin` is allowed. */
  responseHeaders(origin: string | null): Record<string, string>;
  /** The answer to an OPTIONS request: 204 with the CORS headers for an allowed origin, else null. */
  preflightHeaders(origin: string | null): Record<string, string> | null;
}

export function createCorsPolicy(allowedOrigins: readonly string[], extraRequestHeaders: readonly string[]): CorsPolicy {
  const anyOrigin = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins.filter((origin) => origin !== '*').map(normalizeOrigin));
  const isAllowed = (origin: string | null): origin is string =>
    origin !== null && origin !== 'null' && (anyOrigin || allowed.has(normalizeOrigin(origin)));
  const requestHeaders = ['authorization', 'content-type', 'accept', ...extraRequestHeaders].join(', ');

  return {
    responseHeaders(origin): Record<string, string> {
      if (!isAllowed(origin)) return origin === null ? {} : { vary: 'Origin' };
      return { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'retry-after', vary: 'Origin' };
    },
    preflightHeaders(origin) {
      if (!isAllowed(origin)) return null;
      return {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
        'access-control-allow-headers': requestHeaders,
        'access-control-max-age': '600',
        vary: 'Origin',
      };
    },
  };
}

/** `https://app.example.com/` and `https://APP.example.com` name the same origin. */
function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}
