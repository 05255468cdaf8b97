/**
 * What a browser may ask of the instance in a turn. Only the fields the gateway defines go upstream
 * (anything else is dropped, so a future gateway field cannot be reached from a browser before the
 * customer allows it), the agent, model and provider may be held to allow-lists, and the customer's
 * own `transformBody` has the last word (pin a model per user, add metadata).
 */
import { validationErrorResponse } from './error-response.js';

/** The fields of POST /v1/responses the gateway defines (agent37-api.md), all a turn needs. */
export const TURN_FIELDS = ['input', 'session_id', 'stream', 'model', 'provider', 'reasoning_effort', 'metadata', 'agent', 'mode'] as const;

export interface TurnBodyContext {
  /** The user the token was issued to. */
  userId: string;
  /** The browser's request (its headers, e.g. a locale); its body is already read. */
  request: Request;
}

export type TransformBody = (
  body: Record<string, unknown>,
  context: TurnBodyContext,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface TurnBodyPolicyOptions {
  /** Agents a turn may name (`agent`); a turn naming none runs the instance's default. */
  allowedAgents?: readonly string[];
  /** Models a turn may ask for (`model`); a turn asking for none gets the session's or the instance's default. */
  allowedModels?: readonly string[];
  /** Providers a turn may ask for (`provider`). */
  allowedProviders?: readonly string[];
  /** Runs on the filtered, checked body; what it returns is what goes upstream (the relay's ownership check included). */
  transformBody?: TransformBody;
}

const ALLOW_LISTS = [
  ['agent', 'allowedAgents'],
  ['model', 'allowedModels'],
  ['provider', 'allowedProviders'],
] as const;

/** The body to send upstream, or the 400 that refuses it. */
export async function applyTurnBodyPolicy(
  input: Record<string, unknown>,
  options: TurnBodyPolicyOptions,
  context: TurnBodyContext,
): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; response: Response }> {
  const body: Record<string, unknown> = {};
  for (const field of TURN_FIELDS) {
    if (Object.hasOwn(input, field)) body[field] = input[field];
  }
  for (const [field, option] of ALLOW_LISTS) {
    const allowed = options[option];
    const value = body[field];
    if (allowed === undefined || value === undefined || value === null) continue;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      const offered = allowed.length > 0 ? ` Allowed here: ${allowed.join(', ')}.` : '';
      return { ok: false, response: validationErrorResponse(field, `This chat does not offer that ${field}.${offered}`) };
    }
  }
  if (!options.transformBody) return { ok: true, body };
  const transformed = await options.transformBody(body, context);
  if (typeof transformed !== 'object' || transformed === null || Array.isArray(transformed)) {
    throw new TypeError('agent37-chat/server: transformBody must return the body as an object');
  }
  return { ok: true, body: transformed };
}
