import { LitElement, css, html, nothing } from 'lit';
import { consumeLocalizer } from '../i18n/localizer-context.js';
import { focusRingStyles, touchTargetStyles } from './shared-styles.js';

/** A suggestion chip: the text it sends, and optionally a shorter label to show for it. */
export type Suggestion = string | { text: string; label?: string };

/** Internal: the visitor picked a suggestion. */
export class SuggestionPickEvent extends Event {
  constructor(readonly text: string) {
    super('suggestion-pick', { bubbles: false, composed: false });
  }
}

/**
 * What an empty conversation shows: the agent's avatar and name (when the page gave them), the
 * greeting (slotted through from the chat), and suggestion chips that send their text.
 *
 * The avatar follows the chat's `image-origins` rule: it loads only from an origin listed there;
 * otherwise (or when it fails to load) the name's first letter stands in.
 *
 * @summary The empty conversation.
 * @slot greeting - the greeting
 * @csspart agent-avatar - the avatar (an image, or the initial)
 * @csspart agent-name - the agent's name
 * @csspart suggestions - the list of suggestion chips
 * @csspart suggestion - one chip
 *
 * @event suggestion-pick - internal, not composed: a chip was pressed; `text` is what to send
 */
export class Agent37EmptyState extends LitElement {
  static override styles = [
    css`
      :host {
        display: flex;
        flex-direction: column;
        align-items: center;
        gap: calc(var(--_space, 12px) * 0.75);
        margin: auto;
        padding: calc(var(--_space, 12px) * 2) var(--_space, 12px);
        text-align: center;
        color: var(--_muted, GrayText);
      }
      .avatar {
        width: 3.25em;
        height: 3.25em;
        border-radius: 50%;
        object-fit: cover;
        display: grid;
        place-items: center;
        font-size: 1.1em;
        font-weight: 600;
        color: var(--_accent-text, #fff);
        background: var(--_accent, #2f5bd3);
      }
      .name {
        color: var(--_text, CanvasText);
        font-weight: 600;
        font-size: 1.05em;
      }
      .greeting {
        font-size: 1.05em;
      }
      /* the page's texts read in their own direction (an English greeting on a right-to-left page) */
      .name,
      .greeting {
        unicode-bidi: plaintext;
      }
      ul {
        display: flex;
        flex-wrap: wrap;
        justify-content: center;
        gap: 0.5em;
        margin: calc(var(--_space, 12px) * 0.5) 0 0;
        padding: 0;
        list-style: none;
      }
      button {
        font: inherit;
        font-size: 0.92em;
        color: var(--_text, CanvasText);
        background: var(--_bg, Canvas);
        border: 1px solid var(--_border, GrayText);
        border-radius: 999px;
        padding: 0.4em 0.95em;
        cursor: pointer;
        text-align: start;
      }
      button:hover:not(:disabled) {
        background: var(--_surface, ButtonFace);
      }
      button:disabled {
        opacity: 0.55;
        cursor: default;
      }
    `,
    focusRingStyles,
    touchTargetStyles,
  ];

  static override properties = {
    agentName: { attribute: false },
    agentAvatar: { attribute: false },
    imageOrigins: { attribute: false },
    suggestions: { attribute: false },
    disabled: { type: Boolean },
    _avatarFailed: { state: true },
  };

  /** the agent's name, shown above the greeting */
  declare agentName: string;
  /** the avatar's URL; shown only from an origin in `imageOrigins` */
  declare agentAvatar: string;
  /** origins images may load from (the chat's `image-origins`, parsed) */
  declare imageOrigins: readonly string[];
  /** the chips */
  declare suggestions: readonly Suggestion[];
  /** the chips cannot be pressed (the chat is disabled) */
  declare disabled: boolean;
  declare private _avatarFailed: boolean;

  readonly #localizer = consumeLocalizer(this);

  constructor() {
    super();
    this.agentName = '';
    this.agentAvatar = '';
    this.imageOrigins = [];
    this.suggestions = [];
    this.disabled = false;
    this._avatarFailed = false;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>) {
    if (changed.has('agentAvatar')) this._avatarFailed = false;
  }

  override render() {
    const avatar = this._avatarFailed ? null : allowedImage(this.agentAvatar, this.imageOrigins);
    const initial = [...this.agentName.trim()][0]?.toLocaleUpperCase();
    const chips = this.suggestions.map(asChip).filter((chip) => chip.text.trim() !== '');
    return html`${avatar
        ? html`<img class="avatar" part="agent-avatar" src=${avatar} alt="" @error=${this._onAvatarError} />`
        : initial
          ? html`<span class="avatar" part="agent-avatar" aria-hidden="true">${initial}</span>`
          : nothing}
      ${this.agentName ? html`<div class="name" part="agent-name">${this.agentName}</div>` : nothing}
      <div class="greeting"><slot name="greeting"></slot></div>
      ${chips.length
        ? html`<ul part="suggestions" aria-label=${this.#localizer.value.text('suggestions')}>
            ${chips.map(
              (chip) =>
                html`<li>
                  <button type="button" part="suggestion" dir="auto" ?disabled=${this.disabled} @click=${() => this.dispatchEvent(new SuggestionPickEvent(chip.text))}>
                    ${chip.label}
                  </button>
                </li>`,
            )}
          </ul>`
        : nothing}`;
  }

  private _onAvatarError() {
    this._avatarFailed = true;
  }
}

function asChip(suggestion: Suggestion): { text: string; label: string } {
  if (typeof suggestion === 'string') return { text: suggestion, label: suggestion };
  const text = typeof suggestion?.text === 'string' ? suggestion.text : '';
  return { text, label: typeof suggestion?.label === 'string' && suggestion.label ? suggestion.label : text };
}

/**
 * The avatar's URL when it may load: http(s), no credentials, and an origin the page listed in
 * `image-origins` (a relative URL resolves against the page, so the page lists its own origin). Not
 * url-policy.ts's imageOriginSet: that module belongs to the lazy markdown chunk, and importing it
 * here would split it out of both (see src/markdown/host-lit.ts).
 */
function allowedImage(src: string, origins: readonly string[]): string | null {
  if (!src) return null;
  try {
    const url = new URL(src, document.baseURI);
    const allowed = origins.some((origin) => {
      try {
        return new URL(origin).origin === url.origin;
      } catch {
        return false;
      }
    });
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && allowed ? url.href : null;
  } catch {
    return null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-empty-state': Agent37EmptyState;
  }
}
