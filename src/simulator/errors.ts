/**
 * The gateway's two error shapes: nested `{"error": {code, message, ...}}` from the gateway itself
 * and flat `{"error": "code", "message"?}` from the edge in front of it.
 */
import type { ServerResponse } from 'node:http';
import type { GatewayErrorBody } from '../contract/gateway.js';

const STATUS_BY_CODE: Record<string, number> = {
  validation_error: 400,
  session_not_found: 404,
  response_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  rename_unsupported: 405,
  session_busy: 409,
  title_conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  agent_error: 502,
  agent_unavailable: 503,
};

export class GatewayError extends Error {
  readonly status: number;
  readonly body: GatewayErrorBody;
  readonly headers: Record<string, string>;

  constructor(body: GatewayErrorBody, headers: Record<string, string> = {}) {
    super(body.message);
    this.body = body;
    this.status = STATUS_BY_CODE[body.code] ?? 500;
    this.headers = headers;
  }
}

export function validationError(param: string | undefined, message: string): GatewayError {
  return new GatewayError({ code: 'validation_error', message, ...(param === undefined ? {} : { param }) });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendGatewayError(res: ServerResponse, error: GatewayError): void {
  sendJson(res, error.status, { error: error.body }, error.headers);
}

/** Edge errors: invalid_api_key 401, not_found 404 (a key of another workspace), ... */
export function sendEdgeError(res: ServerResponse, status: number, code: string, message?: string): void {
  sendJson(res, status, message === undefined ? { error: code } : { error: code, message });
}
