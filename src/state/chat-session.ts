/**
 * One visitor's conversation, without Lit or DOM rendering: restores it from the stored ids, sends
 * messages, runs each turn through the turn runner and keeps the snapshot the element renders. The
 * element wraps it in a ReactiveController (src/state/chat-controller.ts).
 */
import type { Agent37Api } from '../client/api.js';
import { MAX_REQUEST_BYTES, type CreateResponseBody, type HistoryMessage, type ModelList, type SessionDetail, type StreamEvent } from '../contract/gateway.js';
import { Agent37Error, isUnreachable, toAgent37Error } from '../contract/errors.js';
import { answerText, historyTurns, isUserText, turnsSince } from '../contract/history-turns.js';
import { TurnRunner, type ConnectionState, type KnownHistory, type ReconnectOptions, type TurnAccepted, type TurnOutcome, type TurnStart } from '../client/turn.js';
import { emptyConversation, isFinished, reduceConversation, type ConversationAction, type ConversationState } from './conversation.js';
import type { AssistantMessage, ChatMessage, MessageStatus, TranscriptTurn } from './conversation-types.js';
import { historyView, type RunningTurnHint } from './history-view.js';
import type { PersistedIds, Persistence } from './persistence.js';
import type { TranscriptStore } from './transcript-store.js';
import { shortTitle, type ConversationSummary } from './conversation-summary.js';
import type { ConversationTitles } from './conversation-titles.js';
import type { ConversationChange, MirroredTurn, MirrorState, MirrorStatus, TabCall, TabHook, TabRequest, TabSync, TabSyncHost } from './tab-sync.js';

export interface ChatSnapshot {
  sessionId: string | null;
  messages: readonly ChatMessage[];
  /** a turn is running */
  busy: boolean;
  restoring: boolean;
  notice: Agent37Error | null;
}

export interface ChatSessionHooks {
  responseCreated?(id: string, sessionId: string): void;
  /** exactly once per turn that ends with an answer (status `complete` or `stopped`), resumes included */
  responseCompleted?(m: AssistantMessage): void;
  /** a refused send, a failed turn, a failed restore or cancel, an answer that lost its connection (once per turn) */
  error?(e: Agent37Error): void;
  sessionChange?(id: string | null): void;
  /** milliseconds from noticing a dropped stream to the first new event after reattaching */
  resumed?(ms: number): void;
  /** a conversation was created (its first answer began), opened, renamed or deleted, in this tab or another */
  conversationChange?(change: ConversationChange): void;
}

export interface ChatSessionOptions {
  api: Agent37Api;
  persistence: Persistence;
  /** this browser's record of finished turns (tool steps, stops, errors, usage); without it the server history alone */
  transcript?: TranscriptStore;
  /** agent, model, provider, reasoning_effort, metadata for each turn */
  request: () => TabRequest;
  /** the other tabs of this chat (same origin, deployment and persist-key); without it this tab works alone */
  tabs?: TabSync | null;
  /** the first messages of the conversations this browser started, for titles the gateway does not give */
  titles?: ConversationTitles;
  /** watchdog: no byte (keepalives included) for this long is a drop; default 75000 */
  stallTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  hooks?: ChatSessionHooks;
}

interface Turn {
  runner: TurnRunner;
  /** the assistant message the turn fills in */
  messageId: string;
  /** the visitor's text, kept with the ids so a reload can show it */
  input: string | null;
  /** what the server's history held before this turn (see KnownHistory), kept with the ids for a reload */
  historyBefore: KnownHistory | null;
  /** left behind by newConversation() or dispose(): whatever it still says is not for the page */
  abandoned: boolean;
  /** counted in `history.turnsSince` */
  counted: boolean;
  /** the error hook heard of its first `interrupted` */
  interruptReported: boolean;
  /** its stream dropped at least once: the text may have come back in one piece */
  reattached: boolean;
  /** known once response.created came (or from the start when attaching) */
  responseId: string | null;
  /** the keys of the events shown so far, for the tab that may take the turn over */
  keys: string[];
  /** it was sent without a session: its response.created names a new conversation */
  startsConversation: boolean;
  /** the visitor's message this turn answers, when this chat sent it */
  userId: string | null;
  /** the visitor's sessions before a new conversation's POST (see TurnStart), for a tab that must find the turn */
  knownSessions: ReadonlySet<string> | null;
  /** Stop was asked for */
  cancelled: boolean;
}

/** How long a send waits for the session list taken before a first message (see sessionsBefore). */
const SESSION_LIST_WAIT_MS = 2000;

/** Untitled conversations whose first message is read from the server per list, at most (first revision). */
const TITLE_LOOKUPS_PER_LIST = 10;

let nextLocalId = 0;
function localId(kind: string): string {
  nextLocalId += 1;
  return `local-${kind}-${Date.now().toString(36)}-${nextLocalId}`;
}

export class ChatSession implements TabSyncHost {
  private readonly o: ChatSessionOptions;
  private readonly tabs: TabSync | null;
  /** follower: the leader's state as last mirrored (null before the first) */
  private mirrored: MirrorState | null = null;
  /** what this tab last told the followers about its status and turn, so it tells only changes */
  private toldStatus: MirrorStatus | null = null;
  private toldTurn: MirroredTurn | null = null;
  /** resolves once this tab knows where its conversation comes from: its own restore (leading) or the leader's (following) */
  private tabsSettled: Promise<'lead' | 'mirrored'>;
  private settleTabs: (how: 'lead' | 'mirrored') => void = () => {};
  /** the first restore (or the first mirrored state) is over: a later lead takes over from the mirror */
  private started = false;
  private conversation: ConversationState = emptyConversation;
  private sessionId: string | null = null;
  private restoring = false;
  private notice: Agent37Error | null = null;
  private turn: Turn | null = null;
  private current: ChatSnapshot;
  private readonly listeners = new Set<(s: ChatSnapshot) => void>();
  private disposed = false;
  /** the session's history as the server last reported it; undefined when it could not be read */
  private history: KnownHistory | undefined = { lastId: null, turnsSince: 0 };
  /** the last restore could not read the stored session: it is tried again before the next send and on `online` */
  private restoreFailed = false;
  /** a send is between its checks and its turn (reading the history or the session list first) */
  private starting = false;
  /** the message of that send, shown before its turn started (the next leader removes it if this tab goes) */
  private unsentId: string | null = null;
  /** bumped by newConversation() and dispose(): a send that started before is overtaken */
  private epoch = 0;
  private restoreError: Agent37Error | null = null;
  private restoring$: Promise<void> | null = null;
  /** the history's last answer, which may be the running turn's interim text (see HistoryView.ambiguousTail) */
  private ambiguousTail: { turn: Turn; answerId: string; text: string; rowsBefore: string | null } | null = null;
  /** the visitor's sessions before the first message of a new conversation (null: could not be listed) */
  private sessionsBefore: Promise<ReadonlySet<string> | null> | null = null;
  private readonly onOnline = () => {
    // a follower shows the leader's notices; the leader does this
    if (this.following()) return;
    // "could not reach the server" is over (a new failure reports anew)
    if (this.notice && isUnreachable(this.notice)) {
      this.notice = null;
      this.publish();
    }
    if (this.restoreFailed && !this.turn) void this.restore();
  };

  constructor(o: ChatSessionOptions) {
    this.o = o;
    this.tabs = o.tabs ?? null;
    this.tabsSettled = this.tabs ? new Promise((resolve) => (this.settleTabs = resolve)) : Promise.resolve('lead');
    this.current = this.build();
    if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
    this.tabs?.start(this);
  }

  get snapshot(): ChatSnapshot {
    return this.current;
  }

  subscribe(listener: (s: ChatSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Persisted ids → the session's history → reattach a turn that is still running. */
  restore(): Promise<void> {
    this.restoring$ ??= this.restoreOnce().finally(() => {
      this.restoring$ = null;
    });
    return this.restoring$;
  }

  private async restoreOnce(): Promise<void> {
    if (this.disposed) return;
    if (!this.started) {
      // another tab leads: its state is this tab's
      const how = await this.tabsSettled;
      if (this.disposed) return;
      this.started = true;
      if (how === 'mirrored') return;
    }
    // New conversation (or dispose) while loading: what this restore read is no longer wanted
    const epoch = this.epoch;
    const overtaken = () => this.isClosed() || this.epoch !== epoch;
    this.restoring = true;
    this.publish();
    try {
      const stored: PersistedIds = await this.o.persistence.load().catch(() => ({ sessionId: null, responseId: null, pendingInput: null }));
      if (overtaken()) return;
      if (!stored.sessionId) {
        this.restoreFailed = false;
        this.startNewConversation();
        return;
      }
      let detail: SessionDetail;
      try {
        detail = await this.o.api.getSession(stored.sessionId);
      } catch (e) {
        if (overtaken()) return;
        const error = toAgent37Error(e);
        if (error.status === 404) {
          await this.forgetStoredConversation(stored.sessionId);
          return;
        }
        // keep the id: the next message continues the conversation once the server is back, and
        // the history is read again before it (or on `online`)
        this.restoreFailed = true;
        this.restoreError = error;
        this.history = undefined;
        this.setSession(stored.sessionId);
        this.report(error);
        return;
      }
      if (overtaken()) return;
      const history = Array.isArray(detail.history) ? detail.history : [];
      // newer gateways answer a deleted or unknown session with 200 and an empty history; the first
      // revision has no active_response_id, and there an empty history may be a first turn running
      if (history.length === 0 && !detail.active_response_id && (detail.active_response_id !== undefined || !stored.responseId)) {
        await this.forgetStoredConversation(stored.sessionId);
        return;
      }
      this.restoreFailed = false;
      if (this.notice !== null && this.notice === this.restoreError) this.notice = null;
      this.restoreError = null;
      this.setSession(stored.sessionId);
      const inFlight = await this.findRunningTurn(detail, history, stored);
      if (overtaken()) return;
      const recorded = (await this.o.transcript?.load(stored.sessionId).catch(() => [])) ?? [];
      if (overtaken()) return;
      const running: RunningTurnHint | null = inFlight ? { before: inFlight.historyBefore ?? undefined, input: inFlight.input } : null;
      const view = historyView(history, { running, transcript: recorded });
      if (view.transcript.length !== recorded.length) void this.o.transcript?.replace(stored.sessionId, view.transcript).catch(() => {});
      this.history = { lastId: view.lastFinishedId, turnsSince: 0 };
      this.change({ type: 'history', messages: view.messages });
      if (!inFlight && stored.responseId) await this.o.persistence.save({ sessionId: stored.sessionId, responseId: null });
      if (inFlight) {
        // the question as typed when this browser sent it, else as the history holds it (written as the turn runs)
        const input = inFlight.input ?? view.runningInput;
        // when it was asked, if the history holds its row already; the answer began then too
        const askedAt = view.runningAskedAt;
        if (input !== null) this.dispatch({ type: 'user', id: localId('user'), text: input, createdAt: askedAt });
        const turn = this.startTurn(
          { kind: 'attach', responseId: inFlight.responseId, sessionId: stored.sessionId, ...(input !== null ? { input } : {}) },
          inFlight.input,
          inFlight.historyBefore,
          askedAt,
        );
        this.ambiguousTail = view.ambiguousTail ? { turn, ...view.ambiguousTail } : null;
      }
    } finally {
      if (!this.disposed) {
        this.restoring = false;
        this.publish();
      }
    }
  }

  /** The server no longer has the stored conversation: start fresh, no error wall. */
  private async forgetStoredConversation(sessionId: string): Promise<void> {
    this.restoreFailed = false;
    this.setSession(null);
    this.startNewConversation();
    void this.o.transcript?.remove(sessionId).catch(() => {});
    await this.o.persistence.save({ sessionId: null, responseId: null });
  }

  /**
   * Sends one message. Resolves once the server accepted it (response.created); rejects with an
   * Agent37Error when it did not, and the user message is removed again so the element puts the text
   * back in the composer. On a 409 the running turn is shown but the message is never re-sent.
   * `sentAt`: when the visitor sent it (the page may have held it while the chat loaded).
   */
  async send(text: string, sentAt = Date.now(), request: TabRequest = this.o.request(), inSession: string | null | undefined = undefined): Promise<void> {
    if (this.disposed) throw new Agent37Error({ code: 'stream_interrupted', message: 'This chat was closed.' });
    if (text.trim() === '') throw new Agent37Error({ code: 'empty_message', message: 'Type a message first.' });
    if (this.following()) return this.sendThroughLeader(text, sentAt, request);
    if (this.turn || this.starting) throw busyHere();
    // another tab's visitor wrote it for the conversation shown there, which has just changed
    if (inSession !== undefined && inSession !== this.sessionId) throw superseded();
    const epoch = this.epoch;
    const overtaken = () => this.isClosed() || this.epoch !== epoch;
    this.starting = true;
    this.publish();
    let turn: Turn;
    let userId: string;
    try {
      // the stored conversation could not be read: read it first, so this message continues what the server holds
      if (this.restoreFailed || this.restoring$) {
        await this.restore();
        if (overtaken()) throw superseded();
        if (this.turn) throw busyHere();
      }
      const body: CreateResponseBody = { ...request, input: text, stream: true, ...(this.sessionId ? { session_id: this.sessionId } : {}) };
      const tooLarge = oversizeRefusal(body);
      if (tooLarge) {
        this.report(tooLarge);
        throw tooLarge;
      }
      userId = localId('user');
      this.notice = null;
      this.unsentId = userId;
      this.dispatch({ type: 'user', id: userId, text, createdAt: sentAt });
      let knownSessions: ReadonlySet<string> | null = null;
      if (!body.session_id) {
        knownSessions = await this.listSessionsBefore();
        if (overtaken()) throw superseded();
      }
      // what the server's history held before this turn (the server's view: a page that failed to
      // restore, or showed another tab's turn after a 409, shows something else)
      const history = this.history ? { ...this.history } : undefined;
      turn = this.startTurn(
        { kind: 'create', body, ...(history ? { history } : {}), ...(knownSessions ? { knownSessions } : {}) },
        text,
        history ?? null,
        Date.now(),
      );
      turn.userId = userId;
      turn.knownSessions = knownSessions;
    } finally {
      this.starting = false;
      this.unsentId = null;
      this.publish();
    }
    try {
      this.onAccepted(turn, await turn.runner.accepted);
    } catch (e) {
      const error = toAgent37Error(e);
      // the turn shown after a 409 is not this message: a reload must not show this text with it
      turn.input = null;
      // the visitor moved on (new conversation, closed chat): nothing of this send is theirs to see
      if (turn.abandoned || this.isClosed()) throw superseded();
      this.dispatch({ type: 'remove', id: userId });
      if (error.code !== 'cancelled') this.report(error);
      throw error;
    }
  }

  /** The server took the turn's message. */
  private onAccepted(turn: Turn, accepted: TurnAccepted): void {
    this.countTurn(turn);
    // a turn found again in the history, its response.created never seen: the session is named here
    if (!turn.abandoned && !this.isClosed() && this.sessionId === null) {
      this.sessionsBefore = null;
      this.setSession(accepted.sessionId);
      this.publish();
      void this.o.persistence.save({ sessionId: accepted.sessionId, responseId: null });
      this.conversationStarted(turn, accepted.sessionId);
    }
  }

  /** A new conversation's first turn was taken: its title (the first message) is kept, and the pages hear of it. */
  private conversationStarted(turn: Turn, sessionId: string): void {
    if (!turn.startsConversation || turn.input === null) return;
    turn.startsConversation = false;
    const title = shortTitle(turn.input);
    this.o.titles?.set(sessionId, title);
    this.conversationChanged({ kind: 'created', sessionId, title });
  }

  /**
   * A follower's send: the leader sends it (its turn then shows here as it streams there). A refusal
   * the leader showed as its notice is that same notice here, so the page does not show it twice.
   */
  private async sendThroughLeader(text: string, sentAt: number, request: TabRequest): Promise<void> {
    if (this.current.busy) throw busyHere();
    try {
      // as data only: a page's metadata may hold what a channel cannot copy (a framework's proxy)
      await this.tabs!.call({ op: 'send', text, sentAt, request: JSON.parse(JSON.stringify(request)) as TabRequest, inSession: this.sessionId });
    } catch (e) {
      const error = toAgent37Error(e);
      const notice = this.mirrored?.status.notice;
      throw notice && notice.code === error.code && notice.message === error.message ? notice : error;
    }
  }

  /** Stop: cancels the turn on the server; the partial answer stays, marked stopped. */
  async cancel(): Promise<void> {
    if (this.following()) {
      // the leader reports a failed Stop in every tab; one lost in a change of leader goes to the next
      await this.tabs!.call({ op: 'cancel' }).catch((e: unknown) => {
        if (toAgent37Error(e).code === 'stream_interrupted' && this.following()) return this.tabs!.call({ op: 'cancel' }).catch(() => {});
        if (toAgent37Error(e).code === 'stream_interrupted' && !this.following()) return this.cancel();
        return undefined;
      });
      return;
    }
    const turn = this.turn;
    if (!turn) return;
    turn.cancelled = true;
    this.publish();
    try {
      await turn.runner.cancel();
    } catch (e) {
      // the server never heard it: the turn's ending is not a stop
      turn.cancelled = false;
      if (!this.disposed) this.report(toAgent37Error(e));
    }
  }

  /**
   * A fresh conversation; the running turn (if any) is left to finish on the server. `inSession`
   * (another tab's New conversation): the conversation that tab showed; done already if it changed.
   */
  async newConversation(inSession?: string | null): Promise<void> {
    if (this.disposed) return;
    if (this.following()) return this.tabs!.call({ op: 'new', inSession: this.sessionId });
    if (inSession !== undefined && inSession !== this.sessionId) return;
    this.epoch++;
    this.abandonTurn();
    this.change({ type: 'reset' });
    this.notice = null;
    this.restoreFailed = false;
    this.setSession(null);
    this.startNewConversation();
    this.publish();
    await this.o.persistence.save({ sessionId: null, responseId: null });
  }

  /**
   * Shows another of the visitor's conversations (its running turn too); the turn running here, if
   * any, is left to finish on the server.
   */
  async openConversation(sessionId: string): Promise<void> {
    if (this.disposed) return;
    if (this.following()) return this.tabs!.call({ op: 'open', sessionId });
    if (sessionId === this.sessionId && !this.restoreFailed) return;
    this.epoch++;
    this.abandonTurn();
    this.change({ type: 'reset' });
    this.notice = null;
    this.restoreFailed = false;
    this.restoreError = null;
    this.ambiguousTail = null;
    this.setSession(sessionId);
    this.restoring = true;
    this.publish();
    await this.o.persistence.save({ sessionId, responseId: null });
    // a restore of the conversation left behind sees the new epoch and stops; this one reads the new id
    await this.restoring$?.catch(() => {});
    if (this.disposed || this.sessionId !== sessionId) return;
    this.conversationChanged({ kind: 'opened', sessionId });
    await this.restore();
  }

  /**
   * The visitor's own conversations, newest first (the relay lists only theirs). Titled by the
   * gateway, else by the first message as this browser sent it, else (first revision, a conversation
   * started elsewhere) as the server's history holds it.
   */
  async listConversations(): Promise<ConversationSummary[]> {
    const sessions = await this.o.api.listSessions();
    const titles = this.o.titles;
    const list: ConversationSummary[] = sessions
      .filter((s) => typeof s.id === 'string' && s.id !== '')
      .map((s) => ({
        sessionId: s.id,
        title: (typeof s.title === 'string' ? s.title.trim() : '') || titles?.get(s.id) || '',
        lastActive: timestampOf(s.last_active ?? s.last_response_at ?? s.started_at ?? s.created),
        preview: typeof s.preview === 'string' && s.preview.trim() !== '' ? s.preview : null,
      }));
    const untitled = list.filter((c) => c.title === '').slice(0, TITLE_LOOKUPS_PER_LIST);
    await Promise.all(
      untitled.map(async (c) => {
        try {
          const detail = await this.o.api.getSession(c.sessionId);
          const first = (Array.isArray(detail.history) ? detail.history : []).find((m) => m.role === 'user' && typeof m.content === 'string');
          if (!first) return;
          c.title = shortTitle(first.content);
          titles?.set(c.sessionId, c.title);
        } catch {
          // stays untitled; the list still shows it
        }
      }),
    );
    return list;
  }

  /** The instance's models (GET /v1/models), as the gateway lists them. */
  models(): Promise<ModelList> {
    return this.o.api.models();
  }

  /** Renames one of the visitor's conversations; rejects with the gateway's refusal (405 rename_unsupported, 409 title_conflict, 400). */
  async renameConversation(sessionId: string, title: string): Promise<void> {
    const trimmed = title.trim();
    if (trimmed === '') throw new Agent37Error({ code: 'validation_error', status: 400, param: 'title', message: 'A title cannot be empty.' });
    await this.o.api.renameSession(sessionId, trimmed);
    this.conversationChanged({ kind: 'renamed', sessionId, title: trimmed });
  }

  /** Deletes one of the visitor's conversations (one already gone counts as deleted); the current one gives way to a new one. */
  async deleteConversation(sessionId: string): Promise<void> {
    try {
      await this.o.api.deleteSession(sessionId);
    } catch (e) {
      const error = toAgent37Error(e);
      if (error.status !== 404) throw error;
    }
    void this.o.transcript?.remove(sessionId).catch(() => {});
    this.o.titles?.remove(sessionId);
    this.conversationChanged({ kind: 'deleted', sessionId });
    // deleted either way; a New conversation that did not get through shows as a notice
    if (sessionId === this.sessionId) await this.newConversation().catch((e: unknown) => this.report(toAgent37Error(e)));
  }

  /** Retry a lost connection now. */
  resume(): void {
    if (this.following()) void this.tabs!.call({ op: 'resume' }).catch(() => {});
    else this.turn?.runner.resume();
  }

  /** Detach and stop publishing; never cancels (closing a tab is not Stop). Another tab leads if this one did. */
  dispose(): void {
    this.disposed = true;
    this.epoch++;
    this.abandonTurn();
    this.listeners.clear();
    this.tabs?.close();
    this.settleTabs('lead');
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
  }

  // ---- the other tabs (TabSyncHost) ----

  lead(mirrored: MirrorState | null): void {
    if (this.disposed) return;
    this.mirrored = null;
    this.toldStatus = null;
    this.toldTurn = null;
    if (!this.started) {
      // the first restore waits for this: it runs now (a tab that joins meanwhile waits for it too)
      this.restoring = true;
      this.settleTabs('lead');
      return;
    }
    if (!mirrored || mirrored.status.restoring) {
      // nothing whole to go on (the leader went while loading, or a message was lost): read it again
      void this.restore();
      return;
    }
    this.conversation = mirrored.conversation;
    this.sessionId = mirrored.status.sessionId;
    this.history = mirrored.status.history;
    this.notice = mirrored.status.notice;
    const turn = mirrored.turn;
    if (turn?.responseId) this.takeOver(turn, turn.responseId);
    else if (turn) this.findTakenOver(turn);
    else if (mirrored.status.unsent) {
      // the leader went before its send began: that message never went out
      this.conversation = reduceConversation(this.conversation, { type: 'remove', id: mirrored.status.unsent });
    }
    this.publish();
  }

  follow(): void {
    this.publish();
  }

  state(): MirrorState {
    return { conversation: this.conversation, status: this.status(), turn: this.turnForTabs() };
  }

  async call(c: TabCall): Promise<void> {
    switch (c.op) {
      case 'send':
        return this.send(c.text, c.sentAt, c.request, c.inSession);
      case 'cancel':
        return this.cancel();
      case 'new':
        return this.newConversation(c.inSession);
      case 'open':
        return this.openConversation(c.sessionId);
      case 'resume':
        return this.resume();
    }
  }

  mirror(state: MirrorState): void {
    if (this.disposed) return;
    this.mirrored = state;
    this.conversation = state.conversation;
    this.sessionId = state.status.sessionId;
    this.history = state.status.history;
    // from here on, taking the lead takes over from this state
    this.started = true;
    this.settleTabs('mirrored');
    this.publish();
  }

  hook(hook: TabHook): void {
    if (!this.disposed) this.tellPage(hook);
  }

  conversationsChanged(change: ConversationChange): void {
    if (!this.disposed) this.o.hooks?.conversationChange?.(change);
  }

  /** This tab shows another tab's chat. */
  private following(): boolean {
    return this.tabs?.role === 'follower';
  }

  /** The leader takes over the turn the leader before it ran: the same answer, its replay deduped against what it showed. */
  private takeOver(t: MirroredTurn, responseId: string): void {
    const turn = this.startTurn(
      { kind: 'attach', responseId, sessionId: t.sessionId, ...(t.input !== null ? { input: t.input } : {}), emitted: t.keys, cancelled: t.cancelled },
      t.input,
      t.historyBefore,
      undefined,
      t.messageId,
    );
    turn.counted = true;
    turn.startsConversation = false;
  }

  /**
   * The leader before this one went while its POST was out (no response.created yet): the turn is
   * looked for as after a dropped POST, never sent again; not found, its question goes too.
   */
  private findTakenOver(t: MirroredTurn): void {
    if (t.input === null) {
      this.conversation = reduceConversation(this.conversation, { type: 'remove', id: t.messageId });
      void this.restore();
      return;
    }
    const turn = this.startTurn(
      {
        kind: 'find',
        sessionId: t.sessionId,
        input: t.input,
        ...(t.historyBefore ? { history: t.historyBefore } : {}),
        ...(t.knownSessions ? { knownSessions: new Set(t.knownSessions) } : {}),
      },
      t.input,
      t.historyBefore,
      undefined,
      t.messageId,
    );
    turn.userId = t.userId;
    turn.runner.accepted.then(
      (accepted) => this.onAccepted(turn, accepted),
      (e: unknown) => {
        if (turn.abandoned || this.isClosed() || !t.userId) return;
        this.dispatch({ type: 'remove', id: t.userId });
        this.report(toAgent37Error(e));
      },
    );
  }

  private status(): MirrorStatus {
    return {
      sessionId: this.sessionId,
      busy: this.turn !== null || this.starting,
      restoring: this.restoring,
      notice: this.notice,
      history: this.history,
      unsent: this.unsentId,
    };
  }

  private turnForTabs(): MirroredTurn | null {
    const turn = this.turn;
    if (!turn) return null;
    return {
      messageId: turn.messageId,
      responseId: turn.responseId,
      sessionId: this.sessionId,
      input: turn.input,
      historyBefore: turn.historyBefore,
      keys: turn.keys,
      userId: turn.userId,
      knownSessions: turn.knownSessions ? [...turn.knownSessions] : null,
      cancelled: turn.cancelled,
    };
  }

  /** Leader: the followers hear what changed in its status and turn since it last told them. */
  private tellTabs(): void {
    const tabs = this.tabs;
    if (!tabs || tabs.role !== 'leader') return;
    const status = this.status();
    const toldStatus = this.toldStatus;
    if (
      !toldStatus ||
      toldStatus.sessionId !== status.sessionId ||
      toldStatus.busy !== status.busy ||
      toldStatus.restoring !== status.restoring ||
      toldStatus.notice !== status.notice ||
      toldStatus.unsent !== status.unsent ||
      toldStatus.history?.lastId !== status.history?.lastId ||
      toldStatus.history?.turnsSince !== status.history?.turnsSince ||
      (toldStatus.history === undefined) !== (status.history === undefined)
    ) {
      this.toldStatus = status;
      tabs.publishStatus(status);
    }
    // compared field by field, built only when it changed: this runs for every streamed delta
    const t = this.turn;
    const told = this.toldTurn;
    const same =
      t === null
        ? told === null
        : told !== null &&
          t.messageId === told.messageId &&
          t.responseId === told.responseId &&
          this.sessionId === told.sessionId &&
          t.input === told.input &&
          t.cancelled === told.cancelled &&
          t.userId === told.userId;
    if (same) return;
    this.toldTurn = this.turnForTabs();
    tabs.publishTurn(this.toldTurn);
  }

  /** Tells this tab's page, and the other tabs' pages through them (a session change while loading is not news). */
  private tell(hook: TabHook): void {
    this.tellPage(hook);
    if (this.tabs?.role === 'leader' && !(hook.name === 'sessionChange' && this.restoring)) this.tabs.publishHook(hook);
  }

  private tellPage(hook: TabHook): void {
    const hooks = this.o.hooks;
    switch (hook.name) {
      case 'responseCreated':
        return hooks?.responseCreated?.(hook.id, hook.sessionId);
      case 'responseCompleted':
        return hooks?.responseCompleted?.(hook.message);
      case 'error':
        return hooks?.error?.(hook.error);
      case 'sessionChange':
        return hooks?.sessionChange?.(hook.id);
    }
  }

  /** This tab's page and every other tab's hear of a change of the visitor's conversations. */
  private conversationChanged(change: ConversationChange): void {
    this.o.hooks?.conversationChange?.(change);
    this.tabs?.publishConversations(change);
  }

  private abandonTurn(): void {
    if (!this.turn) return;
    this.turn.abandoned = true;
    this.turn.runner.detach();
    this.turn = null;
  }

  /** No session yet: its history is empty, and the sessions that exist before its first message are listed. */
  private startNewConversation(): void {
    this.history = { lastId: null, turnsSince: 0 };
    this.sessionsBefore = null;
    void this.listSessionsBefore();
  }

  /**
   * The visitor's sessions before the first message of a new conversation, listed ahead of time
   * (at restore / new conversation) so a send rarely waits for it; bounded, null when unknown.
   */
  private async listSessionsBefore(): Promise<ReadonlySet<string> | null> {
    this.sessionsBefore ??= this.o.api.listSessions().then(
      (list) => new Set(list.map((x) => x.id).filter((id): id is string => typeof id === 'string')),
      () => null,
    );
    const listing = this.sessionsBefore;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = await Promise.race([listing, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SESSION_LIST_WAIT_MS)))]);
    clearTimeout(timer);
    // a failed listing is tried again next time
    if (waited === null && this.sessionsBefore === listing) void listing.then((set) => set === null && this.sessionsBefore === listing && (this.sessionsBefore = null));
    return waited;
  }

  /** One more turn of this session the server took (its user message now follows `history.lastId`). */
  private countTurn(turn: Turn): void {
    if (turn.counted) return;
    turn.counted = true;
    if (this.history) this.history = { ...this.history, turnsSince: this.history.turnsSince + 1 };
  }

  /** `answerId`: the answer already on screen that the turn fills in (a turn taken over from another tab) */
  private startTurn(start: TurnStart, input: string | null, historyBefore: KnownHistory | null, createdAt: number | undefined, answerId?: string): Turn {
    const messageId = answerId ?? localId('assistant');
    if (answerId === undefined) this.dispatch({ type: 'assistant', id: messageId, createdAt, ...(start.kind === 'attach' ? { responseId: start.responseId } : {}) });
    const runner = new TurnRunner({
      api: this.o.api,
      ...(this.o.stallTimeoutMs !== undefined ? { stallTimeoutMs: this.o.stallTimeoutMs } : {}),
      ...(this.o.reconnect ? { reconnect: this.o.reconnect } : {}),
      onEvent: (event, meta) => this.onTurnEvent(turn, event, meta.cancelled, meta.key),
      onConnection: (state) => this.onConnection(turn, state),
      onResumed: (ms) => this.o.hooks?.resumed?.(ms),
    });
    const turn: Turn = {
      runner,
      messageId,
      input,
      historyBefore,
      abandoned: false,
      counted: false,
      interruptReported: false,
      reattached: false,
      responseId: start.kind === 'attach' ? start.responseId : null,
      keys: start.kind === 'attach' && start.emitted ? [...start.emitted] : [],
      startsConversation: (start.kind === 'create' && start.body.session_id === undefined) || (start.kind === 'find' && start.sessionId === null),
      userId: null,
      knownSessions: start.kind === 'find' ? (start.knownSessions ?? null) : null,
      cancelled: start.kind === 'attach' && start.cancelled === true,
    };
    this.turn = turn;
    this.publish();
    runner.run(start).then(
      (outcome) => this.finishTurn(turn, outcome),
      () => this.dropTurn(turn),
    );
    return turn;
  }

  private onTurnEvent(turn: Turn, event: StreamEvent, cancelled: boolean, key: string | undefined): void {
    if (this.disposed || this.turn !== turn) return;
    if (key !== undefined) turn.keys.push(key);
    if (event.event === 'response.created') turn.responseId = event.data.id;
    this.dispatch({ type: 'event', id: turn.messageId, event, cancelled }, key);
    if (this.ambiguousTail?.turn === turn) this.settleAmbiguousTail(event);
    if (event.event === 'response.created') {
      this.countTurn(turn);
      // the session exists now: the list taken before its first message is spent
      this.sessionsBefore = null;
      this.setSession(event.data.session_id);
      this.publish();
      // saved as soon as the turn has ids, so a reload from here on reattaches to it
      void this.o.persistence.save({
        sessionId: event.data.session_id,
        responseId: event.data.id,
        pendingInput: turn.input,
        historyBefore: turn.historyBefore,
      });
      this.tell({ name: 'responseCreated', id: event.data.id, sessionId: event.data.session_id });
      this.conversationStarted(turn, event.data.session_id);
    }
  }

  private onConnection(turn: Turn, state: ConnectionState): void {
    if (this.disposed || this.turn !== turn) return;
    if (state.kind === 'reconnecting') turn.reattached = true;
    const shown = statusOfConnection(state);
    if (shown) this.dispatch({ type: 'status', id: turn.messageId, ...shown });
    if (state.kind === 'interrupted' && !turn.interruptReported) {
      // said once per turn: the page hears that an answer lost its connection (the message shows why)
      turn.interruptReported = true;
      this.tell({ name: 'error', error: state.error });
    }
  }

  private finishTurn(turn: Turn, outcome: TurnOutcome): void {
    if (this.disposed || this.turn !== turn || outcome.kind === 'detached') return;
    this.turn = null;
    this.publish();
    void this.o.persistence.save({ sessionId: this.sessionId, responseId: null });
    const message = this.conversation.messages.find((m): m is AssistantMessage => m.id === turn.messageId && m.role === 'assistant');
    if (this.ambiguousTail?.turn === turn) this.ambiguousTail = null;
    const mayBeOnePiece = outcome.kind === 'completed' && (outcome.via !== 'stream' || turn.reattached);
    if (message) {
      if (mayBeOnePiece) void this.splitLikeHistory(turn, message);
      else this.record(turn, message);
    }
    if (outcome.kind === 'completed') {
      if (message) this.tell({ name: 'responseCompleted', message });
    } else {
      this.tell({ name: 'error', error: message?.error ?? outcome.error });
    }
  }

  /**
   * An answer whose text came in one piece (a synthesized replay, or read from the history) shows
   * its interim and final texts as one run ("…records.The answer…"); the history's rows say where
   * they split. Best effort: a failed read leaves the answer as it is.
   */
  private async splitLikeHistory(turn: Turn, message: AssistantMessage): Promise<void> {
    const sessionId = this.sessionId;
    let detail: SessionDetail | null = null;
    try {
      if (sessionId) detail = await this.o.api.getSession(sessionId);
    } catch {
      // best effort: the answer stays as it came
    }
    if (this.disposed || turn.abandoned || this.sessionId !== sessionId) return;
    const turns = historyTurns(detail && Array.isArray(detail.history) ? detail.history : []);
    const asked = turns.findLast((t) => answerText(t) === message.text && (turn.input === null || (t.user !== null && isUserText(t.user.content, turn.input))));
    if (asked) this.dispatch({ type: 'text-blocks', id: message.id, blocks: asked.answers.map((row) => row.content) });
    const shown = this.conversation.messages.find((m): m is AssistantMessage => m.id === message.id && m.role === 'assistant');
    this.record(turn, shown ?? message);
  }

  /**
   * While the live replay's text grows, it settles whether the history's last answer was the running
   * turn's interim text (then the live answer shows it, and the copy goes) or an earlier turn's.
   */
  private settleAmbiguousTail(event: StreamEvent): void {
    const tail = this.ambiguousTail!;
    const terminal = event.event === 'response.completed' || event.event === 'response.failed';
    if (event.event !== 'response.output_text.delta' && !terminal) return;
    const live = this.conversation.messages.find((m): m is AssistantMessage => m.id === tail.turn.messageId && m.role === 'assistant');
    const text = live?.text ?? '';
    if (!terminal && text.length < tail.text.length) {
      if (!tail.text.startsWith(text)) this.ambiguousTail = null;
      return;
    }
    this.ambiguousTail = null;
    if (!text.startsWith(tail.text)) return;
    this.dispatch({ type: 'remove', id: tail.answerId });
    // the running turn's rows begin after the row before its question
    if (this.history) this.history = { ...this.history, lastId: tail.rowsBefore };
  }

  /** A finished turn into the local transcript, so a reload shows it as it ended. */
  private record(turn: Turn, message: AssistantMessage): void {
    const store = this.o.transcript;
    // a turn shown after a 409 is another tab's: its question is not known here
    if (!store || !this.sessionId || turn.input === null || !isFinished(message.status)) return;
    const messages = this.conversation.messages;
    const asked = messages[messages.findIndex((m) => m.id === message.id) - 1];
    const askedAt = asked?.role === 'user' ? asked.createdAt : undefined;
    const entry: TranscriptTurn = {
      responseId: message.responseId ?? null,
      input: turn.input,
      status: message.status as TranscriptTurn['status'],
      parts: message.parts,
      ...(message.usage !== undefined ? { usage: message.usage } : {}),
      ...(message.error ? { error: { code: message.error.code, message: message.error.message, ...(message.error.hint ? { hint: message.error.hint } : {}) } } : {}),
      at: Date.now(),
      ...(askedAt !== undefined ? { askedAt } : {}),
      ...(message.createdAt !== undefined ? { startedAt: message.createdAt } : {}),
    };
    void store.append(this.sessionId, entry).catch(() => {});
  }

  /** The turn never started (refused POST, cut before it was named): nothing of it stays. */
  private dropTurn(turn: Turn): void {
    if (this.disposed || this.turn !== turn) return;
    this.turn = null;
    this.dispatch({ type: 'remove', id: turn.messageId });
  }

  /**
   * The turn to reattach after a reload: the session's `active_response_id` (newer revision), else
   * the stored response id unless the history already holds its answer.
   */
  private async findRunningTurn(
    detail: SessionDetail,
    history: readonly HistoryMessage[],
    stored: PersistedIds,
  ): Promise<{ responseId: string; input: string | null; historyBefore: KnownHistory | null } | null> {
    const storedResponseId = stored.responseId;
    const pendingInput = stored.pendingInput ?? null;
    const ours = (id: string) => ({
      responseId: id,
      input: id === storedResponseId ? pendingInput : null,
      historyBefore: id === storedResponseId ? (stored.historyBefore ?? null) : null,
    });
    if (detail.active_response_id !== undefined) {
      const active = detail.active_response_id;
      return active ? ours(active) : null;
    }
    if (!storedResponseId) return null;
    const last = historyTurns(history).at(-1);
    if (answeredInHistory(history, stored)) return null;
    try {
      const response = await this.o.api.getResponse(storedResponseId);
      if (response.status !== 'in_progress' && last && last.answers.length > 0) return null;
    } catch (e) {
      if (toAgent37Error(e).status === 404) return null;
    }
    return ours(storedResponseId);
  }

  /** read through a method: TypeScript would keep an earlier narrowing of the field across awaits */
  private isClosed(): boolean {
    return this.disposed;
  }

  private setSession(id: string | null): void {
    if (this.sessionId === id) return;
    this.sessionId = id;
    this.tell({ name: 'sessionChange', id });
  }

  private report(error: Agent37Error): void {
    this.notice = error;
    this.publish();
    this.tell({ name: 'error', error });
  }

  /** `key`: the stream's key of the event the action applies (the other tabs keep it for a take-over) */
  private dispatch(action: ConversationAction, key?: string): void {
    if (this.change(action, key)) this.publish();
  }

  /** The conversation after `action`, here and in the tabs that follow this one; the page sees it with the next publish. */
  private change(action: ConversationAction, key?: string): boolean {
    const next = reduceConversation(this.conversation, action);
    const changed = next !== this.conversation;
    this.conversation = next;
    // an event the reducer ignores still counts for a take-over's dedupe: its key goes too
    if (this.tabs?.role === 'leader' && (changed || key !== undefined)) this.tabs.publishAction(action, key);
    return changed;
  }

  private publish(): void {
    if (this.disposed) return;
    this.tellTabs();
    this.current = this.build();
    for (const listener of this.listeners) listener(this.current);
  }

  private build(): ChatSnapshot {
    if (this.tabs && this.tabs.role !== 'leader') {
      // following (or not yet knowing whether it leads): the leader's status
      const status = this.mirrored?.status;
      return {
        sessionId: this.sessionId,
        messages: this.conversation.messages,
        busy: status?.busy ?? false,
        restoring: status ? status.restoring : !this.disposed,
        notice: status?.notice ?? null,
      };
    }
    return {
      sessionId: this.sessionId,
      messages: this.conversation.messages,
      busy: this.turn !== null || this.starting,
      restoring: this.restoring,
      notice: this.notice,
    };
  }
}

/**
 * First revision (history written at the end): whether the stored in-flight turn's answer is in the
 * history already. By what the history held before it when known (a Retry asks the same question
 * again, so the text alone cannot tell), else by its question on the last turn.
 */
function answeredInHistory(history: readonly HistoryMessage[], stored: PersistedIds): boolean {
  const input = stored.pendingInput ?? null;
  if (input === null) return false;
  const since = stored.historyBefore ? turnsSince(history, stored.historyBefore) : null;
  if (since) {
    const turn = since[0];
    return turn !== undefined && turn.answers.length > 0 && isUserText(turn.user!.content, input);
  }
  const last = historyTurns(history).at(-1);
  return last !== undefined && last.answers.length > 0 && last.user !== null && isUserText(last.user.content, input);
}

function busyHere(): Agent37Error {
  // no message of its own: the notice words it in the chat's language (a message would show as Details)
  return new Agent37Error({ code: 'session_busy', status: 0, message: '' });
}

/** A gateway time (epoch ms; seconds from older builds) as epoch ms, or null. */
function timestampOf(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  return value < 1e12 ? value * 1000 : value;
}

/** The send was overtaken by a new conversation or the chat closing: nothing to show or report. */
function superseded(): Agent37Error {
  return new Agent37Error({ code: 'superseded', message: 'The message was left behind by a new conversation or a closed chat.' });
}

/** The refusal for a request body over the gateway's 2 MB cap, measured as the bytes that would be sent. */
export function oversizeRefusal(body: CreateResponseBody): Agent37Error | null {
  const bytes = new TextEncoder().encode(JSON.stringify(body)).length;
  if (bytes <= MAX_REQUEST_BYTES) return null;
  return new Agent37Error({
    code: 'payload_too_large',
    status: 413,
    message: `This message is too long to send: a message can be at most ${formatBytes(MAX_REQUEST_BYTES)} (this one is ${formatBytes(bytes)}). Shorten it and try again.`,
  });
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/** What the answer shows for a connection state; null for `connecting` (the answer keeps its status). */
function statusOfConnection(state: ConnectionState): { status: MessageStatus; error?: Agent37Error | undefined } | null {
  switch (state.kind) {
    case 'connecting':
      return null;
    case 'streaming':
    case 'offline':
      return { status: state.kind };
    case 'reconnecting':
      return { status: 'reconnecting', error: state.error ?? undefined };
    case 'waiting':
    case 'interrupted':
      return { status: state.kind, error: state.error };
  }
}
