/**
 * Plain sentences for errors, shown in the conversation: what happened and what to do, never a bare
 * code. The code stays on the Agent37Error for the page (agent37-error event).
 */
import type { Agent37Error } from '../contract/errors.js';
import type { Localizer } from '../i18n/localizer.js';
import type { TextKey } from '../i18n/strings.js';

export interface ErrorWording {
  /** the sentence to show */
  text: string;
  /** the stream dropped: the visitor can resume it */
  resumable: boolean;
  /** the error's own message is the agent's or its provider's raw text: shown folded away, as detail */
  detailed?: boolean;
}

/** A dropped stream or network: the turn may still be running, so the visitor can resume it. */
export function isResumable(error: Agent37Error): boolean {
  return error.code === 'network_error' || error.code === 'stream_interrupted';
}

/**
 * The catalogue key of each code's sentence, and whether the error's own message is raw detail.
 * `unauthorized`: the relay refused even a just-refreshed token, a server problem (a signed-out
 * visitor gets no token at all); a 401 from the token endpoint says "sign in" instead (below).
 */
const WORDING: Record<string, [TextKey, detailed?: 1]> = {
  unauthorized: ['errorRefused'],
  invalid_api_key: ['errorRefused'],
  token_unreachable: ['errorTokenUnreachable'],
  token_refused_secret_key: ['errorSecretKey'],
  network_error: ['errorConnectionLost'],
  stream_interrupted: ['errorConnectionLost'],
  payload_too_large: ['errorTooLong'],
  session_busy: ['errorStillAnswering', 1],
  // the agent's own codes, in the stream (agent37-api.md): plain words and what to do; the provider's text is detail
  quota_exhausted: ['errorQuota', 1],
  auth_error: ['errorProviderAuth', 1],
  model_error: ['errorModel', 1],
  provider_error: ['errorProvider', 1],
  empty_answer: ['errorEmptyAnswer'],
  agent_unavailable: ['errorAgentUnavailable', 1],
  agent_error: ['errorAgentDown', 1],
  internal_error: ['errorAgentDown'],
  container_unavailable: ['errorAgentDown'],
  container_unreachable: ['errorAgentDown'],
  upstream_unreachable: ['errorAgentDown'],
  upstream_timeout: ['errorAgentDown'],
  wake_timeout: ['errorAgentDown'],
  wake_failed: ['errorAgentDown'],
  empty_message: ['errorEmptyMessage'],
  not_configured: ['errorNotConfigured'],
};

/**
 * The sentence for an error in the chat's language; `now` lets a countdown recompute the seconds
 * left. A code with no sentence of its own gets a general one, its message (the server's words, in
 * no known language) folded away as detail.
 */
export function describeError(error: Agent37Error, localizer: Localizer, shownAt = Date.now(), now = Date.now()): ErrorWording {
  const { code, status } = error;
  const resumable = isResumable(error);
  if (code === 'token_error') {
    return { text: localizer.text(status === 401 ? 'errorSignIn' : status === 403 ? 'errorNoAccess' : 'errorTokenServer'), resumable };
  }
  if (code === 'rate_limited' || code === 'instance_saturated') {
    if (error.retryAfterMs === undefined) return { text: localizer.text('errorBusy'), resumable, detailed: code === 'rate_limited' };
    const seconds = Math.max(0, Math.ceil((shownAt + error.retryAfterMs - now) / 1000));
    return { text: localizer.plural('errorBusyRetrying', seconds), resumable };
  }
  const [key, detailed] = Object.hasOwn(WORDING, code) ? WORDING[code]! : (['errorUnknown', 1] as const);
  return { text: localizer.text(key), resumable, detailed: !!detailed };
}
