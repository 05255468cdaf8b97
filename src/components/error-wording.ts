/**
 * Plain sentences for errors, shown in the conversation: what happened and what to do, never a bare
 * code. The code stays on the Agent37Error for the page (agent37-error event).
 */
import type { Agent37Error } from '../contract/errors.js';

export interface ErrorWording {
  /** the sentence to show */
  text: string;
  /** the stream dropped: the visitor can resume it */
  resumable: boolean;
  /** the error's own message is the agent's or its provider's raw text: shown folded away, as detail */
  detailed?: boolean;
}

/** the token endpoint knows nobody (401): the visitor may never have signed in, so nothing "expired" */
const SIGN_IN = 'Sign in to chat.';
/** the relay refused even a just-refreshed token: a server problem, since a signed-out visitor gets no token at all */
const REFUSED = 'The chat server did not accept the sign-in. Try again in a moment, or let the site know if this keeps happening.';
const AGENT_DOWN = 'The agent could not answer. Try again in a moment.';

/** The sentence for an error; `now` lets a countdown recompute the seconds left. */
export function describeError(error: Agent37Error, shownAt = Date.now(), now = Date.now()): ErrorWording {
  switch (error.code) {
    case 'unauthorized':
    case 'invalid_api_key':
      return { text: REFUSED, resumable: false };
    case 'token_unreachable':
      return { text: 'The chat could not reach its server. Check your connection and try again.', resumable: false };
    case 'token_error':
      if (error.status === 401) return { text: SIGN_IN, resumable: false };
      if (error.status === 403) return { text: 'You do not have access to this chat.', resumable: false };
      return { text: "The chat's server had a problem. Try again in a moment.", resumable: false };
    case 'token_refused_secret_key':
      return { text: 'This chat is set up wrongly (the page was given a secret key), so it is switched off.', resumable: false };
    case 'network_error':
    case 'stream_interrupted':
      return { text: 'Connection lost.', resumable: true };
    case 'rate_limited':
    case 'instance_saturated': {
      if (error.retryAfterMs === undefined) return { text: 'The agent is busy. Try again in a moment.', resumable: false, detailed: error.code === 'rate_limited' };
      const seconds = Math.max(0, Math.ceil((shownAt + error.retryAfterMs - now) / 1000));
      return { text: `The agent is busy. Trying again in ${seconds} s…`, resumable: false };
    }
    case 'payload_too_large':
      return { text: 'This message is too long to send (limit 2 MB).', resumable: false };
    case 'session_busy':
      return { text: 'The agent is still answering your previous message.', resumable: false, detailed: true };
    // the agent's own codes, in the stream (agent37-api.md): plain words and what to do; the provider's text is detail
    case 'quota_exhausted':
      return { text: 'The agent has used up its budget for now. Try again later, or let the site know.', resumable: false, detailed: true };
    case 'auth_error':
      return { text: "The agent's AI provider refused its credentials. Trying again will not help; let the site know.", resumable: false, detailed: true };
    case 'model_error':
      return { text: "The agent's model could not handle this message. Try again, or rephrase it.", resumable: false, detailed: true };
    case 'provider_error':
      return { text: "The agent's AI provider had a problem. Try again in a moment.", resumable: false, detailed: true };
    case 'empty_answer':
      return { text: 'The agent gave no answer. The instance may be out of budget; try again later, or let the site know.', resumable: false };
    case 'agent_unavailable':
      return { text: 'The agent is not available right now. Try again in a moment.', resumable: false, detailed: true };
    case 'agent_error':
      return { text: AGENT_DOWN, resumable: false, detailed: true };
    case 'internal_error':
    case 'container_unavailable':
    case 'container_unreachable':
    case 'upstream_unreachable':
    case 'upstream_timeout':
    case 'wake_timeout':
    case 'wake_failed':
      return { text: AGENT_DOWN, resumable: false };
    case 'empty_message':
      return { text: 'Type a message first.', resumable: false };
    case 'not_configured':
      return { text: 'This chat is not set up yet: the page must give it a token-url.', resumable: false };
    default:
      return { text: error.message || 'Something went wrong. Try again in a moment.', resumable: false };
  }
}
