// Loaded when the list first opens (src/components/lazy-elements.ts): it imports types only, and
// its element is made from the entry's Lit (see lit-kit.ts).
import type { PropertyValues } from 'lit';
import type { TextKey } from '../i18n/strings.js';
import type { ConversationSummary } from '../state/conversation-summary.js';
import type { LitKit } from './lit-kit.js';

/** Internal: the visitor picked a conversation to open. */
export class ConversationOpenEvent extends Event {
  constructor(readonly sessionId: string) {
    super('conversation-open', { bubbles: false, composed: false });
  }
}

/** Internal: the visitor asked for a new conversation. */
export class ConversationNewEvent extends Event {
  constructor() {
    super('conversation-new', { bubbles: false, composed: false });
  }
}

/** Internal: the visitor wants the list closed (Escape). */
export class ConversationListCloseEvent extends Event {
  constructor() {
    super('conversation-list-close', { bubbles: false, composed: false });
  }
}

/** Internal: the visitor asked to load the list again after it failed. */
export class ConversationListRetryEvent extends Event {
  constructor() {
    super('conversation-list-retry', { bubbles: false, composed: false });
  }
}

/**
 * Renames and deletions are changes the chat carries out with the gateway: it answers the event
 * with `respondWith(promise)` while the event is dispatched, and the list shows the outcome when the
 * promise settles (a rejection is an object with `code` and `status`, such as an Agent37Error).
 * Unanswered, the change counts as done.
 */
function answerWhileDispatched(event: Event, response: Promise<void>): Promise<void> {
  // After dispatch the list has already read the answer, so a late one would be lost.
  if (event.eventPhase === Event.NONE) throw new DOMException(`${event.type}: respondWith must be called while the event is dispatched`, 'InvalidStateError');
  return response;
}

/** Internal: the visitor renamed a conversation; `title` is trimmed and differs from the old one. */
export class ConversationRenameEvent extends Event {
  #response: Promise<void> | undefined;

  constructor(
    readonly sessionId: string,
    readonly title: string,
  ) {
    super('conversation-rename', { bubbles: false, composed: false });
  }

  /** Hands the list the promise of the rename; only while the event is being dispatched. */
  respondWith(response: Promise<void>): void {
    this.#response = answerWhileDispatched(this, response);
  }

  /** what the chat answered, if it did */
  get response(): Promise<void> | undefined {
    return this.#response;
  }
}

/** Internal: a deletion is final (its Undo time ran out, another deletion began, or the list left the page). */
export class ConversationDeleteEvent extends Event {
  #response: Promise<void> | undefined;

  constructor(readonly sessionId: string) {
    super('conversation-delete', { bubbles: false, composed: false });
  }

  /** Hands the list the promise of the deletion; only while the event is being dispatched. */
  respondWith(response: Promise<void>): void {
    this.#response = answerWhileDispatched(this, response);
  }

  /** what the chat answered, if it did */
  get response(): Promise<void> | undefined {
    return this.#response;
  }
}

/** The row whose title is being edited: typing, or waiting for the chat's answer. */
type Rename =
  | { type: 'editing'; sessionId: string; original: string; error: TextKey | null; failedTitle: string | null }
  | { type: 'saving'; sessionId: string; original: string; title: string };

/** A control to focus once the next render is on screen. */
type FocusTarget = { control: 'new' } | { control: 'open' | 'rename' | 'delete' | 'undo' | 'input'; sessionId: string };


const TITLE_MAX_LENGTH = 200;

/** How long a deleted conversation can be brought back, in milliseconds. */
export const UNDO_MS = 5000;

/** <agent37-conversation-list> as the chat and tests use it (the class is made by conversationListElement). */
export interface Agent37ConversationList extends HTMLElement {
  /** the conversations, newest first; null while they load */
  conversations: readonly ConversationSummary[] | null;
  /** the conversation open in the chat */
  currentId: string | null;
  /** false hides Rename (the gateway cannot rename) */
  canRename: boolean;
  /** set when the list could not be loaded: an error row with Retry */
  loadError: string | null;
  disabled: boolean;
  /** how long Undo is offered after a delete (UNDO_MS) */
  undoMs: number;
  /** makes a deletion waiting out its Undo time final now */
  commitDelete(): void;
  readonly updateComplete: Promise<boolean>;
}

/** The element's class, made from the entry's Lit (`kit`); lazy-elements.ts defines it. */
export function conversationListElement(kit: LitKit): CustomElementConstructor {
  const { LitElement, css, html, nothing, consumeLocalizer, followMinutes, focusRingStyles, touchTargetStyles } = kit;
  const icon = (d: string) => html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d=${d}></path></svg>`;
  const NEW_ICON = icon('M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z');
  const RENAME_ICON = icon('M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zm17.71-10.21a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z');
  const DELETE_ICON = icon('M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6v12zM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4z');

  /**
   * The visitor's conversations, newest first, as the chat shows them in a panel: open one, start a
   * new one, rename one in place, delete one (with a few seconds to undo). It never talks to the
   * gateway: the chat sets the data and carries out what the events ask, answering renames and
   * deletions with `respondWith(promise)` so the list can show what went wrong.
   *
   * ArrowDown and ArrowUp move between the conversations; Escape asks to close the list and goes no
   * further, so one Escape closes one layer (in the title editor it only cancels the edit).
   *
   * @summary The list of conversations.
   * @csspart new-conversation-button - the "New conversation" button at the top
   * @csspart conversation - one conversation's row
   * @csspart conversation-title - its title
   * @csspart conversation-time - when it was last used
   * @csspart conversation-preview - the start of its last message
   * @csspart rename-button - the row's Rename button
   * @csspart delete-button - the row's Delete button
   * @csspart rename-input - the title's text box while renaming
   * @csspart undo-button - Undo, in place of a row just deleted
   *
   * @event conversation-open - internal, not composed: a conversation was picked; `sessionId` says which
   * @event conversation-new - internal, not composed: New conversation was pressed
   * @event conversation-rename - internal, not composed: `sessionId` is to be titled `title`; answer with `respondWith(promise)`
   * @event conversation-delete - internal, not composed: `sessionId` is to be deleted for good; answer with `respondWith(promise)`
   * @event conversation-list-close - internal, not composed: Escape was pressed in the list
   * @event conversation-list-retry - internal, not composed: Retry was pressed after the list failed to load
   */
  class Agent37ConversationList extends LitElement {
    static override styles = [
      css`
        :host {
          display: block;
          overflow-y: auto;
          overscroll-behavior: contain;
          color: var(--_text, CanvasText);
          background: var(--_bg, Canvas);
        }
        :host([hidden]) {
          display: none;
        }
        .list {
          display: flex;
          flex-direction: column;
          gap: calc(var(--_space, 12px) * 0.5);
          padding: calc(var(--_space, 12px) * 0.5);
        }
        button {
          font: inherit;
          color: inherit;
          cursor: pointer;
        }
        button:disabled {
          opacity: 0.55;
          cursor: default;
        }
        svg {
          flex: none;
          width: 1.15em;
          height: 1.15em;
          fill: currentColor;
        }
        .new {
          display: flex;
          align-items: center;
          gap: 0.5em;
          inline-size: 100%;
          box-sizing: border-box;
          padding: 0.55em 0.8em;
          color: var(--_accent, LinkText);
          background: var(--_bg, Canvas);
          border: 1px solid var(--_border, GrayText);
          border-radius: calc(var(--_radius, 12px) * 0.6);
          font-weight: 600;
          text-align: start;
        }
        .new:hover:not(:disabled) {
          background: var(--_surface, ButtonFace);
        }
        ul {
          display: flex;
          flex-direction: column;
          gap: 2px;
          margin: 0;
          padding: 0;
          list-style: none;
        }
        .status {
          padding: 0.75em 0.8em;
          color: var(--_muted, GrayText);
        }
        .load-error {
          display: flex;
          flex-wrap: wrap;
          align-items: center;
          gap: 0.5em 0.75em;
          padding: 0.55em 0.8em;
          border-radius: calc(var(--_radius, 12px) * 0.6);
          color: var(--_danger, #b42318);
          background: var(--_danger-bg, #fdecea);
        }
        .load-error span {
          flex: 1 1 12em;
        }
        .load-error button,
        .undo button {
          padding: 0.2em 0.8em;
          color: var(--_text, CanvasText);
          background: var(--_bg, Canvas);
          border: 1px solid var(--_border, GrayText);
          border-radius: calc(var(--_radius, 12px) * 0.6);
        }

        /* a row: the open button takes the room, the actions sit at its end; messages wrap under */
        .conversation {
          display: flex;
          flex-wrap: wrap;
          align-items: center;
          border-inline-start: 3px solid transparent;
          border-radius: calc(var(--_radius, 12px) * 0.5);
        }
        .conversation--current {
          border-inline-start-color: var(--_accent, Highlight);
          background: var(--_surface, ButtonFace);
        }
        .conversation[aria-busy='true'] {
          opacity: 0.7;
        }
        @media (hover: hover) {
          .conversation:hover {
            background: var(--_surface, ButtonFace);
          }
        }
        .conversation__open {
          flex: 1 1 0;
          min-inline-size: 0;
          display: grid;
          /* the title gets the whole first line; the time shares the second with the preview */
          grid-template-columns: minmax(0, 1fr) auto;
          grid-template-areas: 'title title' 'preview time';
          align-items: baseline;
          gap: 0.1em 0.6em;
          padding: 0.5em 0.6em;
          background: none;
          border: none;
          border-radius: inherit;
          text-align: start;
        }
        .conversation__title,
        .conversation__preview {
          overflow: hidden;
          text-overflow: ellipsis;
          white-space: nowrap;
          /* an English title reads left to right on a right-to-left page, and the other way round */
          unicode-bidi: plaintext;
        }
        .conversation__title {
          grid-area: title;
        }
        .conversation--current .conversation__title {
          font-weight: 600;
        }
        .conversation__title--untitled {
          color: var(--_muted, GrayText);
          font-style: italic;
        }
        .conversation__time {
          grid-area: time;
          font-size: 0.8em;
          color: var(--_muted, GrayText);
          white-space: nowrap;
        }
        .conversation__preview {
          grid-area: preview;
          font-size: 0.85em;
          color: var(--_muted, GrayText);
        }
        .conversation__actions {
          flex: none;
          display: flex;
          gap: 2px;
          padding-inline-end: 0.25em;
          opacity: 0;
        }
        .conversation:hover .conversation__actions,
        .conversation:focus-within .conversation__actions,
        .conversation--current .conversation__actions {
          opacity: 1;
        }
        @media (pointer: coarse) {
          .conversation__actions {
            opacity: 1;
          }
        }
        .icon-button {
          display: inline-grid;
          place-items: center;
          inline-size: 2em;
          block-size: 2em;
          padding: 0;
          color: var(--_muted, GrayText);
          background: none;
          border: none;
          border-radius: calc(var(--_radius, 12px) * 0.4);
        }
        .icon-button:hover:not(:disabled) {
          color: var(--_text, CanvasText);
          background: var(--_bg, Canvas);
        }
        .conversation__delete:hover:not(:disabled) {
          color: var(--_danger, #b42318);
        }
        .conversation__editor {
          flex: 1 1 0;
          min-inline-size: 0;
          padding: 0.35em 0.45em;
        }
        input {
          box-sizing: border-box;
          inline-size: 100%;
          font: inherit;
          color: var(--_text, CanvasText);
          background: var(--_bg, Canvas);
          border: 1px solid var(--_border, GrayText);
          border-radius: calc(var(--_radius, 12px) * 0.4);
          padding: 0.3em 0.5em;
          unicode-bidi: plaintext;
        }
        input[aria-invalid='true'] {
          border-color: var(--_danger, #b42318);
        }
        @media (pointer: coarse) {
          input {
            min-block-size: 44px;
          }
        }
        .conversation__message {
          flex: 1 0 100%;
          box-sizing: border-box;
          padding: 0 0.7em 0.45em;
          font-size: 0.85em;
          color: var(--_danger, #b42318);
        }
        .conversation__message:empty {
          display: none;
        }
        .undo {
          display: flex;
          flex-wrap: wrap;
          align-items: center;
          justify-content: space-between;
          gap: 0.5em 0.75em;
          padding: 0.45em 0.6em;
          padding-inline-start: 0.8em;
          color: var(--_muted, GrayText);
          border-inline-start: 3px solid transparent;
        }
      `,
      focusRingStyles,
      touchTargetStyles,
    ];

    static override properties = {
      conversations: { attribute: false },
      currentId: { attribute: false },
      canRename: { attribute: false },
      loadError: { attribute: false },
      disabled: { type: Boolean },
      undoMs: { attribute: false },
      _rename: { state: true },
      _undoId: { state: true },
      _removed: { state: true },
      _deleteFailed: { state: true },
      _renamed: { state: true },
    };

    /** the conversations, newest first; null while they load */
    declare conversations: readonly ConversationSummary[] | null;
    /** the conversation open in the chat */
    declare currentId: string | null;
    /** offer Rename (false once the gateway said it cannot rename) */
    declare canRename: boolean;
    /** set when the list could not be loaded: an error row with Retry shows (its text is the list's own) */
    declare loadError: string | null;
    /** no control can be pressed (the chat is disabled) */
    declare disabled: boolean;
    /** how long Undo is offered after a deletion, in milliseconds */
    declare undoMs: number;
    declare private _rename: Rename | null;
    /** the row deleted but still undoable: its Undo row shows in its place */
    declare private _undoId: string | null;
    /** rows whose deletion went to the chat (hidden while it runs, and for good once it succeeded) */
    declare private _removed: ReadonlySet<string>;
    /** rows back after their deletion failed: they say so */
    declare private _deleteFailed: ReadonlySet<string>;
    /** titles renamed here, shown until the chat sets the list again */
    declare private _renamed: ReadonlyMap<string, string>;

    readonly #localizer = consumeLocalizer(this);
    #undoTimer: ReturnType<typeof setTimeout> | undefined;
    #focusTarget: FocusTarget | null = null;

    constructor() {
      super();
      this.conversations = null;
      this.currentId = null;
      this.canRename = true;
      this.loadError = null;
      this.disabled = false;
      this.undoMs = UNDO_MS;
      this._rename = null;
      this._undoId = null;
      this._removed = new Set();
      this._deleteFailed = new Set();
      this._renamed = new Map();
    }

    /** Focuses the open conversation's row, else the New conversation button. */
    override focus(options?: FocusOptions) {
      const current = this.currentId === null ? null : this.#control({ control: 'open', sessionId: this.currentId });
      (current ?? this.#control({ control: 'new' }))?.focus(options);
    }

    /** The rows to show, in order: every conversation but those deleted (or being deleted). */
    #rows(): ConversationSummary[] {
      return (this.conversations ?? []).filter((row) => !this._removed.has(row.sessionId));
    }

    #title(row: ConversationSummary): string {
      return this._renamed.get(row.sessionId) ?? row.title;
    }

    #control(target: FocusTarget): HTMLElement | null {
      if (target.control === 'new') return this.renderRoot.querySelector<HTMLElement>('.new');
      const row = [...this.renderRoot.querySelectorAll<HTMLElement>('li[data-session-id]')].find((li) => li.dataset['sessionId'] === target.sessionId);
      return row?.querySelector<HTMLElement>(`.conversation__${target.control}`) ?? null;
    }

    #focusAfterUpdate(target: FocusTarget) {
      this.#focusTarget = target;
      this.requestUpdate();
    }

    #hasFocus(selector: string): boolean {
      const active = (this.renderRoot as ShadowRoot).activeElement;
      return active !== null && active.closest(selector) !== null;
    }

    #startRename(row: ConversationSummary) {
      if (this._rename?.type === 'saving') return;
      this._rename = { type: 'editing', sessionId: row.sessionId, original: this.#title(row), error: null, failedTitle: null };
      this._deleteFailed = without(this._deleteFailed, row.sessionId);
      this.#focusAfterUpdate({ control: 'input', sessionId: row.sessionId });
    }

    /** Closes the editor; focus goes back to Rename when it was in the editor (not when the visitor clicked away). */
    #closeRename() {
      const rename = this._rename;
      if (!rename) return;
      if (this.#hasFocus('.conversation__editor')) this.#focusAfterUpdate({ control: 'rename', sessionId: rename.sessionId });
      this._rename = null;
    }

    #saveRename(input: HTMLInputElement) {
      const rename = this._rename;
      if (rename?.type !== 'editing') return;
      const title = input.value.trim();
      if (!title || title === rename.original) {
        this.#closeRename();
        return;
      }
      const saving: Rename = { type: 'saving', sessionId: rename.sessionId, original: rename.original, title };
      this._rename = saving;
      const event = new ConversationRenameEvent(rename.sessionId, title);
      this.dispatchEvent(event);
      (event.response ?? Promise.resolve()).then(
        () => {
          this._renamed = new Map(this._renamed).set(saving.sessionId, title);
          if (this._rename === saving) this.#closeRename();
        },
        (reason: unknown) => {
          if (this._rename !== saving) return;
          const failure = renameFailure(reason);
          // the chat turns Rename off (canRename); there is nothing the visitor can fix
          if (failure === null) this.#closeRename();
          else this._rename = { type: 'editing', sessionId: saving.sessionId, original: saving.original, error: failure, failedTitle: title };
        },
      );
    }

    #startDelete(row: ConversationSummary) {
      // one Undo at a time: the earlier deletion is final now
      this.#commitDelete();
      this._undoId = row.sessionId;
      this._deleteFailed = without(this._deleteFailed, row.sessionId);
      this.#undoTimer = setTimeout(() => this.#commitDelete(), this.undoMs);
      this.#focusAfterUpdate({ control: 'undo', sessionId: row.sessionId });
    }

    /** Makes a deletion waiting out its Undo time final now (the chat leaves the page). */
    commitDelete(): void {
      this.#commitDelete();
    }

    #commitDelete() {
      const sessionId = this._undoId;
      if (sessionId === null) return;
      clearTimeout(this.#undoTimer);
      if (this.#hasFocus('.undo')) this.#focusAfterUpdate(this.#neighbourOf(sessionId));
      this._undoId = null;
      this._removed = new Set(this._removed).add(sessionId);
      const event = new ConversationDeleteEvent(sessionId);
      this.dispatchEvent(event);
      event.response?.catch(() => {
        this._removed = without(this._removed, sessionId);
        this._deleteFailed = new Set(this._deleteFailed).add(sessionId);
      });
    }

    /** Where focus goes when a row leaves: the next row, else the one before, else New conversation. */
    #neighbourOf(sessionId: string): FocusTarget {
      const rows = this.#rows();
      const index = rows.findIndex((row) => row.sessionId === sessionId);
      const neighbour = rows[index + 1] ?? rows[index - 1];
      return neighbour && index >= 0 ? { control: 'open', sessionId: neighbour.sessionId } : { control: 'new' };
    }

    private _onNew() {
      this.dispatchEvent(new ConversationNewEvent());
    }

    private _onRetry() {
      this.dispatchEvent(new ConversationListRetryEvent());
    }

    private _onUndo() {
      const sessionId = this._undoId;
      if (sessionId === null) return;
      clearTimeout(this.#undoTimer);
      this._undoId = null;
      this.#focusAfterUpdate({ control: 'delete', sessionId });
    }

    private _onKeydown(e: KeyboardEvent) {
      if (e.key === 'Escape') {
        // one Escape closes one layer: the list, not also the panel around it
        e.stopPropagation();
        this.dispatchEvent(new ConversationListCloseEvent());
        return;
      }
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      const stops = [this.renderRoot.querySelector<HTMLElement>('.new'), ...this.renderRoot.querySelectorAll<HTMLElement>('.conversation__open')];
      const from = e.composedPath()[0] as HTMLElement;
      // from a row's Rename or Delete, the row counts as where focus is
      const index = stops.findIndex((stop) => stop === from || (stop?.classList.contains('conversation__open') && stop.parentElement?.contains(from)));
      if (index < 0) return;
      const next = stops[index + (e.key === 'ArrowDown' ? 1 : -1)];
      if (!next) return;
      e.preventDefault();
      next.focus();
    }

    private _onEditorKeydown(e: KeyboardEvent) {
      // keyCode 229: the key belongs to an input method (IME) even where isComposing is not set yet.
      if (e.isComposing || e.keyCode === 229) return;
      if (e.key === 'Enter') {
        e.preventDefault();
        this.#saveRename(e.target as HTMLInputElement);
      } else if (e.key === 'Escape') {
        // Escape cancels the edit and goes no further: it must not close the list
        e.stopPropagation();
        this.#closeRename();
      }
    }

    private _onEditorBlur(e: FocusEvent) {
      const rename = this._rename;
      const input = e.target as HTMLInputElement;
      // after a refusal, leaving the box does not send the same title again
      if (rename?.type !== 'editing' || input.value.trim() === rename.failedTitle) return;
      this.#saveRename(input);
    }

    protected override willUpdate(changed: PropertyValues<this>) {
      if (changed.has('conversations')) this._renamed = new Map();
      const rename = this._rename;
      const gone = rename && !this.#rows().some((row) => row.sessionId === rename.sessionId);
      if (rename && (!this.canRename || gone)) this._rename = null;
    }

    protected override updated() {
      followMinutes(this, this.isConnected && this.#rows().some((row) => row.lastActive !== null));
      const target = this.#focusTarget;
      if (!target) return;
      this.#focusTarget = null;
      const control = this.#control(target);
      control?.focus();
      if (control instanceof HTMLInputElement) control.select();
    }

    override disconnectedCallback() {
      super.disconnectedCallback();
      followMinutes(this, false);
      // leaving the page ends the Undo time: the deletion is final
      this.#commitDelete();
    }

    override render() {
      const l = this.#localizer.value;
      return html`<div class="list" @keydown=${this._onKeydown}>
        <button type="button" class="new" part="new-conversation-button" ?disabled=${this.disabled} @click=${this._onNew}>
          ${NEW_ICON}<span>${l.text('newConversation')}</span>
        </button>
        ${this.loadError !== null
          ? html`<div class="load-error" role="alert">
              <span>${l.text('conversationsLoadFailed')}</span>
              <button type="button" ?disabled=${this.disabled} @click=${this._onRetry}>${l.text('retry')}</button>
            </div>`
          : nothing}
        ${this.conversations === null && this.loadError !== null ? nothing : this._renderList()}
      </div>`;
    }

    protected _renderList() {
      const l = this.#localizer.value;
      const rows = this.#rows();
      return html`<ul aria-label=${l.text('conversations')} aria-busy=${this.conversations === null ? 'true' : nothing}>
        ${this.conversations === null
          ? html`<li class="status">${l.text('conversationsLoading')}</li>`
          : rows.length === 0
            ? html`<li class="status">${l.text('conversationsEmpty')}</li>`
            : rows.map((row) => (row.sessionId === this._undoId ? this._renderUndo(row) : this._renderRow(row)))}
      </ul>`;
    }

    protected _renderRow(row: ConversationSummary) {
      const l = this.#localizer.value;
      const title = this.#title(row);
      const name = title || l.text('conversationUntitled');
      const current = row.sessionId === this.currentId;
      const rename = this._rename?.sessionId === row.sessionId ? this._rename : null;
      const deleteFailed = this._deleteFailed.has(row.sessionId);
      return html`<li
        class="conversation ${current ? 'conversation--current' : ''}"
        part="conversation"
        data-session-id=${row.sessionId}
        aria-busy=${rename?.type === 'saving' ? 'true' : nothing}
      >
        ${rename
          ? this._renderEditor(rename)
          : html`<button
                type="button"
                class="conversation__open"
                aria-current=${current ? 'true' : nothing}
                ?disabled=${this.disabled}
                @click=${() => this.dispatchEvent(new ConversationOpenEvent(row.sessionId))}
              >
                <span class="conversation__title ${title ? '' : 'conversation__title--untitled'}" part="conversation-title" dir="auto">${name}</span>
                ${row.lastActive === null
                  ? nothing
                  : html`<time class="conversation__time" part="conversation-time" datetime=${new Date(row.lastActive).toISOString()} title=${l.dateTime(row.lastActive)}
                      >${l.relativeTime(row.lastActive)}</time
                    >`}
                ${row.preview ? html`<span class="conversation__preview" part="conversation-preview" dir="auto">${row.preview}</span>` : nothing}
              </button>
              <div class="conversation__actions">
                ${this.canRename
                  ? html`<button
                      type="button"
                      class="icon-button conversation__rename"
                      part="rename-button"
                      aria-label=${l.text('conversationRename', { title: name })}
                      title=${l.text('conversationRename', { title: name })}
                      ?disabled=${this.disabled}
                      @click=${() => this.#startRename(row)}
                    >
                      ${RENAME_ICON}
                    </button>`
                  : nothing}
                <button
                  type="button"
                  class="icon-button conversation__delete"
                  part="delete-button"
                  aria-label=${l.text('conversationDelete', { title: name })}
                  title=${l.text('conversationDelete', { title: name })}
                  ?disabled=${this.disabled}
                  @click=${() => this.#startDelete(row)}
                >
                  ${DELETE_ICON}
                </button>
              </div>`}
        ${deleteFailed && !rename ? html`<div class="conversation__message" role="alert">${l.text('conversationDeleteFailed')}</div>` : nothing}
      </li>`;
    }

    protected _renderEditor(rename: Rename) {
      const l = this.#localizer.value;
      const error = rename.type === 'editing' ? rename.error : null;
      return html`<div class="conversation__editor">
          <input
            class="conversation__input"
            part="rename-input"
            dir="auto"
            maxlength=${TITLE_MAX_LENGTH}
            aria-label=${l.text('conversationTitleLabel')}
            aria-invalid=${error ? 'true' : nothing}
            aria-describedby=${error ? 'rename-error' : nothing}
            .value=${rename.original}
            ?readonly=${rename.type === 'saving'}
            @keydown=${this._onEditorKeydown}
            @blur=${this._onEditorBlur}
          />
        </div>
        <div class="conversation__message" id="rename-error" role="alert">${error ? l.text(error) : nothing}</div>`;
    }

    protected _renderUndo(row: ConversationSummary) {
      const l = this.#localizer.value;
      return html`<li class="undo" data-session-id=${row.sessionId}>
        <span id="deleted-note">${l.text('conversationDeleted')}</span>
        <!-- focus lands here: the button's description says what Undo undoes -->
        <button type="button" class="conversation__undo" part="undo-button" aria-describedby="deleted-note" @click=${this._onUndo}>${l.text('conversationUndo')}</button>
      </li>`;
    }
  }
  return Agent37ConversationList;
}

/** What to tell the visitor when a rename was refused; null when there is nothing to say (the gateway cannot rename). */
function renameFailure(reason: unknown): TextKey | null {
  const { code, status } = (reason ?? {}) as { code?: unknown; status?: unknown };
  if (code === 'rename_unsupported' || status === 405) return null;
  if (code === 'title_conflict' || status === 409) return 'conversationTitleTaken';
  if (status === 400) return 'conversationTitleInvalid';
  return 'conversationRenameFailed';
}

function without<T>(set: ReadonlySet<T>, item: T): ReadonlySet<T> {
  if (!set.has(item)) return set;
  const copy = new Set(set);
  copy.delete(item);
  return copy;
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-conversation-list': Agent37ConversationList;
  }
}
