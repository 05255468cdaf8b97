/**
 * One typed error for everything that can go wrong between the widget and the gateway: both error
 * shapes of the gateway (nested and flat edge), network failures, token problems and local refusals.
 */
import type { GatewayErrorBody } from './gateway.js';

/** Codes the widget itself produces, next to the gateway's own (validation_error, session_busy, ...). */
export type LocalErrorCode =
  | 'network_error'
  | 'stream_interrupted'
  /** no usable token: the endpoint's HTTP error (`status` says which), a grant missing a field, or getToken threw */
  | 'token_error'
  /** the token request got no answer at all: offline, or refused by CORS (status 0) */
  | 'token_unreachable'
  | 'token_refused_secret_key'
  | 'unauthorized'
  | 'empty_message'
  | 'payload_too_large'
  | 'storage_unavailable'
  | 'bad_response'
  /** Stop pressed before the server named the turn */
  | 'cancelled'
  /** the chat was used before it was wired to a server */
  | 'not_connected'
  | 'not_configured'
  /** the send was overtaken (new conversation, the chat closed or rewired): nothing to show */
  | 'superseded'
  /** the turn completed with no text at all (usually: the instance's budget is spent) */
  | 'empty_answer';

export interface Agent37ErrorInit {
  code: string;
  message: string;
  /** HTTP status, 0 when there was no HTTP answer */
  status?: number;
  param?: string;
  hint?: string;
  responseId?: string;
  /** milliseconds to wait before trying again, from Retry-After */
  retryAfterMs?: number;
  cause?: unknown;
}

export class Agent37Error extends Error {
  override name = 'Agent37Error';
  readonly code: string;
  readonly status: number;
  readonly param?: string;
  readonly hint?: string;
  readonly responseId?: string;
  readonly retryAfterMs?: number;

  constructor(init: Agent37ErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status ?? 0;
    if (init.param !== undefined) this.param = init.param;
    if (init.hint !== undefined) this.hint = init.hint;
    if (init.responseId !== undefined) this.responseId = init.responseId;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

/** Milliseconds from a Retry-After header (delta seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Reads either error shape from a non-2xx answer into an Agent37Error. Never throws. */
export async function errorFromResponse(response: Response): Promise<Agent37Error> {
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const base = { status: response.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  const envelope = body as { error?: unknown; message?: unknown } | undefined;
  if (envelope && typeof envelope.error === 'object' && envelope.error !== null) {
    const e = envelope.error as Partial<GatewayErrorBody>;
    return new Agent37Error({
      ...base,
      code: typeof e.code === 'string' ? e.code : `http_${response.status}`,
      message: typeof e.message === 'string' ? e.message : response.statusText || `HTTP ${response.status}`,
      ...(typeof e.param === 'string' ? { param: e.param } : {}),
      ...(typeof e.hint === 'string' ? { hint: e.hint } : {}),
      ...(typeof e.response_id === 'string' ? { responseId: e.response_id } : {}),
    });
  }
  if (envelope && typeof envelope.error === 'string') {
    return new Agent37Error({
      ...base,
      code: envelope.error,
      message: typeof envelope.message === 'string' ? envelope.message : envelope.error.replace(/_/g, ' '),
    });
  }
  return new Agent37Error({ ...base, code: `http_${response.status}`, message: response.statusText || `HTTP ${response.status}` });
}

/** The chat could not reach its servers (the relay, the token endpoint): what going back online mends. */
export function isUnreachable(error: Agent37Error): boolean {
  return error.code === 'network_error' || error.code === 'token_unreachable';
}

/** Anything thrown → an Agent37Error; what is not one already is taken for a lost connection. */
export function toAgent37Error(cause: unknown, message?: string): Agent37Error {
  if (cause instanceof Agent37Error) return cause;
  return new Agent37Error({
    code: 'network_error',
    message: message ?? (cause instanceof Error && cause.message ? cause.message : 'The connection to the chat server was lost.'),
    cause,
  });
}

/** The `error` of a failed turn (response.failed, a failed response object) → an Agent37Error. */
export function errorOfFailure(body: Partial<GatewayErrorBody> | null | undefined): Agent37Error {
  return new Agent37Error({
    code: body?.code || 'agent_error',
    message: body?.message || 'The agent failed to answer.',
    ...(body?.param ? { param: body.param } : {}),
    ...(body?.hint ? { hint: body.hint } : {}),
  });
}
