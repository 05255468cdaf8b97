import { LitElement, css, html, nothing } from 'lit';
import { Agent37Error } from '../contract/errors.js';
import { describeError } from './error-wording.js';
import type { AnswerPart, AssistantMessage, ChatMessage, MessageStatus, ToolStep } from '../state/conversation-types.js';
import { focusRingStyles } from './shared-styles.js';

/**
 * One message of the conversation. A visitor's message is plain text. An answer shows its parts in
 * the order they happened: the agent's reasoning (a collapsed "Thinking" section), text blocks and
 * tool steps (text before a tool, the step, the text after it), then its state (stopped,
 * reconnecting, waiting out a Retry-After, connection lost with Resume, failed or empty, with Retry
 * when `retryable`).
 *
 * The answer's text is rendered by `<agent37-markdown>` when that element is defined; otherwise
 * as text with its line breaks kept (text nodes only, never HTML).
 *
 * @summary One chat message.
 * @csspart bubble - the message bubble
 * @csspart reasoning - the collapsible reasoning section
 * @csspart tool-steps - the list of tool steps
 * @csspart text - a block of the answer's text (one per run of text between tool steps)
 * @csspart status - the stopped / reconnecting line
 * @csspart error - an error shown in the answer
 * @csspart resume-button - Resume after a lost connection
 * @csspart error-detail - the raw message behind an error (folded)
 * @csspart retry-button - Retry on a failed or empty answer
 * @csspart body - an answer's rendered markdown (with the markdown's own parts below)
 * @csspart link - a link
 * @csspart image - an allowed image
 * @csspart table-scroll - the sideways-scrolling box around a table
 * @csspart table - a table
 * @csspart code-block - a code block
 * @csspart code-header - a code block's bar (language and Copy)
 * @csspart code-language - a code block's language label
 * @csspart copy-button - a code block's Copy button
 * @csspart code - a code block's scrolling code
 *
 * @event resume-request - internal, not composed: the visitor pressed Resume
 * @event retry-request - internal, not composed: the visitor pressed Retry
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
    retryable: { attribute: false },
    showReasoning: { attribute: false },
    imageOrigins: { attribute: false },
  };

  /** the message to show: the visitor's, or an answer with its parts and state */
  declare message: ChatMessage | null;
  /** a failed or empty answer offers Retry (the chat sets it on its last answer while idle) */
  declare retryable: boolean;
  /** show the answer's reasoning (the chat's `show-reasoning`) */
  declare showReasoning: boolean;
  /** origins the answer may show images from (the chat's `image-origins`, parsed) */
  declare imageOrigins: readonly string[];

  constructor() {
    super();
    this.message = null;
    this.retryable = false;
    this.showReasoning = true;
    this.imageOrigins = [];
  }

  /** The notice's event stays in this shadow root; pass it on to the chat (still not composed). */
  private _onResumeRequest(e: Event) {
    e.stopPropagation();
    this.dispatchEvent(new Event('resume-request', { bubbles: true, composed: false }));
  }

  private _onRetryRequest(e: Event) {
    e.stopPropagation();
    this.dispatchEvent(new Event('retry-request', { bubbles: true, composed: false }));
  }

  override render() {
    const message = this.message;
    if (!message) return nothing;
    if (message.role === 'user') {
      return html`<div class="bubble bubble--user" part="bubble">${message.text}</div>`;
    }
    return this.renderAnswer(message);
  }

  /** An answer: its parts in order, a pending mark while nothing came yet, then its state. */
  protected renderAnswer(message: AssistantMessage) {
    const live = LIVE_STATUSES.has(message.status);
    const waiting = live && !message.text && message.steps.every((s) => s.status !== 'running') && !message.reasoning;
    return html`<div class="bubble bubble--assistant" part="bubble">
      ${partGroups(message.parts).map((group, i, groups) => {
        // only the last part can still grow; a text block a tool came after is finished
        const open = live && i === groups.length - 1;
        if (group.type === 'tools') return html`<agent37-tool-steps part="tool-steps" .steps=${group.steps}></agent37-tool-steps>`;
        if (group.type === 'reasoning') return this.showReasoning ? this.renderReasoning(group.text, open) : nothing;
        return this.renderText(group.text, open);
      })}
      ${waiting ? html`<span class="pending" role="img" aria-label="The agent is working"><span></span><span></span><span></span></span>` : nothing}
      ${this.renderState(message)}
    </div>`;
  }

  /** One "Thinking" section; `open`: the agent is still thinking it. */
  protected renderReasoning(text: string, open: boolean) {
    return html`<details part="reasoning">
      <summary>${open ? 'Thinking…' : 'Thinking'}</summary>
      <div class="reasoning__text">${text}</div>
    </details>`;
  }

  /** One block of the answer's text; `streaming` while it may still grow. */
  protected renderText(text: string, streaming: boolean) {
    if (!text) return nothing;
    if (customElements.get('agent37-markdown')) {
      return html`<agent37-markdown
        part="text"
        exportparts="body, link, image, table-scroll, table, code-block, code-header, code-language, copy-button, code"
        .text=${text}
        .streaming=${streaming}
        .imageOrigins=${this.imageOrigins}
      ></agent37-markdown>`;
    }
    return html`<div class="text" part="text">${text}</div>`;
  }

  /** An answer that ended without one: what happened, and Retry on the last answer. */
  protected renderRetryable(error: Agent37Error) {
    return html`<agent37-notice
      exportparts="error, error-detail, retry-button"
      ?retryable=${this.retryable}
      .error=${error}
      @retry-request=${this._onRetryRequest}
    ></agent37-notice>`;
  }

  /** How the answer stands, when there is something to say: stopped, reconnecting, offline, waiting, interrupted, failed or empty. */
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
        return this.renderRetryable(message.error ?? AGENT_FAILED);
      case 'complete':
        // no text at all: usually the instance's budget is spent; say so rather than show an empty bubble
        return message.text === '' ? this.renderRetryable(EMPTY_ANSWER) : nothing;
      default:
        return nothing;
    }
  }
}

/** The turn runs on (the answer may still grow): the statuses of a turn that is neither over nor given up. */
const LIVE_STATUSES: ReadonlySet<MessageStatus> = new Set<MessageStatus>(['streaming', 'reconnecting', 'offline', 'waiting']);

const AGENT_FAILED = new Agent37Error({ code: 'agent_error', message: 'The agent could not answer.' });
const EMPTY_ANSWER = new Agent37Error({ code: 'empty_answer', message: 'The agent gave no answer.' });

type PartGroup = { type: 'reasoning' | 'text'; text: string } | { type: 'tools'; steps: ToolStep[] };

/**
 * A run of tool parts → its steps, the same array while the run's parts are the same objects: the
 * answer re-renders per frame as its text streams, and the step list then need not.
 */
const stepsOfRun = new WeakMap<AnswerPart, { parts: AnswerPart[]; steps: ToolStep[] }>();

/** The parts as rendered: consecutive tool steps share one list. */
function partGroups(parts: readonly AnswerPart[]): PartGroup[] {
  const groups: PartGroup[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.type !== 'tool') {
      groups.push(part);
      continue;
    }
    let end = i + 1;
    while (end < parts.length && parts[end]!.type === 'tool') end++;
    const run = parts.slice(i, end);
    const known = stepsOfRun.get(part);
    if (known && known.parts.length === run.length && known.parts.every((p, k) => p === run[k])) {
      groups.push({ type: 'tools', steps: known.steps });
    } else {
      const steps = run.map((p) => (p as Extract<AnswerPart, { type: 'tool' }>).step);
      stepsOfRun.set(part, { parts: run, steps });
      groups.push({ type: 'tools', steps });
    }
    i = end - 1;
  }
  return groups;
}

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
