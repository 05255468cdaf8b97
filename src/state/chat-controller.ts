/**
 * Bridges a ChatSession (plain TypeScript, no Lit) to the element: builds the token source, the API
 * client, the persistence store and the session from the element's wiring, re-renders the host on
 * every snapshot, and tears it all down when the host leaves the page. Leaving never cancels a turn.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Agent37Api } from '../client/api.js';
import type { ModelList, TokenGrant } from '../contract/gateway.js';
import { Agent37Error, isUnreachable, toAgent37Error } from '../contract/errors.js';
import { TokenSource } from '../client/token.js';
import type { ReconnectOptions } from '../client/turn.js';
import { ChatSession, type ChatSessionOptions, type ChatSnapshot } from './chat-session.js';
import type { ConversationSummary } from './conversation-summary.js';
import { ConversationTitles } from './conversation-titles.js';
import type { UserMessage } from './conversation-types.js';
import { createPersistence, persistenceDbName } from './persistence.js';
import { TabSync, type TabRequest } from './tab-sync.js';
import { createTranscriptStore } from './transcript-store.js';

/**
 * What the session is wired to. A new session is built only when the token comes from elsewhere
 * (token-url ⇄ getToken, another token-url or token-credentials), for another persist-key, or with
 * other stream settings (by value); a new getToken or fetch function is simply called from then on,
 * so a framework that hands over fresh functions on every render never restarts the chat.
 */
export interface ChatWiring {
  tokenUrl?: string | undefined;
  /** cookies on the token-url POST ('same-origin' when unset) */
  tokenCredentials?: RequestCredentials | undefined;
  getToken?: ((previous: TokenGrant | null) => Promise<TokenGrant>) | undefined;
  persistKey: string;
  fetch?: typeof fetch | undefined;
  stallTimeoutMs?: number | undefined;
  reconnect?: ReconnectOptions | undefined;
}

export type ChatRequest = TabRequest;

export interface ChatControllerOptions {
  wiring(): ChatWiring;
  request(): ChatRequest;
  hooks: NonNullable<ChatSessionOptions['hooks']>;
}

const IDLE: ChatSnapshot = { sessionId: null, messages: [], busy: false, restoring: false, notice: null };

export class ChatController implements ReactiveController {
  /** what the element renders: the session's snapshot, then the messages still waiting for it */
  snapshot: ChatSnapshot = IDLE;

  private readonly host: ReactiveControllerHost;
  private readonly options: ChatControllerOptions;
  private wired: ChatWiring | null = null;
  private session: ChatSession | null = null;
  private tokens: TokenSource | null = null;
  private ready: Promise<ChatSession> | null = null;
  /** what the session last published (or IDLE) */
  private base: ChatSnapshot = IDLE;
  /** messages sent while the chat was still loading, shown until the session takes them */
  private pending: readonly Pending[] = [];
  private unsubscribe: (() => void) | null = null;
  /** bumps on every teardown so late answers of an old wiring are dropped */
  private generation = 0;
  private connected = false;
  private frame: number | undefined;
  private frameFallback: ReturnType<typeof setTimeout> | undefined;
  /** renames and deletions on their way to the server */
  private readonly finishing = new Set<Promise<unknown>>();

  constructor(host: ReactiveControllerHost, options: ChatControllerOptions) {
    this.host = host;
    this.options = options;
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('pagehide', this.onPageHide);
    window.addEventListener('pageshow', this.onPageShow);
    document.addEventListener('freeze', this.onPageHide);
    document.addEventListener('resume', this.onPageShow);
    this.start();
  }

  hostDisconnected(): void {
    this.connected = false;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('pagehide', this.onPageHide);
    window.removeEventListener('pageshow', this.onPageShow);
    document.removeEventListener('freeze', this.onPageHide);
    document.removeEventListener('resume', this.onPageShow);
    this.stop();
  }

  /** the page went into the back/forward cache or was frozen: the session stopped, to start again on return */
  private parked = false;

  /**
   * Kept in the back/forward cache, or frozen: the chat lets go of its stream and of the other tabs'
   * lead (a page holding a Web Lock would keep every other tab waiting, and may not be cached at
   * all); it picks the conversation up again when the page comes back. A page that is unloading is
   * left alone: closing a tab is not Stop.
   */
  private readonly onPageHide = (e: Event) => {
    if (e.type === 'pagehide' && !(e as PageTransitionEvent).persisted) return;
    if (!this.session && !this.ready) return;
    this.parked = true;
    this.stop();
  };

  private readonly onPageShow = (e: Event) => {
    if (!this.parked || (e.type === 'pageshow' && !(e as PageTransitionEvent).persisted)) return;
    this.parked = false;
    if (this.connected) this.start();
  };

  /** Back online: a chat that could not start for want of its server no longer says so (the session clears its own notices). */
  private readonly onOnline = () => {
    if (this.base.notice && isUnreachable(this.base.notice)) this.setSnapshot({ ...this.base, notice: null });
  };

  /** Builds a new session when the wiring differs from the one in use. */
  syncWiring(): void {
    if (!this.connected || sameWiring(this.wired, this.options.wiring())) return;
    this.stop();
    this.start();
  }

  /** Resolves once the server accepted the message; rejects with an Agent37Error when it did not. */
  async send(text: string): Promise<void> {
    // Loading can take seconds (token, history, a waking instance), and so can a send that first
    // re-reads the conversation: the visitor sees the message now, until the session shows its own.
    nextPendingId += 1;
    const sentAt = Date.now();
    const entry: Pending = { message: { role: 'user', id: `pending-user-${nextPendingId}`, text, createdAt: sentAt }, known: null, taken: false };
    this.setPending([...this.pending, entry]);
    try {
      const session = await this.whenReady();
      entry.known = new Set(this.base.messages.map((m) => m.id));
      await session.send(text, sentAt);
    } finally {
      this.setPending(this.pending.filter((p) => p !== entry));
    }
  }

  async cancel(): Promise<void> {
    await this.session?.cancel();
  }

  async newConversation(): Promise<void> {
    const session = await this.whenReady();
    await session.newConversation();
  }

  resume(): void {
    this.session?.resume();
  }

  /** GET /v1/models, either shape (see contract/model-options.ts) */
  async models(): Promise<ModelList> {
    return (await this.whenReady()).models();
  }

  async listConversations(): Promise<ConversationSummary[]> {
    return (await this.whenReady()).listConversations();
  }

  async openConversation(sessionId: string): Promise<void> {
    await (await this.whenReady()).openConversation(sessionId);
  }

  renameConversation(sessionId: string, title: string): Promise<void> {
    return this.finish(this.whenReady().then((session) => session.renameConversation(sessionId, title)));
  }

  deleteConversation(sessionId: string): Promise<void> {
    return this.finish(this.whenReady().then((session) => session.deleteConversation(sessionId)));
  }

  /** A change the visitor made that must reach the server even if the chat leaves the page meanwhile (its token stays until then). */
  private finish<T>(change: Promise<T>): Promise<T> {
    this.finishing.add(change);
    const done = () => this.finishing.delete(change);
    change.then(done, done);
    return change;
  }

  private whenReady(): Promise<ChatSession> {
    if (!this.connected) return Promise.reject(new Agent37Error({ code: 'not_connected', message: 'The chat is not on the page.' }));
    // A failed start (e.g. the token endpoint was down) is retried by the next action.
    if (!this.ready) {
      this.stop();
      this.start();
    }
    if (!this.ready) return Promise.reject(notConfigured());
    return this.ready;
  }

  private start(): void {
    const wiring = this.options.wiring();
    this.wired = wiring;
    if (!wiring.tokenUrl && !wiring.getToken) {
      this.setSnapshot(IDLE);
      return;
    }
    const generation = this.generation;
    const tokens = new TokenSource({
      ...(wiring.getToken ? { getToken: this.currentGetToken } : { tokenUrl: wiring.tokenUrl! }),
      ...(wiring.tokenCredentials ? { credentials: wiring.tokenCredentials } : {}),
      fetch: this.currentFetch,
    });
    this.tokens = tokens;
    this.setSnapshot({ ...IDLE, restoring: true });
    const ready = (async () => {
      // The store is named from api_base, which only the token endpoint knows.
      const grant = await tokens.get();
      if (generation !== this.generation) throw superseded();
      let restoring = true;
      const hooks = this.options.hooks;
      const storeName = persistenceDbName(grant.api_base, wiring.persistKey);
      const session = new ChatSession({
        api: new Agent37Api({ tokens, fetch: this.currentFetch, agent: () => this.options.request().agent }),
        persistence: createPersistence(grant.api_base, wiring.persistKey, {
          // the chat goes on from memory; the page hears once that a reload will not keep it
          onFallback: (error) => {
            if (generation === this.generation) hooks.error?.(error);
          },
        }),
        // its own storage trouble is the same as the ids' and already reported once by persistence
        transcript: createTranscriptStore(grant.api_base, wiring.persistKey),
        request: () => this.options.request(),
        // the other tabs of this chat: one of them streams, all of them show it
        tabs: TabSync.create(storeName),
        titles: new ConversationTitles(storeName),
        ...(wiring.stallTimeoutMs !== undefined ? { stallTimeoutMs: wiring.stallTimeoutMs } : {}),
        ...(wiring.reconnect ? { reconnect: wiring.reconnect } : {}),
        hooks: {
          ...hooks,
          // Loading the stored conversation changes nothing for the page: it is the one it had.
          sessionChange: (id) => {
            if (!restoring) hooks.sessionChange?.(id);
          },
        },
      });
      this.session = session;
      this.unsubscribe = session.subscribe((snapshot) => {
        if (generation === this.generation) this.setSnapshot(snapshot);
      });
      this.setSnapshot(session.snapshot);
      try {
        await session.restore();
      } finally {
        restoring = false;
      }
      return session;
    })();
    this.ready = ready;
    ready.catch((cause: unknown) => {
      if (generation !== this.generation) return;
      const error = toAgent37Error(cause);
      this.ready = null;
      this.setSnapshot({ ...this.base, restoring: false, notice: error });
      this.options.hooks.error?.(error);
    });
  }

  /** The host's getToken as it is now (the wiring only says whether there is one). */
  private readonly currentGetToken = (previous: TokenGrant | null): Promise<TokenGrant> => {
    const getToken = this.options.wiring().getToken;
    if (!getToken) return Promise.reject(new Agent37Error({ code: 'token_error', message: 'getToken was removed from <agent37-chat>.' }));
    return getToken(previous);
  };

  /** The host's fetch as it is now, or the browser's. */
  private readonly currentFetch: typeof fetch = (input, init) => (this.options.wiring().fetch ?? fetch)(input, init);

  private stop(): void {
    this.flush();
    this.generation += 1;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.session?.dispose();
    this.session = null;
    const tokens = this.tokens;
    if (this.finishing.size === 0) tokens?.dispose();
    else void Promise.allSettled([...this.finishing]).then(() => tokens?.dispose());
    this.tokens = null;
    this.ready?.catch(() => {});
    this.ready = null;
  }

  private setPending(pending: readonly Pending[]): void {
    this.pending = pending;
    this.setSnapshot(this.base);
  }

  private setSnapshot(base: ChatSnapshot): void {
    const previous = this.snapshot;
    this.base = base;
    for (const p of this.pending) if (!p.taken && shownBySession(p, base)) p.taken = true;
    const waiting = this.pending.filter((p) => !p.taken).map((p) => p.message);
    const snapshot = waiting.length === 0 ? base : { ...base, messages: [...base.messages, ...waiting] };
    this.snapshot = snapshot;
    // Deltas can come far faster than frames: a change of streamed text alone is drawn on the next
    // frame with whatever else arrived by then; anything else (a status, a step, a message) at once.
    if (onlyStreamedTextChanged(previous, snapshot)) {
      this.frame ??= requestAnimationFrame(this.flush);
      // rAF does not run in a hidden tab; the text must still land
      this.frameFallback ??= setTimeout(this.flush, FRAME_FALLBACK_MS);
      return;
    }
    this.flush();
  }

  private readonly flush = (): void => {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    clearTimeout(this.frameFallback);
    this.frame = undefined;
    this.frameFallback = undefined;
    this.host.requestUpdate();
  };
}

const FRAME_FALLBACK_MS = 100;

let nextPendingId = 0;

/** A message sent before the session showed it. */
interface Pending {
  message: UserMessage;
  /** the ids the session showed when it was handed the message; null before */
  known: ReadonlySet<string> | null;
  /** the session showed it: never drawn again, even once the session removes a refused one */
  taken: boolean;
}

/** The session shows the handed-over message itself: a new user message with its text. */
function shownBySession(pending: Pending, base: ChatSnapshot): boolean {
  const known = pending.known;
  return known !== null && base.messages.some((m) => m.role === 'user' && m.text === pending.message.text && !known.has(m.id));
}

/** The same conversation but for the text or reasoning of the answer being streamed. */
function onlyStreamedTextChanged(a: ChatSnapshot, b: ChatSnapshot): boolean {
  if (a.sessionId !== b.sessionId || a.busy !== b.busy || a.restoring !== b.restoring || a.notice !== b.notice) return false;
  if (a.messages.length !== b.messages.length || a.messages.length === 0) return false;
  const last = a.messages.length - 1;
  for (let i = 0; i < last; i++) if (a.messages[i] !== b.messages[i]) return false;
  const before = a.messages[last]!;
  const after = b.messages[last]!;
  return (
    before.role === 'assistant' &&
    after.role === 'assistant' &&
    before.id === after.id &&
    before.status === after.status &&
    before.steps === after.steps &&
    before.error === after.error &&
    after.status === 'streaming'
  );
}

/** Whether a session built for `a` serves `b` as well (getToken and fetch are read when called). */
function sameWiring(a: ChatWiring | null, b: ChatWiring): boolean {
  if (a === null || Boolean(a.getToken) !== Boolean(b.getToken)) return false;
  return (
    (a.getToken !== undefined || (a.tokenUrl === b.tokenUrl && a.tokenCredentials === b.tokenCredentials)) &&
    a.persistKey === b.persistKey &&
    a.stallTimeoutMs === b.stallTimeoutMs &&
    sameReconnect(a.reconnect, b.reconnect)
  );
}

function sameReconnect(a: ReconnectOptions | undefined, b: ReconnectOptions | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.baseMs === b.baseMs && a.capMs === b.capMs && a.giveUpAfterMs === b.giveUpAfterMs && a.random === b.random;
}

function notConfigured(): Agent37Error {
  return new Agent37Error({ code: 'not_configured', message: 'Set token-url (or getToken) on <agent37-chat>.' });
}

function superseded(): Agent37Error {
  return new Agent37Error({ code: 'superseded', message: 'The chat was rewired.' });
}
