import { LitElement, css, html, nothing } from 'lit';
import { Agent37Error } from '../contract/errors.js';
import type { Usage } from '../contract/gateway.js';
import { consumeLocalizer } from '../i18n/localizer-context.js';
import type { AnswerPart, AssistantMessage, ChatMessage, MessageStatus, ToolStep } from '../state/conversation-types.js';
import { CopyFeedback } from './copy-feedback.js';
import { isResumable } from './error-wording.js';
import { followMinutes } from './minute-clock.js';
import { focusRingStyles, touchTargetStyles, visuallyHiddenStyles } from './shared-styles.js';

/**
 * One message of the conversation. A visitor's message is plain text. An answer shows its parts in
 * the order they happened: the agent's reasoning (a collapsed "Thinking" section), text blocks and
 * tool steps (text before a tool, the step, the text after it), then its state (stopped,
 * reconnecting, waiting out a Retry-After, connection lost with Resume, failed or empty, with Retry
 * when `retryable`). A caret follows the text while it grows.
 *
 * Under a message: when it was written ("5 minutes ago", the date and time in a tooltip; kept
 * current, one timer for all messages), and under a finished answer a Copy button (its markdown
 * source) and, with `showUsage`, its tokens and cost. Every string is in the chat's language.
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
 * @csspart timestamp - when the message was written (a `<time>`)
 * @csspart copy-answer-button - Copy under a finished answer
 * @csspart usage - an answer's tokens and cost (with `showUsage`)
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
 * @csspart expand-button - a long code block's Show more lines / Show less
 *
 * @event resume-request - internal, not composed: the visitor pressed Resume
 * @event retry-request - internal, not composed: the visitor pressed Retry
 */
export class Agent37Message extends LitElement {
  // .frame: off screen, a message skips layout and paint, so a long conversation stays smooth to
  // scroll; only once it has been laid out (its size is then remembered, `auto`): skipping never
  // changes its size, so the view cannot jump as messages above it come into view. The padding,
  // given back by the margin, keeps focus rings at the edges inside the paint clip skipping adds.
  static override styles = [
    css`
    :host {
      display: block;
      min-width: 0;
    }
    .frame {
      contain-intrinsic-size: auto 10em;
      padding: 4px;
      margin: -4px;
    }
    .frame--skip {
      content-visibility: auto;
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
      margin-inline-start: auto;
      color: var(--_user-text, #fff);
      background: var(--_user-bg, #2f5bd3);
      border-end-end-radius: calc(var(--_radius, 12px) * 0.3);
      white-space: pre-wrap;
    }
    .bubble--assistant {
      max-width: 100%;
      width: 100%;
      color: var(--_text, CanvasText);
      background: var(--_surface, transparent);
      border-end-start-radius: calc(var(--_radius, 12px) * 0.3);
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
      border-inline-start: 2px solid var(--_border, GrayText);
      padding-inline-start: 0.6em;
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
    .meta {
      color: var(--_muted, GrayText);
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.25em 0.75em;
      margin-block-start: 0.3em;
      padding-inline: 0.3em;
      font-size: 0.78em;
      font-variant-numeric: tabular-nums;
    }
    .meta--user {
      justify-content: flex-end;
    }
    .copy {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      gap: 0.3em;
      margin-inline-start: -0.3em;
      padding: 0.3em;
      font: inherit;
      color: inherit;
      background: none;
      border: 0;
      border-radius: 6px;
      cursor: pointer;
    }
    .copy:hover {
      color: var(--_text, CanvasText);
      background: var(--_surface, ButtonFace);
    }
    .copy svg {
      width: 1.35em;
      height: 1.35em;
      fill: none;
      stroke: currentColor;
      stroke-width: 2;
    }
  `,
    focusRingStyles,
    touchTargetStyles,
    visuallyHiddenStyles,
  ];

  static override properties = {
    message: { attribute: false },
    retryable: { attribute: false },
    showReasoning: { attribute: false },
    imageOrigins: { attribute: false },
    showUsage: { attribute: false },
  };

  /** the message to show: the visitor's, or an answer with its parts and state */
  declare message: ChatMessage | null;
  /** a failed or empty answer offers Retry (the chat sets it on its last answer while idle) */
  declare retryable: boolean;
  /** show the answer's reasoning (the chat's `show-reasoning`) */
  declare showReasoning: boolean;
  /** origins the answer may show images from (the chat's `image-origins`, parsed) */
  declare imageOrigins: readonly string[];
  /** under a finished answer, its tokens and cost (the chat's `show-usage`) */
  declare showUsage: boolean;

  #localizer = consumeLocalizer(this);
  #copy = new CopyFeedback(this);
  /** this render shows a relative time, which the minute clock keeps current */
  #timed = false;
  /** it has been laid out once: off screen, it may now skip layout and paint */
  #laidOut = false;

  constructor() {
    super();
    this.message = null;
    this.retryable = false;
    this.showReasoning = true;
    this.imageOrigins = [];
    this.showUsage = false;
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

  private _onCopy() {
    void this.#copy.copy(this.message?.text ?? '');
  }

  override connectedCallback() {
    super.connectedCallback();
    // back on the page: render, so a shown time is current and followed again
    if (this.hasUpdated) this.requestUpdate();
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    followMinutes(this, false);
  }

  protected override firstUpdated() {
    // a frame to be laid out (and its size remembered), then off-screen skipping may start
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        this.#laidOut = true;
        this.requestUpdate();
      }),
    );
  }

  protected override updated() {
    followMinutes(this, this.#timed && this.isConnected);
  }

  override render() {
    const message = this.message;
    this.#timed = false;
    if (!message) return nothing;
    const frame = this.#laidOut ? 'frame frame--skip' : 'frame';
    if (message.role === 'user') {
      const time = this.renderTime(message.createdAt);
      return html`<div class=${frame}><div class="bubble bubble--user" part="bubble">${message.text}</div>${time === nothing ? nothing : html`<div class="meta meta--user">${time}</div>`}</div>`;
    }
    return html`<div class=${frame}>${this.renderAnswer(message)}${LIVE_STATUSES.has(message.status) ? nothing : this.renderFooter(message)}</div>`;
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
        return this.renderText(group.text, open, open && message.status === 'streaming');
      })}
      ${waiting
        ? html`<span class="pending" role="img" aria-label=${this.#localizer.value.text('agentWorking')}><span></span><span></span><span></span></span>`
        : nothing}
      ${this.renderState(message)}
    </div>`;
  }

  /** One "Thinking" section; `open`: the agent is still thinking it. */
  protected renderReasoning(text: string, open: boolean) {
    return html`<details part="reasoning">
      <summary>${this.#localizer.value.text(open ? 'thinkingLive' : 'thinking')}</summary>
      <div class="reasoning__text">${text}</div>
    </details>`;
  }

  /** One block of the answer's text; `streaming` while it may still grow, `typing` while it grows right now (a caret follows it). */
  protected renderText(text: string, streaming: boolean, typing = false) {
    if (!text) return nothing;
    if (customElements.get('agent37-markdown')) {
      return html`<agent37-markdown
        part="text"
        exportparts="body, link, image, table-scroll, table, code-block, code-header, code-language, copy-button, code, expand-button"
        .text=${text}
        .streaming=${streaming}
        .typing=${typing}
        .imageOrigins=${this.imageOrigins}
      ></agent37-markdown>`;
    }
    return html`<div class="text" part="text">${text}</div>`;
  }

  /**
   * When the message was written: relative ("5 minutes ago"), the date and time in the tooltip. A
   * screen reader hears the date and time, which stay as they are: a log that re-read every time
   * once a minute would drown what is new.
   */
  protected renderTime(at: number | undefined) {
    if (at === undefined || !Number.isFinite(at)) return nothing;
    const l = this.#localizer.value;
    const absolute = l.dateTime(at);
    this.#timed = true;
    return html`<time part="timestamp" datetime=${new Date(at).toISOString()} title=${absolute}><span aria-hidden="true">${l.relativeTime(at)}</span><span class="visually-hidden">${absolute}</span></time>`;
  }

  /** Under an answer that is over: Copy and usage once it is finished with text, and its time. */
  protected renderFooter(message: AssistantMessage) {
    const l = this.#localizer.value;
    const finished = message.status === 'complete' || message.status === 'stopped';
    const state = this.#copy.state;
    const name = l.text('copyAnswer');
    const copy =
      finished && message.text
        ? html`<button type="button" class="copy" part="copy-answer-button" title=${name} aria-label=${state === 'idle' ? name : nothing} @click=${this._onCopy}>${COPY_ICON}${state === 'idle' ? nothing : l.text(state === 'copied' ? 'copied' : 'copyFailed')}</button><span class="visually-hidden" role="status">${state === 'copied' ? l.text('answerCopied') : ''}</span>`
        : nothing;
    const time = this.renderTime(message.createdAt);
    const usage = finished && this.showUsage ? this.renderUsage(message.usage) : nothing;
    if (copy === nothing && time === nothing && usage === nothing) return nothing;
    return html`<div class="meta">${copy}${time}${usage}</div>`;
  }

  /** "1,234 tokens · $0.0123": input and output tokens, and the cost when the gateway said it. */
  protected renderUsage(usage: Usage | null | undefined) {
    if (!usage) return nothing;
    const l = this.#localizer.value;
    const tokens = l.plural('tokens', usage.input_tokens + usage.output_tokens);
    const cost = typeof usage.cost_usd === 'number' ? l.number(usage.cost_usd, { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 }) : null;
    return html`<span part="usage" dir="auto">${cost === null ? tokens : l.text('usage', { tokens, cost })}</span>`;
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
      case 'reconnecting':
      case 'offline':
        return html`<div class="status" part="status">${this.#localizer.value.text(message.status)}</div>`;
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

// The sentences come from the catalogue by code (error-wording.ts); no message, so no English detail.
const AGENT_FAILED = new Agent37Error({ code: 'agent_error', message: '' });
const EMPTY_ANSWER = new Agent37Error({ code: 'empty_answer', message: '' });

const COPY_ICON = html`<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="9" y="9" width="11" height="11" rx="2"></rect><path d="M5 15V6a2 2 0 0 1 2-2h8"></path></svg>`;

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
const CONNECTION_LOST = new Agent37Error({ code: 'stream_interrupted', message: '' });

/** The same error without its Retry-After: an interrupted turn waits for the visitor, it does not count down. */
const withoutCountdown = new WeakMap<Agent37Error, Agent37Error>();

/**
 * What an interrupted answer says: "Connection lost." for a network or stream error, else the
 * error's own wording (e.g. sign in again). Same object for the same error, so the notice does not
 * restart for nothing.
 */
function interruptedNotice(error: Agent37Error | undefined): Agent37Error {
  if (!error || isResumable(error)) return CONNECTION_LOST;
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
