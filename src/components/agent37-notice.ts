import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { Agent37Error } from '../contract/errors.js';
import { consumeLocalizer } from '../i18n/localizer-context.js';
import { describeError } from './error-wording.js';
import { focusRingStyles, touchTargetStyles } from './shared-styles.js';

/**
 * An error shown in the conversation in plain words, with what to do. When the widget will try
 * again by itself (Retry-After), the seconds count down. With `resumable` (a dropped stream) a
 * Resume button appears; pressing it fires the internal `resume-request` event. With `retryable` (a
 * failed or empty answer) a Retry button fires `retry-request`. The agent's or provider's raw
 * message, where the sentence stands in for it, is kept folded away under Details.
 *
 * @summary An error in the conversation.
 * @csspart error - the error box
 * @csspart error-detail - the raw message behind the sentence (folded)
 * @csspart resume-button - the Resume button
 * @csspart retry-button - the Retry button
 *
 * @event resume-request - internal, not composed: the visitor pressed Resume
 * @event retry-request - internal, not composed: the visitor pressed Retry
 */
export class Agent37Notice extends LitElement {
  static override styles = [
    css`
    :host {
      display: block;
    }
    .error {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5em 0.75em;
      padding: 0.55em 0.8em;
      border-radius: calc(var(--_radius, 12px) * 0.7);
      color: var(--_danger, #b42318);
      background: var(--_danger-bg, #fdecea);
      font-size: 0.92em;
    }
    .error__text {
      flex: 1 1 12em;
    }
    .error__detail {
      flex: 1 0 100%;
      font-size: 0.9em;
      color: var(--_muted, GrayText);
    }
    .error__detail summary {
      cursor: pointer;
      width: fit-content;
      border-radius: 4px;
    }
    .error__detail div {
      margin-top: 0.25em;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    button {
      font: inherit;
      color: var(--_text, CanvasText);
      background: var(--_bg, Canvas);
      border: 1px solid var(--_border, GrayText);
      border-radius: calc(var(--_radius, 12px) * 0.6);
      padding: 0.2em 0.8em;
      cursor: pointer;
    }
  `,
    focusRingStyles,
    touchTargetStyles,
  ];

  static override properties = {
    error: { attribute: false },
    resumable: { type: Boolean },
    retryable: { type: Boolean },
    standalone: { type: Boolean },
    _now: { state: true },
  };

  /** the error to put in words; nothing shows while null */
  declare error: Agent37Error | null;
  /** offer Resume for a dropped stream */
  declare resumable: boolean;
  /** offer Retry: send the same message again as a new turn */
  declare retryable: boolean;
  /** a conversation-level notice (not inside an answer): network errors then say what to do */
  declare standalone: boolean;
  declare private _now: number;
  private _shownAt = Date.now();
  private _timer: ReturnType<typeof setInterval> | undefined;
  #localizer = consumeLocalizer(this);

  constructor() {
    super();
    this.error = null;
    this.resumable = false;
    this.retryable = false;
    this.standalone = false;
    this._now = Date.now();
  }

  private _onResume() {
    this.dispatchEvent(new Event('resume-request', { bubbles: true, composed: false }));
  }

  private _onRetry() {
    this.dispatchEvent(new Event('retry-request', { bubbles: true, composed: false }));
  }

  private _stopTimer() {
    clearInterval(this._timer);
    this._timer = undefined;
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this._stopTimer();
  }

  protected override willUpdate(changed: PropertyValues<this>) {
    if (!changed.has('error')) return;
    this._shownAt = Date.now();
    this._now = this._shownAt;
    this._stopTimer();
    // A countdown only while there is something to count down.
    if (this.error?.retryAfterMs !== undefined && this.error.retryAfterMs > 0) {
      this._timer = setInterval(() => {
        this._now = Date.now();
        if (this._now >= this._shownAt + (this.error?.retryAfterMs ?? 0)) this._stopTimer();
      }, 1000);
    }
  }

  override render() {
    if (!this.error) return nothing;
    const l = this.#localizer.value;
    const wording = describeError(this.error, l, this._shownAt, this._now);
    const text = wording.resumable && !this.resumable && this.standalone ? `${wording.text} ${l.text('checkConnection')}` : wording.text;
    const detail = wording.detailed && this.error.message && this.error.message !== wording.text ? this.error.message : null;
    return html`<div class="error" part="error">
      <span class="error__text">${text}</span>
      ${this.resumable ? html`<button type="button" part="resume-button" @click=${this._onResume}>${l.text('resume')}</button>` : nothing}
      ${this.retryable ? html`<button type="button" part="retry-button" @click=${this._onRetry}>${l.text('retry')}</button>` : nothing}
      ${detail
        ? html`<details class="error__detail" part="error-detail"><summary>${l.text('details')}</summary><div>${detail}</div></details>`
        : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-notice': Agent37Notice;
  }
}
