import { LitElement, css, html, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import { consumeLocalizer } from '../i18n/localizer-context.js';
import { focusRingStyles, touchTargetStyles } from './shared-styles.js';

/** Internal: the visitor asked to send `text`. The chat decides whether it goes out. */
export class ComposerSubmitEvent extends Event {
  constructor(readonly text: string) {
    super('composer-submit', { bubbles: false, composed: false });
  }
}

/**
 * The message box: a textarea that grows with its text up to a maximum height, Enter sends and
 * Shift+Enter adds a line (never while an input method is composing), a Send button, and a Stop
 * button in its place while a turn runs. It never clears itself: the chat sets `value` once the
 * message went out, and puts the text back when it was refused.
 *
 * Controls for the next message (the model picker) go in the `tools` slot, a row above the box
 * that takes no room while nothing is in it.
 *
 * @summary The message composer.
 * @slot tools - controls above the message box, such as <agent37-model-picker>
 * @csspart input - the textarea
 * @csspart send-button - the Send button
 * @csspart stop-button - the Stop button
 *
 * @cssproperty [--agent37-input-max-height=12em] - how tall the textarea may grow
 *
 * @event composer-submit - internal, not composed: the visitor asked to send (Enter or Send); `text` is what they typed
 * @event composer-stop - internal, not composed: the visitor pressed Stop
 */
export class Agent37Composer extends LitElement {
  static override styles = [
    css`
    :host {
      display: block;
      padding: calc(var(--_space, 12px) * 0.75) var(--_space, 12px);
      border-block-start: 1px solid var(--_border, GrayText);
    }
    .tools {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: calc(var(--_space, 12px) * 0.5);
      margin-block-end: calc(var(--_space, 12px) * 0.5);
    }
    .tools--empty {
      display: none;
    }
    .composer {
      display: flex;
      align-items: flex-end;
      gap: calc(var(--_space, 12px) * 0.6);
    }
    textarea {
      flex: 1;
      min-width: 0;
      box-sizing: border-box;
      resize: none;
      font: inherit;
      line-height: 1.4;
      color: var(--_text, CanvasText);
      background: var(--_bg, Canvas);
      border: 1px solid var(--_border, GrayText);
      border-radius: calc(var(--_radius, 12px) * 0.8);
      padding: 0.55em 0.75em;
      height: calc(1.4em + 1.1em + 2px);
      max-height: var(--agent37-input-max-height, 12em);
      overflow-y: auto;
    }
    textarea::placeholder {
      color: var(--_muted, GrayText);
      opacity: 1;
    }
    textarea:disabled {
      opacity: 0.6;
    }
    button {
      flex: none;
      display: inline-grid;
      place-items: center;
      width: 2.5em;
      height: 2.5em;
      padding: 0;
      border-radius: 50%;
      border: none;
      cursor: pointer;
      color: var(--_accent-text, #fff);
      background: var(--_accent, #2f5bd3);
    }
    button.stop {
      color: var(--_text, CanvasText);
      background: var(--_surface, ButtonFace);
      border: 1px solid var(--_border, GrayText);
    }
    button:disabled {
      opacity: 0.5;
      cursor: default;
    }
    svg {
      width: 1.15em;
      height: 1.15em;
      fill: currentColor;
    }
    :host(:dir(rtl)) .send svg {
      transform: scaleX(-1);
    }
  `,
    focusRingStyles,
    touchTargetStyles,
  ];

  static override properties = {
    value: { attribute: false },
    busy: { type: Boolean },
    disabled: { type: Boolean, reflect: true },
    placeholder: { type: String },
    _hasTools: { state: true },
  };

  /** the text in the box */
  declare value: string;
  /** a turn is running: Stop replaces Send */
  declare busy: boolean;
  /** the visitor cannot type or send */
  declare disabled: boolean;
  /** the empty box's hint, and the textarea's accessible name; the language's "Message" when unset */
  declare placeholder: string | undefined;
  declare private _hasTools: boolean;
  #localizer = consumeLocalizer(this);

  constructor() {
    super();
    this.value = '';
    this.busy = false;
    this.disabled = false;
    this._hasTools = false;
  }

  /** Focuses the textarea. */
  override focus(options?: FocusOptions) {
    this.renderRoot.querySelector('textarea')?.focus(options);
  }

  private _submit() {
    if (this.disabled || this.busy) return;
    this.dispatchEvent(new ComposerSubmitEvent(this.value));
  }

  private _onInput(e: InputEvent) {
    this.value = (e.target as HTMLTextAreaElement).value;
  }

  private _onKeydown(e: KeyboardEvent) {
    // keyCode 229: the key belongs to an input method (IME) even where isComposing is not set yet.
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    this._submit();
  }

  private _onToolsSlotChange(e: Event) {
    this._hasTools = (e.target as HTMLSlotElement).assignedElements({ flatten: true }).length > 0;
  }

  private _onStop() {
    this.dispatchEvent(new Event('composer-stop', { bubbles: false, composed: false }));
  }

  protected override updated(changed: PropertyValues<this>) {
    if (changed.has('value')) this._fitHeight();
  }

  private _fitHeight() {
    const textarea = this.renderRoot.querySelector('textarea');
    if (!textarea) return;
    textarea.style.height = 'auto';
    // scrollHeight excludes borders; max-height in CSS caps the growth.
    textarea.style.height = `${textarea.scrollHeight + 2}px`;
  }

  // One button turns from Send into Stop (and back), so keyboard focus stays on it.
  override render() {
    const l = this.#localizer.value;
    const placeholder = this.placeholder ?? l.text('placeholder');
    return html`<div class=${this._hasTools ? 'tools' : 'tools tools--empty'}>
        <slot name="tools" @slotchange=${this._onToolsSlotChange}></slot>
      </div>
      <div class="composer">
        <textarea
          part="input"
          rows="1"
          aria-label=${placeholder || l.text('placeholder')}
          placeholder=${placeholder}
          .value=${live(this.value)}
          ?disabled=${this.disabled}
          @input=${this._onInput}
          @keydown=${this._onKeydown}
        ></textarea>
        <button
          type="button"
          class=${this.busy ? 'stop' : 'send'}
          part=${this.busy ? 'stop-button' : 'send-button'}
          aria-label=${l.text(this.busy ? 'stopAnswering' : 'sendMessage')}
          title=${l.text(this.busy ? 'stop' : 'send')}
          ?disabled=${this.disabled}
          @click=${this.busy ? this._onStop : this._submit}
        >
          ${this.busy ? STOP_ICON : SEND_ICON}
        </button>
      </div>`;
  }
}

const SEND_ICON = html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3.4 20.4 21 12 3.4 3.6 3.4 10.2 15 12 3.4 13.8z"></path></svg>`;
const STOP_ICON = html`<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="6" y="6" width="12" height="12" rx="2"></rect></svg>`;

declare global {
  interface HTMLElementTagNameMap {
    'agent37-composer': Agent37Composer;
  }
}
