/**
 * CORS for the relay and the token endpoint, for the origins the customer lists and no others. Other
 * origins get no CORS headers, so the browser keeps the answer from their pages. Every relay call
 * carries an `Authorization` header, so a cross-origin one is always preflighted and never sent
 * once the preflight is refused. The widget's token POST needs no preflight: it is sent, and only
 * its answer (the token) is kept from the page. Same-origin pages need no CORS at all.
 *
 * Credentials (the visitor's cookies) are allowed to origins listed by name only. `*` lets any
 * origin read answers made without credentials, never ones made with them: a wildcard with
 * credentials would let any site get a token for whoever is signed in.
 */
export interface CorsPolicy {
  /** Headers for an actual response: empty unless `origin` is allowed. */
  responseHeaders(origin: string | null): Record<string, string>;
  /** The answer to an OPTIONS request: 204 with the CORS headers for an allowed origin, else null. */
  preflightHeaders(origin: string | null): Record<string, string> | null;
}

export interface CorsPolicyOptions {
  /** The methods a preflight allows; the relay's by default. */
  methods?: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true` to the origins listed by name (never to those `*` lets in). */
  credentials?: boolean;
}

/** `extraRequestHeaders`: request headers allowed beside authorization, content-type and accept. */
export function createCorsPolicy(
  allowedOrigins: readonly string[],
  extraRequestHeaders: readonly string[],
  options: CorsPolicyOptions = {},
): CorsPolicy {
  const anyOrigin = allowedOrigins.includes('*');
  const listed = new Set(allowedOrigins.filter((origin) => origin !== '*').map(normalizeOrigin));
  const isAllowed = (origin: string | null): origin is string =>
    origin !== null && origin !== 'null' && (anyOrigin || listed.has(normalizeOrigin(origin)));
  const credentials = (origin: string): Record<string, string> =>
    options.credentials && listed.has(normalizeOrigin(origin)) ? { 'access-control-allow-credentials': 'true' } : {};
  const methods = (options.methods ?? ['GET', 'POST', 'PATCH', 'DELETE']).join(', ');
  const requestHeaders = ['authorization', 'content-type', 'accept', ...extraRequestHeaders].join(', ');

  return {
    responseHeaders(origin): Record<string, string> {
      if (!isAllowed(origin)) return origin === null ? {} : { vary: 'Origin' };
      return {
        'access-control-allow-origin': origin,
        ...credentials(origin),
        'access-control-expose-headers': 'retry-after',
        vary: 'Origin',
      };
    },
    preflightHeaders(origin) {
      if (!isAllowed(origin)) return null;
      return {
        'access-control-allow-origin': origin,
        ...credentials(origin),
        'access-control-allow-methods': methods,
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
