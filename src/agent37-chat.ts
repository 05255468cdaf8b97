import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { REASONING_EFFORTS, type ReasoningEffort, type TokenGrant } from './contract/gateway.js';
import { Agent37Error, isUnreachable, toAgent37Error } from './contract/errors.js';
import type { ReconnectOptions } from './client/turn.js';
import { chatStyles } from './agent37-chat.styles.js';
import type { Agent37Composer, ComposerSubmitEvent } from './components/agent37-composer.js';
import type { Agent37Message } from './components/agent37-message.js';
import { MessageWindow } from './components/message-window.js';
import {
  Agent37CloseEvent,
  Agent37ConversationChangeEvent,
  Agent37ErrorEvent,
  Agent37OpenEvent,
  Agent37ResponseCompletedEvent,
  Agent37ResponseCreatedEvent,
  Agent37SendEvent,
  Agent37SessionChangeEvent,
} from './events.js';
import { ChatController, type ChatRequest } from './state/chat-controller.js';
import { oversizeRefusal } from './state/chat-session.js';
import type { ChatMessage } from './state/conversation-types.js';
import type { ConversationSummary } from './state/conversation-summary.js';
import type { Suggestion, SuggestionPickEvent } from './components/agent37-empty-state.js';
import type { Agent37ConversationList, ConversationDeleteEvent, ConversationOpenEvent, ConversationRenameEvent } from './components/agent37-conversation-list.js';
import type { EffortPickEvent, ModelPickEvent } from './components/agent37-model-picker.js';
import { loadConversationList, loadModelPicker } from './components/lazy-elements.js';
import { modelOptions, restrictModels, type ModelOption } from './contract/model-options.js';
import { ModelChoiceStore, type ModelChoice } from './state/model-choice.js';
import { LocaleController } from './i18n/locale-controller.js';
import type { StringOverrides } from './i18n/strings.js';

/** Follow the answer while the visitor is within this many pixels of the bottom. */
const PIN_THRESHOLD_PX = 32;

/** What token-credentials takes; any other value is the default, 'same-origin'. */
const TOKEN_CREDENTIALS: readonly RequestCredentials[] = ['same-origin', 'include', 'omit'];

/** `suggestions` as an attribute: a JSON array of strings (or `{text, label}`); anything else shows none. */
const suggestionList = {
  fromAttribute(value: string | null): Suggestion[] {
    if (!value) return [];
    try {
      const list: unknown = JSON.parse(value);
      if (Array.isArray(list)) return list as Suggestion[];
    } catch {
      // not JSON: fall through to the warning
    }
    console.warn('agent37-chat: `suggestions` must be a JSON array, such as \'["What can you do?"]\'.');
    return [];
  },
};

const icon = (d: string) => html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d=${d}></path></svg>`;
const CHAT_ICON = icon('M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z');
const CLOSE_ICON = icon('M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z');
const LIST_ICON = icon('M3 5h18v2H3zm0 6h18v2H3zm0 6h12v2H3z');

/** Where a launcher's open state is kept across reloads; in memory only when storage is blocked. */
const openKey = (persistKey: string) => `agent37-chat:open:${persistKey}`;

/**
 * A chat with an agent running on agent37, streamed live and kept across reloads. It talks only to
 * the page's relay (see `agent37-chat/server`), with a short-lived token from `token-url`.
 *
 * @summary Embeddable streaming chat for agent37 agents.
 *
 * @slot header - a title or logo, at the start of the header (replaces the `heading` text)
 * @slot greeting - what an empty conversation shows (replaces the `greeting` text)
 * @slot launcher - launcher mode: your own button in place of the round one (clicks on it open and
 *   close the panel, and it gets `aria-expanded`); a focusable element such as a `<button>`
 *
 * @event agent37-send - a message is about to be sent; cancelable
 * @event agent37-response-created - the server started an answer
 * @event agent37-response-completed - an answer ended (completed or stopped)
 * @event agent37-error - something went wrong; `detail.error` is an Agent37Error
 * @event agent37-session-change - the conversation moved to another session (the first answer
 *   minted one, or New conversation); not fired when a stored conversation is loaded
 * @event agent37-open - launcher mode: the panel opened (the launcher, `open()` or `toggle()`); not
 *   fired when a reload restores an open panel
 * @event agent37-close - launcher mode: the panel closed (the launcher, the close button, Escape,
 *   `close()` or `toggle()`)
 * @event agent37-conversation-change - the visitor's conversations changed, here or in another tab:
 *   `detail.kind` is `created` (a first answer began), `opened`, `renamed` or `deleted`
 *
 * @csspart header - the bar above the conversation
 * @csspart conversations-button - the header's Conversations button, which opens the conversation list
 * @csspart conversation-list - the list of the visitor's conversations, over the conversation
 * @csspart conversation - one conversation in the list
 * @csspart conversation-title - a conversation's title in the list
 * @csspart conversation-time - when a conversation in the list was last active
 * @csspart conversation-preview - a conversation's last message in the list, shortened
 * @csspart rename-button - Rename in the list
 * @csspart rename-input - the title box while renaming
 * @csspart delete-button - Delete in the list
 * @csspart undo-button - Undo after a delete in the list
 * @csspart model-picker - the model picker under the message box (`model-picker`)
 * @csspart effort-picker - the reasoning-effort picker under the message box (`effort-picker`)
 * @csspart new-conversation-button - "New conversation" (in the header and at the top of the list)
 * @csspart messages - the scrolling conversation (role="log")
 * @csspart message - every message; also `user-message` / `assistant-message`
 * @csspart user-message - a message the visitor sent
 * @csspart assistant-message - an answer
 * @csspart bubble - a message's bubble
 * @csspart reasoning - the collapsible "Thinking" section of an answer
 * @csspart tool-steps - an answer's tool steps
 * @csspart text - a block of an answer's text (text before a tool step and after it are two)
 * @csspart status - "Stopped" / "Reconnecting…"
 * @csspart error - an error shown in the conversation
 * @csspart error-detail - the agent's or provider's raw message behind an error (folded)
 * @csspart resume-button - Resume after a lost connection
 * @csspart retry-button - Retry on a failed or empty answer: the same message again, as a new turn
 * @csspart greeting - the empty conversation: avatar, name, greeting and suggestions
 * @csspart agent-avatar - the agent's avatar in the empty conversation (an image, or the name's initial)
 * @csspart agent-name - the agent's name in the empty conversation
 * @csspart suggestions - the list of suggestion chips
 * @csspart suggestion - one suggestion chip
 * @csspart timestamp - a message's time (relative; the date and time in its tooltip)
 * @csspart copy-answer-button - Copy under a finished answer (copies its markdown)
 * @csspart usage - the tokens and cost line under an answer (`show-usage`)
 * @csspart expand-button - "Show N more lines" / "Show less" on a long code block
 * @csspart jump-button - "Jump to latest"
 * @csspart composer - the message box area
 * @csspart input - the textarea
 * @csspart send-button - Send
 * @csspart stop-button - Stop (in place of Send while an answer runs)
 * @csspart link - a link in an answer
 * @csspart image - an image in an answer (from an origin `image-origins` allows)
 * @csspart table-scroll - the sideways-scrolling box around a table in an answer
 * @csspart table - a table in an answer
 * @csspart code-block - a code block in an answer
 * @csspart code-header - a code block's bar (language and Copy)
 * @csspart code-language - a code block's language label
 * @csspart copy-button - a code block's Copy button
 * @csspart code - a code block's scrolling code
 * @csspart launcher-button - launcher mode: the round button that opens and closes the panel
 * @csspart unread-dot - launcher mode: the dot on the launcher when an answer finished while the panel was closed
 * @csspart panel - launcher mode: the floating panel that holds the chat (a non-modal dialog)
 * @csspart close-button - launcher mode: the panel's close button, in the header
 *
 * @cssproperty [--agent37-font-family=system-ui] - font
 * @cssproperty [--agent37-font-size=15px] - base font size
 * @cssproperty [--agent37-radius=12px] - corner radius
 * @cssproperty [--agent37-spacing=12px] - base spacing
 * @cssproperty [--agent37-background=#ffffff] - background
 * @cssproperty [--agent37-surface=#f3f4f6] - answer bubbles
 * @cssproperty [--agent37-text=#1f2328] - text
 * @cssproperty [--agent37-muted=#5a6270] - secondary text
 * @cssproperty [--agent37-border=#d5d9e0] - borders
 * @cssproperty [--agent37-accent=#2f5bd3] - Send button and highlights
 * @cssproperty [--agent37-accent-text=#ffffff] - text on the accent
 * @cssproperty [--agent37-user-background=#2f5bd3] - the visitor's bubbles
 * @cssproperty [--agent37-user-text=#ffffff] - text in the visitor's bubbles
 * @cssproperty [--agent37-success=#1e7b34] - a finished tool step's mark
 * @cssproperty [--agent37-danger=#b42318] - error text
 * @cssproperty [--agent37-danger-background=#fdecea] - error background
 * @cssproperty [--agent37-focus-ring=#1a56db] - focus outline
 * @cssproperty [--agent37-input-max-height=12em] - how tall the textarea may grow
 * @cssproperty [--agent37-code-background=#eef0f3] - code and table headers in answers
 * @cssproperty [--agent37-code-font-family=ui-monospace] - code font in answers
 * @cssproperty [--agent37-launcher-size=56px] - launcher mode: the round button's size
 * @cssproperty [--agent37-panel-width=400px] - launcher mode: the panel's width (at most the viewport's, less a margin)
 * @cssproperty [--agent37-panel-height=640px] - launcher mode: the panel's height (at most the viewport's, less the launcher)
 * @cssproperty [--agent37-z-index=2147483000] - launcher mode: the stacking level of the launcher and the panel
 */
export class Agent37Chat extends LitElement {
  static override styles = chatStyles;

  static override properties = {
    tokenUrl: { attribute: 'token-url' },
    tokenCredentials: { attribute: 'token-credentials' },
    getToken: { attribute: false },
    persistKey: { attribute: 'persist-key' },
    agent: {},
    model: {},
    provider: {},
    reasoningEffort: { attribute: 'reasoning-effort' },
    metadata: { attribute: false },
    heading: {},
    greeting: {},
    agentName: { attribute: 'agent-name' },
    agentAvatar: { attribute: 'agent-avatar' },
    suggestions: { converter: suggestionList },
    strings: { attribute: false },
    showUsage: { attribute: 'show-usage', type: Boolean },
    showReasoning: { attribute: 'show-reasoning' },
    conversations: {},
    modelPicker: { attribute: 'model-picker', type: Boolean },
    models: {},
    effortPicker: { attribute: 'effort-picker', type: Boolean },
    placeholder: {},
    disabled: { type: Boolean, reflect: true },
    theme: { reflect: true },
    mode: { reflect: true },
    position: {},
    imageOrigins: { attribute: 'image-origins' },
    fetch: { attribute: false },
    stallTimeoutMs: { attribute: false },
    reconnect: { attribute: false },
    _pinned: { state: true },
    _notice: { state: true },
    _open: { state: true },
    _unread: { state: true },
    _listOpen: { state: true },
    _list: { state: true },
    _listError: { state: true },
    _canRename: { state: true },
    _modelOptions: { state: true },
    _modelsError: { state: true },
  };

  /** POST endpoint that answers `{token, expires_at, api_base}` for the signed-in visitor */
  declare tokenUrl: string | undefined;
  /**
   * cookies on the token-url POST: `same-origin` (default), `include` for a token endpoint on another
   * origin that allows this page with credentials (`allowedOrigins`), or `omit`
   */
  declare tokenCredentials: RequestCredentials;
  /** instead of token-url: a function returning a token grant (given the previous one) */
  declare getToken: ((previous: TokenGrant | null) => Promise<TokenGrant>) | undefined;
  /** names the stored conversation (e.g. the page's user id) so visitors on one origin never share one */
  declare persistKey: string;
  /** the agent on the instance to talk to (the gateway's default, `hermes`, when unset); sent with every message */
  declare agent: string | undefined;
  /** the model to answer with (unset: the instance decides); sent with every message */
  declare model: string | undefined;
  /** the model's provider (unset: the instance decides); sent with every message */
  declare provider: string | undefined;
  /** how hard the model reasons: none, minimal, low, medium, high or xhigh (any other value is not sent) */
  declare reasoningEffort: ReasoningEffort | undefined;
  /** string pairs echoed back by the server with every answer */
  declare metadata: Record<string, unknown> | undefined;
  /** the header's title (or use the `header` slot); unset: `agent-name`, else "Chat" in the chat's language */
  declare heading: string | undefined;
  /** what an empty conversation says (or use the `greeting` slot); unset: "Hi! How can I help?" in the chat's language */
  declare greeting: string | undefined;
  /** the agent's name, shown in an empty conversation (and as the header's title when `heading` is unset) */
  declare agentName: string | undefined;
  /** the agent's picture in an empty conversation: shown only from an origin listed in `image-origins`, else the name's initial */
  declare agentAvatar: string | undefined;
  /** chips in an empty conversation that send their text when pressed: a JSON array attribute, or an array property of strings or `{text, label}` */
  declare suggestions: Suggestion[];
  /** overrides any of the chat's strings, in every language (keys as in `src/i18n/strings.ts`), e.g. `{ newConversation: 'Start over' }` */
  declare strings: StringOverrides | undefined;
  /** adds a line with the tokens and the cost under every finished answer */
  declare showUsage: boolean;
  /** "false" hides the agent's reasoning entirely */
  declare showReasoning: string;
  /**
   * "false" hides the Conversations button and its list (the visitor's earlier conversations, to
   * open, rename or delete); the methods (`listConversations()` and the others) work either way
   */
  declare conversations: string;
  /** shows a model picker under the message box, filled from the instance's models (GET /v1/models); the pick is kept per conversation */
  declare modelPicker: boolean;
  /** the model ids the picker offers (space- or comma-separated), in the instance's order; unset: all of them */
  declare models: string | undefined;
  /** shows a reasoning-effort picker under the message box; the pick is kept per conversation */
  declare effortPicker: boolean;
  /** the empty message box's hint, and its accessible name; unset: "Message" in the chat's language */
  declare placeholder: string | undefined;
  /** the visitor cannot type or send */
  declare disabled: boolean;
  /** `light` (the default, whatever the system's scheme), `dark`, or `auto`: follows the system (prefers-color-scheme) */
  declare theme: 'light' | 'dark' | 'auto';
  /**
   * `inline` (the default): the chat fills its place in the page (600 px tall, at most the viewport,
   * when the page gives it no height). `launcher`: a round button fixed in a bottom corner opens the
   * chat in a floating panel (full-screen on viewports up to 480 px wide); the panel's open state is
   * kept per `persist-key` across reloads
   */
  declare mode: 'inline' | 'launcher';
  /**
   * launcher mode: `bottom-right` (the default) or `bottom-left`; the corners follow `dir`, so in a
   * right-to-left page the default is the bottom left
   */
  declare position: 'bottom-right' | 'bottom-left';
  /** space-separated origins from which answers may show images (none by default) */
  declare imageOrigins: string;
  /** a fetch implementation for every request the chat makes (tests add headers with it) */
  declare fetch: typeof fetch | undefined;
  /** how long a stream may stay silent (keepalives included) before it is treated as dropped */
  declare stallTimeoutMs: number | undefined;
  /** reattach backoff after a dropped stream, and how long before it shows "Connection lost" (default 60 s) */
  declare reconnect: ReconnectOptions | undefined;
  declare private _pinned: boolean;
  /** a refusal the session did not record (checked before sending, or when the chat is not wired) */
  declare private _notice: Agent37Error | null;
  /** launcher mode: the panel is open */
  declare private _open: boolean;
  /** launcher mode: an answer finished while the panel was closed */
  declare private _unread: boolean;
  /** the conversation list is open over the conversation */
  declare private _listOpen: boolean;
  /** the visitor's conversations as last listed; null while they load */
  declare private _list: ConversationSummary[] | null;
  declare private _listError: string | null;
  /** false once the gateway answered a rename with 405 rename_unsupported */
  declare private _canRename: boolean;
  /** the models the picker offers; null while they load */
  declare private _modelOptions: ModelOption[] | null;
  declare private _modelsError: boolean;
  /** the model and effort picked per conversation, shared by the chat's tabs (localStorage) */
  private _choices: ModelChoiceStore = new ModelChoiceStore('default');
  private _stopChoices: (() => void) | null = null;
  /** the models were asked for (once per connection, again after a failure) */
  private _modelsAsked = false;
  /** counts the list's loads, so an older answer does not overwrite a newer one */
  private _listing = 0;

  private readonly _controller: ChatController;
  /** the chat's language (its `lang`, an ancestor's, the document's) and `strings`, for it and its sub-elements */
  private readonly _locale = new LocaleController(this, () => this.strings);
  /** a long conversation renders its newest messages, and older ones as the visitor scrolls up */
  private readonly _window = new MessageWindow(this, { log: () => this._log, following: () => this._pinned, sessionId: () => this.sessionId });
  private _resizeObserver: ResizeObserver | undefined;
  /** where the chat last scrolled the log to, to tell its own scrolling from the visitor's */
  private _autoScrollTop = 0;
  private _parsedOrigins: { source: string; list: readonly string[] } = { source: '', list: [] };

  constructor() {
    super();
    this.tokenUrl = undefined;
    this.tokenCredentials = 'same-origin';
    this.getToken = undefined;
    this.persistKey = 'default';
    this.agent = undefined;
    this.model = undefined;
    this.provider = undefined;
    this.reasoningEffort = undefined;
    this.metadata = undefined;
    this.heading = undefined;
    this.greeting = undefined;
    this.agentName = undefined;
    this.agentAvatar = undefined;
    this.suggestions = [];
    this.strings = undefined;
    this.showUsage = false;
    this.showReasoning = 'true';
    this.conversations = 'true';
    this.modelPicker = false;
    this.models = undefined;
    this.effortPicker = false;
    this.placeholder = undefined;
    this.disabled = false;
    this.theme = 'light';
    this.mode = 'inline';
    this.position = 'bottom-right';
    this.imageOrigins = '';
    this.fetch = undefined;
    this.stallTimeoutMs = undefined;
    this.reconnect = undefined;
    this._pinned = true;
    this._notice = null;
    this._open = false;
    this._unread = false;
    this._listOpen = false;
    this._list = null;
    this._listError = null;
    this._canRename = true;
    this._modelOptions = null;
    this._modelsError = false;
    this._controller = new ChatController(this, {
      wiring: () => ({
        tokenUrl: this.tokenUrl || undefined,
        tokenCredentials: TOKEN_CREDENTIALS.includes(this.tokenCredentials) ? this.tokenCredentials : 'same-origin',
        getToken: this.getToken,
        persistKey: this.persistKey || 'default',
        fetch: this.fetch,
        stallTimeoutMs: this.stallTimeoutMs,
        reconnect: this.reconnect,
      }),
      request: () => this._request(),
      hooks: {
        responseCreated: (responseId, sessionId) => this.dispatchEvent(new Agent37ResponseCreatedEvent(responseId, sessionId)),
        responseCompleted: (message) => {
          if (this._launcher && !this._open) this._unread = true;
          this.dispatchEvent(
            new Agent37ResponseCompletedEvent({
              text: message.text,
              usage: message.usage ?? null,
              status: message.status,
              ...(message.responseId ? { responseId: message.responseId } : {}),
            }),
          );
        },
        error: (error) => this.dispatchEvent(new Agent37ErrorEvent(error)),
        sessionChange: (sessionId) => {
          // another conversation (here or from another tab): this tab's last refusal was about the one before
          this._notice = null;
          this.dispatchEvent(new Agent37SessionChangeEvent(sessionId));
        },
        conversationChange: (change) => {
          // the pick made for the new conversation stays with it
          if (change.kind === 'created') this._choices.carryOver(change.sessionId);
          this.dispatchEvent(new Agent37ConversationChangeEvent(change));
          // a change here or in another tab: an open list reads them again
          if (this._listOpen) void this._loadList();
        },
      },
    });
  }

  /** The conversation as shown: role, text, reasoning, tool steps, status, usage. */
  get messages(): readonly ChatMessage[] {
    return this._controller.snapshot.messages;
  }

  /** The server's id for this conversation, once the first answer started (null before). */
  get sessionId(): string | null {
    return this._controller.snapshot.sessionId;
  }

  /**
   * Sends `text` as the visitor. Fires `agent37-send` first (cancelable). Resolves true once the
   * server accepted the message, false when nothing was sent (empty, cancelled, or refused: then
   * the error is shown and `agent37-error` fired).
   */
  send(text: string): Promise<boolean> {
    return this._send(text, false);
  }

  /** Stops the running answer on the server; the partial answer stays, marked stopped. */
  async cancel(): Promise<void> {
    await this._controller.cancel();
  }

  /**
   * Launcher mode: opens the panel and moves focus into it (the message box). Fires `agent37-open`.
   * Inline: does nothing.
   */
  open(): void {
    void this._setOpen(true);
  }

  /**
   * Launcher mode: closes the panel; focus inside it goes back to the launcher. Fires
   * `agent37-close`. Inline: does nothing.
   */
  close(): void {
    void this._setOpen(false);
  }

  /** Launcher mode: opens the panel when closed, closes it when open. Inline: does nothing. */
  toggle(): void {
    void this._setOpen(!this._open);
  }

  /** Starts a fresh conversation; the old one stays on the server (see `listConversations()`). */
  async newConversation(): Promise<void> {
    this._notice = null;
    this._pinned = true;
    try {
      await this._controller.newConversation();
    } catch (cause) {
      this._refuse(toAgent37Error(cause));
    }
  }

  /**
   * The visitor's own conversations, newest first, through the relay (which lists only theirs):
   * `{sessionId, title, lastActive, preview}`. `title` is the gateway's, else the first message,
   * shortened ('' when unknown); `lastActive` is epoch ms or null. Rejects with an Agent37Error.
   */
  listConversations(): Promise<ConversationSummary[]> {
    return this._controller.listConversations();
  }

  /**
   * Shows another of the visitor's conversations, with its running answer if it has one; in every
   * tab of the chat. The answer running in the one left behind finishes on the server. Fires
   * `agent37-session-change` and `agent37-conversation-change`.
   */
  async openConversation(sessionId: string): Promise<void> {
    this._notice = null;
    this._pinned = true;
    try {
      await this._controller.openConversation(sessionId);
    } catch (cause) {
      this._refuse(toAgent37Error(cause));
    }
  }

  /**
   * Renames one of the visitor's conversations. Rejects with an Agent37Error: 405
   * `rename_unsupported` (the gateway cannot rename), 409 `title_conflict` (another conversation has
   * that title), 400 `validation_error` (empty or too long).
   */
  renameConversation(sessionId: string, title: string): Promise<void> {
    return this._controller.renameConversation(sessionId, title);
  }

  /**
   * Deletes one of the visitor's conversations; one already gone counts as deleted. Deleting the
   * open one starts a new conversation. Rejects with an Agent37Error.
   */
  deleteConversation(sessionId: string): Promise<void> {
    return this._controller.deleteConversation(sessionId);
  }

  private get _launcher(): boolean {
    return this.mode === 'launcher';
  }

  private async _setOpen(open: boolean) {
    if (!this._launcher || open === this._open) return;
    const focusInPanel = () => this.renderRoot.querySelector('.panel')?.contains((this.renderRoot as ShadowRoot).activeElement) ?? false;
    const focusInside = focusInPanel();
    this._open = open;
    if (open) this._unread = false;
    try {
      if (open) localStorage.setItem(openKey(this.persistKey), '1');
      else localStorage.removeItem(openKey(this.persistKey));
    } catch {
      // storage blocked: the state lives in memory, for this page only
    }
    this.dispatchEvent(open ? new Agent37OpenEvent() : new Agent37CloseEvent());
    await this.updateComplete;
    if (open) {
      this._composer?.focus();
      // a disabled message box takes no focus: the panel itself then
      if (!focusInPanel()) this.renderRoot.querySelector<HTMLElement>('.panel')?.focus();
    } else if (focusInside) this._launcherButton()?.focus();
  }

  /** The slotted launcher, else the round one. */
  private _launcherButton(): HTMLElement | null {
    const slot = this.renderRoot.querySelector<HTMLSlotElement>('slot[name="launcher"]');
    return (slot?.assignedElements()[0] as HTMLElement | undefined) ?? this.renderRoot.querySelector('.launcher');
  }

  private _request(): ChatRequest {
    const request: ChatRequest = {};
    if (this.agent) request.agent = this.agent;
    const choice = this._choice();
    // the visitor's pick for this conversation, else the page's model, else (a `models` list without the instance's default) the first offered
    const model = choice?.model ? { model: choice.model, provider: choice.provider } : this.model ? { model: this.model, provider: this.provider } : this._offeredDefault();
    if (model?.model) request.model = model.model;
    if (model?.provider) request.provider = model.provider;
    else if (!choice?.model && this.provider) request.provider = this.provider;
    const effort = choice?.effort ?? this.reasoningEffort;
    if (effort && REASONING_EFFORTS.includes(effort)) request.reasoning_effort = effort;
    if (this.metadata) request.metadata = this.metadata;
    return request;
  }

  private _pickerShown(): boolean {
    return this.modelPicker || this.effortPicker;
  }

  /** The visitor's pick for this conversation, less a model the picker does not offer (any more, or at all when hidden). */
  private _choice(): ModelChoice | null {
    if (!this._pickerShown()) return null;
    const picked = this._choices.get(this.sessionId);
    if (picked?.model === undefined) return picked;
    const offered = this._offered();
    if (this.modelPicker && (offered === null || offered.some((o) => o.id === picked.model))) return picked;
    return picked.effort ? { effort: picked.effort } : {};
  }

  /** The models the picker offers: the instance's, limited to `models`. */
  private _offered(): ModelOption[] | null {
    if (!this._modelOptions) return null;
    const allowed = (this.models ?? '').split(/[\s,]+/).filter(Boolean);
    return restrictModels(this._modelOptions, allowed);
  }

  /** With a `models` list that leaves out the instance's default, the first model offered stands in for it. */
  private _offeredDefault(): { model: string; provider: string | undefined } | null {
    if (!this.modelPicker) return null;
    const offered = this._offered();
    if (!offered || offered.length === 0 || offered.some((o) => o.isDefault)) return null;
    return { model: offered[0]!.id, provider: offered[0]!.provider ?? undefined };
  }

  private async _loadModels() {
    if (this._modelsAsked || !this.modelPicker || !this.isConnected) return;
    this._modelsAsked = true;
    this._modelsError = false;
    try {
      this._modelOptions = modelOptions(await this._controller.models());
    } catch {
      // shown as "Models unavailable"; asked again when the picker is shown anew or the chat comes back
      this._modelsError = true;
      this._modelsAsked = false;
    }
  }

  private _onModelPick(e: ModelPickEvent) {
    const before = this._choices.get(this.sessionId) ?? {};
    const choice: ModelChoice = { ...(e.model ? { model: e.model } : {}), ...(e.model && e.provider ? { provider: e.provider } : {}), ...(before.effort ? { effort: before.effort } : {}) };
    this._choices.set(this.sessionId, choice);
    this.requestUpdate();
  }

  private _onEffortPick(e: EffortPickEvent) {
    const before = this._choices.get(this.sessionId) ?? {};
    const { effort: _, ...rest } = before;
    this._choices.set(this.sessionId, { ...rest, ...(e.effort ? { effort: e.effort } : {}) });
    this.requestUpdate();
  }

  private _toggleList() {
    if (this._listOpen) this._closeList();
    else void this._openList();
  }

  private async _openList() {
    this._list = null;
    const loading = this._loadList();
    try {
      // its element's chunk comes the first time; the list opens once it can show itself
      await loadConversationList();
    } catch {
      // no message of its own: the notice says the server could not be reached, in the chat's language
      this._refuse(new Agent37Error({ code: 'network_error', message: '' }));
      return;
    }
    this._listOpen = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('agent37-conversation-list')?.focus();
    await loading;
  }

  /** Closes the list; focus goes back to the Conversations button, or to the message box (`toComposer`). */
  private _closeList(toComposer = false) {
    if (!this._listOpen) return;
    this._listOpen = false;
    void this.updateComplete.then(() => {
      if (toComposer) this._composer?.focus();
      else this.renderRoot.querySelector<HTMLElement>('[part="conversations-button"]')?.focus();
    });
  }

  private async _loadList() {
    // a later listing wins, whichever answers first
    const listing = (this._listing += 1);
    this._listError = null;
    try {
      const list = await this.listConversations();
      if (listing === this._listing) this._list = list;
    } catch (cause) {
      if (listing === this._listing) this._listError = toAgent37Error(cause).code;
    }
  }

  private _onListOpen(e: ConversationOpenEvent) {
    this._closeList(true);
    void this.openConversation(e.sessionId);
  }

  private _onListNew() {
    this._closeList(true);
    void this.newConversation();
  }

  private _onListRename(e: ConversationRenameEvent) {
    e.respondWith(
      this.renameConversation(e.sessionId, e.title).catch((cause: unknown) => {
        const error = toAgent37Error(cause);
        if (error.status === 405 || error.code === 'rename_unsupported') this._canRename = false;
        throw error;
      }),
    );
  }

  private _onListDelete(e: ConversationDeleteEvent) {
    e.respondWith(this.deleteConversation(e.sessionId));
  }

  private async _send(text: string, fromComposer: boolean): Promise<boolean> {
    if (text.trim() === '') return false;
    const refusal = this._refusalBeforeSending(text);
    if (refusal) {
      this._refuse(refusal);
      return false;
    }
    if (!this.dispatchEvent(new Agent37SendEvent(text))) return false;
    this._notice = null;
    this._pinned = true;
    const composer = fromComposer ? this._composer : null;
    if (composer) composer.value = '';
    try {
      await this._controller.send(text);
      return true;
    } catch (cause) {
      const error = toAgent37Error(cause);
      // The visitor's words are never lost: back into the box, ahead of anything typed since.
      if (composer) composer.value = composer.value ? `${text}\n${composer.value}` : text;
      // Stopped before the server named the turn, or overtaken by New conversation: nothing went
      // wrong. The session reports the rest itself.
      if (error.code !== 'cancelled' && error.code !== 'superseded' && this._controller.snapshot.notice !== error) this._refuse(error);
      return false;
    }
  }

  /** Refusals known without asking the server: a body over the 2 MB cap, a turn already running. */
  private _refusalBeforeSending(text: string): Agent37Error | null {
    if (this._controller.snapshot.busy) {
      // no message of its own: the notice words it in the chat's language (a message would show as Details)
      return new Agent37Error({ code: 'session_busy', message: '' });
    }
    return oversizeRefusal({ ...this._request(), input: text, stream: true, ...(this.sessionId ? { session_id: this.sessionId } : {}) });
  }

  private _refuse(error: Agent37Error) {
    this._notice = error;
    this._pinned = true;
    this.dispatchEvent(new Agent37ErrorEvent(error));
  }

  private get _composer(): Agent37Composer | null {
    return this.renderRoot.querySelector('agent37-composer');
  }

  private get _log(): HTMLElement | null {
    return this.renderRoot.querySelector('.messages');
  }

  private _scrollToLatest() {
    const log = this._log;
    if (!log) return;
    log.scrollTop = log.scrollHeight;
    this._autoScrollTop = log.scrollTop;
  }

  private _imageOriginList(): readonly string[] {
    // Same array while the attribute is unchanged, so answers do not re-render for nothing.
    if (this._parsedOrigins.source !== this.imageOrigins) {
      this._parsedOrigins = { source: this.imageOrigins, list: this.imageOrigins.split(/\s+/).filter(Boolean) };
    }
    return this._parsedOrigins.list;
  }

  private _onComposerSubmit(e: ComposerSubmitEvent) {
    void this._send(e.text, true);
  }

  private _onSuggestionPick(e: SuggestionPickEvent) {
    void this._send(e.text, false);
  }

  private _onStop() {
    void this.cancel();
  }

  private async _onNewConversation() {
    await this.newConversation();
    // The button disables itself on an empty conversation; keep keyboard focus in the chat.
    this._composer?.focus();
  }

  /** A slotted launcher is the page's own button: it says whether the panel is open. */
  private _syncSlottedLauncher() {
    const expanded = String(this._open);
    for (const button of this.renderRoot.querySelector<HTMLSlotElement>('slot[name="launcher"]')?.assignedElements() ?? []) {
      button.setAttribute('aria-expanded', expanded);
    }
  }

  private _onPanelKeydown(e: KeyboardEvent) {
    if (e.key === 'Escape' && !e.isComposing) this.close();
  }

  /** Back online: the chat's own "could not reach the server" refusal has had its day (the session clears its own). */
  private readonly _onOnline = () => {
    if (this._notice && isUnreachable(this._notice)) this._notice = null;
    if (this._modelsError) void this._loadModels();
  };

  private _onResume() {
    this._controller.resume();
  }

  /** Retry on a failed or empty answer: the question before it, sent again as a new turn. */
  private _onRetry(e: Event) {
    const id = (e.currentTarget as Agent37Message).message?.id;
    const messages = this.messages;
    const at = messages.findIndex((m) => m.id === id);
    const question = messages.slice(0, Math.max(0, at)).findLast((m) => m.role === 'user');
    if (question) void this._send(question.text, false);
  }

  private _onScroll() {
    const log = this._log;
    if (!log) return;
    if (log.scrollHeight - log.scrollTop - log.clientHeight <= PIN_THRESHOLD_PX) this._pinned = true;
    // Above where the chat last put it: the visitor scrolled up. (Below the bottom only because the
    // answer grew since then: still following.)
    else if (log.scrollTop < this._autoScrollTop - 2) this._pinned = false;
  }

  private _onJump() {
    this._pinned = true;
    this._scrollToLatest();
    this._log?.focus({ preventScroll: true });
  }

  /**
   * Content grew (a delta, a sub-element's own render) or the box shrank: follow if pinned. Only
   * here, once a frame after layout, never straight after a render: that would undo a visitor's
   * scroll before its scroll event arrived.
   */
  private _onResize() {
    if (this._pinned) this._scrollToLatest();
  }

  override connectedCallback() {
    super.connectedCallback();
    this._resizeObserver ??= new ResizeObserver(() => this._onResize());
    window.addEventListener('online', this._onOnline);
    this._watchChoices();
    void this._loadModels();
    // Back on the page after a move: firstUpdated will not run again.
    if (this.hasUpdated) this._observeLayout();
  }

  override disconnectedCallback() {
    // a deletion still in its Undo time is final: sent while the chat can still send it
    this.renderRoot.querySelector<Agent37ConversationList>('agent37-conversation-list')?.commitDelete();
    super.disconnectedCallback();
    this._resizeObserver?.disconnect();
    window.removeEventListener('online', this._onOnline);
    this._stopChoices?.();
    this._stopChoices = null;
    this._modelsAsked = false;
  }

  /** Another tab picked a model or effort: this one shows it (and sends it). */
  private _watchChoices() {
    this._stopChoices?.();
    this._stopChoices = this._choices.onChange(() => this.requestUpdate());
  }

  protected override willUpdate(changed: PropertyValues<this>) {
    if (changed.has('tokenUrl') || changed.has('tokenCredentials') || changed.has('getToken') || changed.has('persistKey') || changed.has('fetch') || changed.has('stallTimeoutMs') || changed.has('reconnect')) {
      this._controller.syncWiring();
    }
    if (changed.has('strings')) this._locale.update();
    if (changed.has('modelPicker') && this.modelPicker) void this._loadModels();
    if ((changed.has('modelPicker') || changed.has('effortPicker')) && this._pickerShown()) void loadModelPicker().catch(() => {});
    if (changed.has('persistKey')) {
      this._choices = new ModelChoiceStore(this.persistKey || 'default');
      if (this.isConnected) this._watchChoices();
      try {
        this._open = localStorage.getItem(openKey(this.persistKey)) === '1';
      } catch {
        // storage blocked: the panel starts closed
      }
    }
  }

  /** Also waits for the catalogue of the chat's language, when it is still being fetched. */
  protected override async getUpdateComplete(): Promise<boolean> {
    await this._locale.ready;
    return super.getUpdateComplete();
  }

  protected override firstUpdated() {
    this._observeLayout();
  }

  // untyped: `_open` is private, so not among PropertyValues<this>'s keys
  protected override updated(changed: PropertyValues) {
    // another mode renders another tree: watch the new log and list, not the detached ones
    if (changed.has('mode') && changed.get('mode') !== undefined) {
      this._resizeObserver?.disconnect();
      this._observeLayout();
    }
    if (changed.has('_open')) this._syncSlottedLauncher();
  }

  override render() {
    if (!this._launcher) return this.renderChat(false);
    const t = this._locale.value;
    const open = this._open;
    const side = this.position === 'bottom-left' ? ' left' : '';
    return html`<div class="corner${side}">
        <slot name="launcher" @click=${this.toggle} @slotchange=${this._syncSlottedLauncher}>
          <button type="button" class="launcher" part="launcher-button" aria-controls="panel" aria-expanded=${open ? 'true' : 'false'}
            aria-label=${t.text(open ? 'closeChat' : this._unread ? 'openChatUnread' : 'openChat')}>
            ${open ? CLOSE_ICON : CHAT_ICON}
          </button>
        </slot>
        ${this._unread ? html`<span class="dot" part="unread-dot"></span>` : nothing}
      </div>
      <div class="panel${side}${open ? '' : ' closed'}" id="panel" part="panel" role="dialog" aria-modal="false" aria-labelledby="title" tabindex="-1"
        ?inert=${!open} @keydown=${this._onPanelKeydown}>
        ${this.renderChat(true)}
      </div>`;
  }

  /** The chat itself: header, conversation, composer; in launcher mode (`inPanel`) with a close button. */
  protected renderChat(inPanel: boolean) {
    const { messages, busy, restoring, notice } = this._controller.snapshot;
    // The visitor's latest refusal first; the session clears its own notice on the next send.
    const shownNotice = this._notice ?? notice;
    const t = this._locale.value;
    return html`<div class="chat">
      <div class="header" part="header">
        ${this.conversations !== 'false'
          ? html`<button type="button" class="button icon list-button" part="conversations-button" aria-label=${t.text('conversations')}
              aria-expanded=${this._listOpen ? 'true' : 'false'} aria-controls="conversation-list" ?disabled=${this.disabled} @click=${this._toggleList}>
              ${LIST_ICON}
            </button>`
          : nothing}
        <div class="header__title" id="title"><slot name="header">${this.heading ?? (this.agentName || t.text('heading'))}</slot></div>
        <button
          type="button"
          class="button"
          part="new-conversation-button"
          ?disabled=${this.disabled || (messages.length === 0 && !busy)}
          @click=${this._onNewConversation}
        >
          ${t.text('newConversation')}
        </button>
        ${inPanel
          ? html`<button type="button" class="button icon" part="close-button" aria-label=${t.text('closeChat')} @click=${this.close}>
              ${CLOSE_ICON}
            </button>`
          : nothing}
      </div>
      <div class="body">
        ${this._listOpen && this.conversations !== 'false' ? this.renderConversationList() : nothing}
        <div
          class="messages"
          part="messages"
          role="log"
          aria-live="polite"
          aria-label=${t.text('conversation')}
          aria-busy=${busy ? 'true' : 'false'}
          tabindex="0"
          ?inert=${this._listOpen}
          @scroll=${this._onScroll}
          @resume-request=${this._onResume}
        >
          <div class="messages__list">
            ${messages.length === 0 ? (restoring ? this.renderRestoring() : this.renderGreeting()) : this.renderMessages(messages)}
            ${shownNotice ? html`<agent37-notice standalone exportparts="error" .error=${shownNotice}></agent37-notice>` : nothing}
          </div>
        </div>
        ${this._pinned ? nothing : html`<button type="button" class="jump" part="jump-button" @click=${this._onJump}>${t.text('jumpToLatest')}</button>`}
      </div>
      <agent37-composer
        part="composer"
        exportparts="input, send-button, stop-button"
        .busy=${busy}
        .disabled=${this.disabled}
        .placeholder=${this.placeholder}
        @composer-submit=${this._onComposerSubmit}
        @composer-stop=${this._onStop}
        >${this._pickerShown() ? this.renderModelPicker() : nothing}</agent37-composer
      >
    </div>`;
  }

  /** The visitor's conversations, over the conversation. */
  protected renderConversationList() {
    return html`<agent37-conversation-list
      id="conversation-list"
      class="conversation-list"
      part="conversation-list"
      exportparts="new-conversation-button, conversation, conversation-title, conversation-time, conversation-preview, rename-button, rename-input, delete-button, undo-button"
      .conversations=${this._list}
      .currentId=${this.sessionId}
      .canRename=${this._canRename}
      .loadError=${this._listError}
      .disabled=${this.disabled}
      @conversation-open=${this._onListOpen}
      @conversation-new=${this._onListNew}
      @conversation-rename=${this._onListRename}
      @conversation-delete=${this._onListDelete}
      @conversation-list-close=${() => this._closeList()}
      @conversation-list-retry=${() => void this._loadList()}
    ></agent37-conversation-list>`;
  }

  /** The model and effort pickers, in the composer's tools row. */
  protected renderModelPicker() {
    const choice = this._choice();
    const offered = this._offered();
    const value = choice?.model ?? this.model ?? this._offeredDefault()?.model ?? null;
    const effort = choice?.effort ?? (this.reasoningEffort && REASONING_EFFORTS.includes(this.reasoningEffort) ? this.reasoningEffort : null);
    return html`<agent37-model-picker
      slot="tools"
      exportparts="model-picker, effort-picker"
      .options=${offered}
      .error=${this._modelsError}
      .value=${value}
      .effort=${effort}
      .showModels=${this.modelPicker}
      .showEffort=${this.effortPicker}
      .disabled=${this.disabled}
      @model-pick=${this._onModelPick}
      @effort-pick=${this._onEffortPick}
    ></agent37-model-picker>`;
  }

  /** The empty conversation: the agent's avatar and name, the `greeting` slot (or text), the suggestions. */
  protected renderGreeting() {
    return html`<agent37-empty-state
      part="greeting"
      exportparts="agent-avatar, agent-name, suggestions, suggestion"
      .agentName=${this.agentName ?? ''}
      .agentAvatar=${this.agentAvatar ?? ''}
      .imageOrigins=${this._imageOriginList()}
      .suggestions=${Array.isArray(this.suggestions) ? this.suggestions : []}
      .disabled=${this.disabled}
      @suggestion-pick=${this._onSuggestionPick}
      ><slot name="greeting" slot="greeting">${this.greeting ?? this._locale.value.text('greeting')}</slot></agent37-empty-state
    >`;
  }

  /** While the stored conversation loads. */
  protected renderRestoring() {
    return html`<div class="restoring">${this._locale.value.text('restoring')}</div>`;
  }

  /** The conversation's messages, one `<agent37-message>` each; of a long one, the newest (see MessageWindow). */
  protected renderMessages(messages: readonly ChatMessage[]) {
    const showReasoning = this.showReasoning !== 'false';
    const imageOrigins = this._imageOriginList();
    // Retry belongs to the last answer, once nothing is running
    const retryableId = this._controller.snapshot.busy ? null : (messages.at(-1)?.id ?? null);
    const shown = this._window.visible(messages);
    return html`${this._window.sentinel()}${repeat(
      shown,
      (message) => message.id,
      (message) => html`<agent37-message
        part="message ${message.role}-message"
        exportparts="bubble, reasoning, tool-steps, text, status, error, error-detail, resume-button, retry-button, link, image, table-scroll, table, code-block, code-header, code-language, copy-button, code, expand-button, timestamp, copy-answer-button, usage"
        .message=${message}
        .showUsage=${this.showUsage}
        .retryable=${message.id === retryableId}
        .showReasoning=${showReasoning}
        .imageOrigins=${imageOrigins}
        @retry-request=${this._onRetry}
      ></agent37-message>`,
    )}`;
  }

  private _observeLayout() {
    const log = this._log;
    const list = this.renderRoot.querySelector('.messages__list');
    if (log) this._resizeObserver?.observe(log);
    if (list) this._resizeObserver?.observe(list);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-chat': Agent37Chat;
  }
}
