import { LitElement, css, html, nothing } from 'lit';
import { Agent37Error } from '../contract/errors.js';
import { describeError } from './error-wording.js';
import type { AssistantMessage, ChatMessage, MessageStatus } from '../state/conversation-types.js';
import { focusRingStyles } from './shared-styles.js';

/**
 * One message of the conversation. A visitor's message is plain text. An answer shows, in order:
 * the agent's reasoning (a collapsed "Thinking" section), its tool steps, the text as it streams,
 * and its state (stopped, reconnecting, waiting out a Retry-After, connection lost with Resume,
 * failed).
 *
 * The answer's text is rendered by `<agent37-markdown>` when that element is defined; otherwise
 * as text with its line breaks kept (text nodes only, never HTML).
 *
 * @summary One chat message.
 * @csspart bubble - the message bubble
 * @csspart reasoning - the collapsible reasoning section
 * @csspart tool-steps - the list of tool steps
 * @csspart text - the answer's text
 * @csspart status - the stopped / reconnecting line
 * @csspart error - an error shown in the answer
 * @csspart resume-button - Resume after a lost connection
 *
 * @event resume-request - internal, not composed: the visitor pressed Resume
 */
export class Agent37Message extends LitElement {
  static override styles = [
    css`
    :host {
      display: block;
      min-width: 0;
    }
    .bubble {
      max-width: min(85%, 46em);
      min-width: 0;
      box-sizing: border-box;
      padding: 0.55em 0.85em;
      border-radius: var(--_radius, 12px);
      overflow-wrap: anywhere;
    }
    .bubble--user {
      width: fit-content;
      margin-left: auto;
      color: var(--_user-text, #fff);
      background: var(--_user-bg, #2f5bd3);
      border-bottom-right-radius: calc(var(--_radius, 12px) * 0.3);
      white-space: pre-wrap;
    }
    .bubble--assistant {
      max-width: 100%;
      width: 100%;
      color: var(--_text, CanvasText);
      background: var(--_surface, transparent);
      border-bottom-left-radius: calc(var(--_radius, 12px) * 0.3);
      display: flex;
      flex-direction: column;
      gap: 0.5em;
    }
    .text {
      white-space: pre-wrap;
    }
    .text:empty {
      display: none;
    }
    .pending {
      color: var(--_muted, GrayText);
      display: inline-flex;
      gap: 0.25em;
    }
    .pending span {
      width: 0.4em;
      height: 0.4em;
      border-radius: 50%;
      background: currentColor;
      opacity: 0.5;
    }
    @media (prefers-reduced-motion: no-preference) {
      .pending span {
        animation: pulse 1.2s ease-in-out infinite;
      }
      .pending span:nth-child(2) {
        animation-delay: 0.2s;
      }
      .pending span:nth-child(3) {
        animation-delay: 0.4s;
      }
    }
    @keyframes pulse {
      50% {
        opacity: 1;
      }
    }
    details {
      font-size: 0.9em;
      color: var(--_muted, GrayText);
      border-left: 2px solid var(--_border, GrayText);
      padding-left: 0.6em;
    }
    summary {
      cursor: pointer;
      width: fit-content;
      border-radius: 4px;
    }
    .reasoning__text {
      white-space: pre-wrap;
      margin-top: 0.3em;
    }
    .status {
      font-size: 0.85em;
      color: var(--_muted, GrayText);
    }
  `,
    focusRingStyles,
  ];

  static override properties = {
    message: { attribute: false },
    showReasoning: { attribute: false },
    imageOrigins: { attribute: false },
  };

  declare message: ChatMessage | null;
  declare showReasoning: boolean;
  declare imageOrigins: readonly string[];

  constructor() {
    super();
    this.message = null;
    this.showReasoning = true;
    this.imageOrigins = [];
  }

  /** The notice's event stays in this shadow root; pass it on to the chat (still not composed). */
  private _onResumeRequest(e: Event) {
    e.stopPropagation();
    this.dispatchEvent(new Event('resume-request', { bubbles: true, composed: false }));
  }

  override render() {
    const message = this.message;
    if (!message) return nothing;
    if (message.role === 'user') {
      return html`<div class="bubble bubble--user" part="bubble">${message.text}</div>`;
    }
    return this.renderAnswer(message);
  }

  protected renderAnswer(message: AssistantMessage) {
    const live = LIVE_STATUSES.has(message.status);
    const waiting = live && !message.text && message.steps.every((s) => s.status !== 'running') && !message.reasoning;
    return html`<div class="bubble bubble--assistant" part="bubble">
      ${this.showReasoning && message.reasoning ? this.renderReasoning(message, live) : nothing}
      ${message.steps.length > 0
        ? html`<agent37-tool-steps part="tool-steps" .steps=${message.steps}></agent37-tool-steps>`
        : nothing}
      ${this.renderText(message, live)}
      ${waiting ? html`<span class="pending" role="img" aria-label="The agent is working"><span></span><span></span><span></span></span>` : nothing}
      ${this.renderState(message)}
    </div>`;
  }

  protected renderReasoning(message: AssistantMessage, live: boolean) {
    const thinking = live && !message.text;
    return html`<details part="reasoning">
      <summary>${thinking ? 'Thinking…' : 'Thinking'}</summary>
      <div class="reasoning__text">${message.reasoning}</div>
    </details>`;
  }

  protected renderText(message: AssistantMessage, live: boolean) {
    if (!message.text) return nothing;
    if (customElements.get('agent37-markdown')) {
      return html`<agent37-markdown
        part="text"
        exportparts="body, link, image, table-scroll, table, code-block, code-header, code-language, copy-button, code"
        .text=${message.text}
        .streaming=${live}
        .imageOrigins=${this.imageOrigins}
      ></agent37-markdown>`;
    }
    return html`<div class="text" part="text">${message.text}</div>`;
  }

  protected renderState(message: AssistantMessage) {
    switch (message.status) {
      case 'stopped':
        return html`<div class="status" part="status">Stopped</div>`;
      case 'reconnecting':
        return html`<div class="status" part="status">Reconnecting…</div>`;
      case 'offline':
        return html`<div class="status" part="status">You are offline. The answer goes on once you are back.</div>`;
      case 'waiting':
        return message.error ? html`<agent37-notice exportparts="error" .error=${message.error}></agent37-notice>` : nothing;
      case 'interrupted':
        // Resume is offered whatever the cause: after signing in again, say, it picks the answer up.
        return html`<agent37-notice
          exportparts="error, resume-button"
          resumable
          .error=${interruptedNotice(message.error)}
          @resume-request=${this._onResumeRequest}
        ></agent37-notice>`;
      case 'failed':
        return message.error
          ? html`<agent37-notice exportparts="error" .error=${message.error}></agent37-notice>`
          : html`<div class="status" part="status">The agent could not answer. Try again in a moment.</div>`;
      default:
        return nothing;
    }
  }
}

/** The turn runs on (the answer may still grow): the statuses of a turn that is neither over nor given up. */
const LIVE_STATUSES: ReadonlySet<MessageStatus> = new Set<MessageStatus>(['streaming', 'reconnecting', 'offline', 'waiting']);

/** What an interrupted answer says for a dropped stream; the runner's own error stays on the message. */
const CONNECTION_LOST = new Agent37Error({ code: 'stream_interrupted', message: 'Connection lost.' });

/** The same error without its Retry-After: an interrupted turn waits for the visitor, it does not count down. */
const withoutCountdown = new WeakMap<Agent37Error, Agent37Error>();

/**
 * What an interrupted answer says: "Connection lost." for a network or stream error, else the
 * error's own wording (e.g. sign in again). Same object for the same error, so the notice does not
 * restart for nothing.
 */
function interruptedNotice(error: Agent37Error | undefined): Agent37Error {
  if (!error || describeError(error).resumable) return CONNECTION_LOST;
  if (error.retryAfterMs === undefined) return error;
  let copy = withoutCountdown.get(error);
  if (!copy) {
    const { code, message, status } = error;
    copy = new Agent37Error({ code, message, status, cause: error });
    withoutCountdown.set(error, copy);
  }
  return copy;
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-message': Agent37Message;
  }
}
