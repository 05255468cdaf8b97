/**
 * Tabs of one origin and persist-key act as one chat. One tab, the leader, chosen with the Web Locks
 * API, runs the conversation: it restores it, sends, holds the one network stream of a running turn
 * and saves. The others follow over a BroadcastChannel: the leader sends its conversation's reducer
 * actions and its status, in order, and they apply them to the same reducer (src/state/conversation.ts,
 * which reads no clock), so every tab shows the same thing at the same time; what a follower's visitor
 * does (send, Stop, New conversation, open another) goes to the leader, which answers how it went.
 *
 * When the leader goes (its tab closed, its chat left the page), the browser hands the lock to the
 * next tab in line, which leads from the state it mirrored: it reattaches to the running turn and
 * skips the replay's events it already showed (their keys travel with the actions).
 *
 * Without Web Locks or BroadcastChannel there is no TabSync: every tab works alone.
 *
 * Protocol: every leader message carries its `term` (a new leader counts one up from the highest it
 * saw, so a late word from an old leader is ignored) and a `seq`, one up per message; a follower
 * that misses one asks for the whole state again (`hello`). The channel delivers one sender's
 * messages in order.
 */
import { Agent37Error } from '../contract/errors.js';
import type { CreateResponseBody } from '../contract/gateway.js';
import type { KnownHistory } from '../client/turn-lookup.js';
import { reduceConversation, type ConversationAction, type ConversationState } from './conversation.js';
import type { AssistantMessage, ChatMessage } from './conversation-types.js';

export type TabRequest = Omit<CreateResponseBody, 'input' | 'session_id' | 'stream'>;

/** What the leader's chat is doing, besides its messages. */
export interface MirrorStatus {
  sessionId: string | null;
  busy: boolean;
  restoring: boolean;
  notice: Agent37Error | null;
  /** what the session's history held as the server last reported it (see KnownHistory) */
  history: KnownHistory | undefined;
  /** the visitor's message of a send that has not begun its turn yet (null: none) */
  unsent: string | null;
}

/** The leader's running turn, enough for the next leader to take it over. */
export interface MirroredTurn {
  /** the answer it fills in */
  messageId: string;
  responseId: string | null;
  sessionId: string | null;
  /** the visitor's text, when this chat sent it */
  input: string | null;
  historyBefore: KnownHistory | null;
  /** the keys of the events shown so far (TurnRunnerOptions.onEvent), in order */
  keys: string[];
  /** the visitor's message it answers, when this chat sent it */
  userId: string | null;
  /** a new conversation's POST: the visitor's sessions before it, so the next leader can find the session it made */
  knownSessions: string[] | null;
  /** Stop was asked for */
  cancelled: boolean;
}

export interface MirrorState {
  conversation: ConversationState;
  status: MirrorStatus;
  turn: MirroredTurn | null;
}

/** A change of the visitor's conversations, for the page (`agent37-conversation-change`) and open lists. */
export interface ConversationChange {
  kind: 'created' | 'opened' | 'renamed' | 'deleted';
  sessionId: string;
  title?: string;
}

/** What a follower's visitor did, for the leader to do. */
export type TabCall =
  /** `inSession`: the conversation the follower showed (refused as superseded once the leader shows another) */
  | { op: 'send'; text: string; sentAt: number; request: TabRequest; inSession: string | null }
  | { op: 'cancel' }
  | { op: 'new'; inSession: string | null }
  | { op: 'open'; sessionId: string }
  | { op: 'resume' };

/** What the leader's chat told its page; every tab tells its own page too. */
export type TabHook =
  | { name: 'responseCreated'; id: string; sessionId: string }
  | { name: 'responseCompleted'; message: AssistantMessage }
  | { name: 'error'; error: Agent37Error }
  | { name: 'sessionChange'; id: string | null };

/** The chat session's side (ChatSession implements it). */
export interface TabSyncHost {
  /** this tab leads from now on; `mirrored`: the leader's state as this tab last had it (null: none) */
  lead(mirrored: MirrorState | null): void;
  /** this tab follows: it shows what the leader does */
  follow(): void;
  /** the whole state, for a tab that joins */
  state(): MirrorState;
  /** leader: a follower's visitor did something; rejects with why it failed */
  call(call: TabCall): Promise<void>;
  /** follower: the leader's state, after each of its changes */
  mirror(state: MirrorState): void;
  /** follower: what the leader's chat told its page */
  hook(hook: TabHook): void;
  /** any tab: another tab created, opened, renamed or deleted a conversation */
  conversationsChanged(change: ConversationChange): void;
}

export type TabRole = 'pending' | 'leader' | 'follower';

type WireError = { code: string; message: string; status: number; param?: string; hint?: string; responseId?: string; retryAfterMs?: number };

type Wire =
  | { t: 'hello'; from: string }
  | { t: 'sync'; from: string; to: string | null; term: number; seq: number; state: MirrorState }
  | { t: 'action'; from: string; term: number; seq: number; action: ConversationAction; key?: string }
  | { t: 'status'; from: string; term: number; seq: number; status: MirrorStatus }
  | { t: 'turn'; from: string; term: number; seq: number; turn: MirroredTurn | null }
  | { t: 'hook'; from: string; term: number; seq: number; hook: TabHook }
  | { t: 'call'; from: string; to: string; id: number; call: TabCall }
  | { t: 'reply'; from: string; to: string; id: number; error?: WireError }
  | { t: 'conversations'; from: string; change: ConversationChange };

/** How often a follower that has not heard the leader's state yet asks again. */
const HELLO_RETRY_MS = 1000;

let nextTabId = 0;

export class TabSync {
  /** A TabSync for `name` (the chat's store name), or null when this browser lacks Web Locks or BroadcastChannel. */
  static create(name: string): TabSync | null {
    if (typeof BroadcastChannel === 'undefined' || typeof navigator === 'undefined' || !navigator.locks) return null;
    return new TabSync(name);
  }

  private readonly name: string;
  private readonly id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${(nextTabId += 1)}`;
  private readonly channel: BroadcastChannel;
  private host: TabSyncHost | null = null;
  private current: TabRole = 'pending';
  private closed = false;
  /** releases the lock this tab holds */
  private release: (() => void) | null = null;
  /** withdraws this tab from the lock's queue */
  private readonly queue = new AbortController();
  // the leader this tab follows (or is), and where its messages are
  private leaderId: string | null = null;
  private term = 0;
  private seq = 0;
  /** follower: the leader's state as mirrored so far; null until its first sync */
  private mirrored: MirrorState | null = null;
  private helloTimer: ReturnType<typeof setInterval> | undefined;
  private nextCallId = 0;
  private readonly calls = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();

  private constructor(name: string) {
    this.name = name;
    this.channel = new BroadcastChannel(`agent37-chat:tabs:${name}`);
    this.channel.onmessage = (e: MessageEvent<Wire>) => this.receive(e.data);
  }

  get role(): TabRole {
    return this.current;
  }

  /** Joins the tabs: leads at once when no tab does, else follows and waits in line to lead. */
  start(host: TabSyncHost): void {
    this.host = host;
    const lockName = `agent37-chat:lead:${this.name}`;
    const hold = () => new Promise<void>((resolve) => (this.release = resolve));
    void navigator.locks
      .request(lockName, { ifAvailable: true }, async (lock) => {
        if (this.closed) return;
        if (lock) {
          this.becomeLeader();
          return hold();
        }
        this.becomeFollower();
        void navigator.locks
          .request(lockName, { signal: this.queue.signal }, async () => {
            if (this.closed) return;
            this.becomeLeader();
            return hold();
          })
          .catch(() => {
            // withdrawn from the queue: this tab closed
          });
      })
      .catch(() => {
        // the lock could not be asked for (an opaque origin): this tab works alone
        if (!this.closed && this.current === 'pending') this.becomeLeader();
      });
  }

  /** Leaves the tabs: another tab leads if this one did. Calls still waiting fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.helloTimer);
    this.release?.();
    this.queue.abort();
    this.channel.close();
    this.host = null;
    this.failCalls('The chat was closed.');
  }

  // ---- leader: what the followers are told ----

  publishAction(action: ConversationAction, key?: string): void {
    this.broadcast({ t: 'action', from: this.id, term: this.term, seq: this.next(), action: wireAction(action), ...(key !== undefined ? { key } : {}) });
  }

  publishStatus(status: MirrorStatus): void {
    this.broadcast({ t: 'status', from: this.id, term: this.term, seq: this.next(), status: wireStatus(status) });
  }

  publishTurn(turn: MirroredTurn | null): void {
    this.broadcast({ t: 'turn', from: this.id, term: this.term, seq: this.next(), turn: turn && { ...turn, keys: [...turn.keys] } });
  }

  publishHook(hook: TabHook): void {
    this.broadcast({ t: 'hook', from: this.id, term: this.term, seq: this.next(), hook: wireHook(hook) });
  }

  /** Any tab: a conversation was created, opened, renamed or deleted here; the other tabs hear of it. */
  publishConversations(change: ConversationChange): void {
    this.broadcast({ t: 'conversations', from: this.id, change });
  }

  // ---- follower: what the leader is asked ----

  /** Asks the leader to do `call`; rejects with the leader's error, or when the leader went before answering. */
  call(call: TabCall): Promise<void> {
    const leader = this.leaderId;
    if (this.closed || this.current !== 'follower' || !leader) {
      return Promise.reject(new Agent37Error({ code: 'stream_interrupted', message: 'The chat is not connected to its other tabs.' }));
    }
    const id = (this.nextCallId += 1);
    return new Promise<void>((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      try {
        this.channel.postMessage({ t: 'call', from: this.id, to: leader, id, call } satisfies Wire);
      } catch (cause) {
        // a value the channel cannot copy: the call fails here rather than wait for an answer
        this.calls.delete(id);
        reject(new Agent37Error({ code: 'bad_request', message: 'The message could not be handed to the tab that runs the chat.', cause }));
      }
    });
  }

  private becomeLeader(): void {
    const mirrored = this.current === 'follower' ? this.mirrored : null;
    clearInterval(this.helloTimer);
    this.current = 'leader';
    this.leaderId = this.id;
    this.term += 1;
    this.seq = 0;
    this.mirrored = null;
    // what was asked of the old leader is lost with it
    this.failCalls('The tab that ran the chat closed. Try again.');
    this.host?.lead(mirrored);
    // the followers start over from this tab's state
    this.sendSync(null);
  }

  private becomeFollower(): void {
    this.current = 'follower';
    this.host?.follow();
    this.hello();
    this.helloTimer = setInterval(() => {
      if (this.mirrored === null) this.hello();
    }, HELLO_RETRY_MS);
  }

  private hello(): void {
    this.broadcast({ t: 'hello', from: this.id });
  }

  private sendSync(to: string | null): void {
    if (!this.host || this.current !== 'leader') return;
    const state = this.host.state();
    this.broadcast({
      t: 'sync',
      from: this.id,
      to,
      term: this.term,
      seq: this.seq,
      state: { conversation: { messages: state.conversation.messages.map(wireMessage) }, status: wireStatus(state.status), turn: state.turn },
    });
  }

  private receive(m: Wire): void {
    if (this.closed || !this.host) return;
    switch (m.t) {
      case 'hello':
        if (this.current === 'leader') this.sendSync(m.from);
        return;
      case 'call':
        if (this.current === 'leader' && m.to === this.id) void this.answer(m);
        return;
      case 'reply': {
        if (m.to !== this.id) return;
        const call = this.calls.get(m.id);
        this.calls.delete(m.id);
        if (!call) return;
        if (m.error) call.reject(unwireError(m.error));
        else call.resolve();
        return;
      }
      case 'conversations':
        this.host.conversationsChanged(m.change);
        return;
      case 'sync':
        this.takeSync(m);
        return;
      default:
        this.takeUpdate(m);
    }
  }

  private takeSync(m: Extract<Wire, { t: 'sync' }>): void {
    if (this.current !== 'follower' || m.term < this.term || (m.to !== null && m.to !== this.id)) return;
    if (m.from !== this.leaderId) this.failCalls('The tab that ran the chat closed. Try again.');
    this.leaderId = m.from;
    this.term = m.term;
    this.seq = m.seq;
    this.mirrored = {
      conversation: { messages: m.state.conversation.messages.map(unwireMessage) },
      status: unwireStatus(m.state.status),
      turn: m.state.turn,
    };
    this.host!.mirror(this.mirrored);
  }

  private takeUpdate(m: Extract<Wire, { t: 'action' | 'status' | 'turn' | 'hook' }>): void {
    if (this.current !== 'follower' || m.from !== this.leaderId || m.term !== this.term || this.mirrored === null) return;
    if (m.seq !== this.seq + 1) {
      // a message went missing: the whole state again
      this.mirrored = null;
      this.hello();
      return;
    }
    this.seq = m.seq;
    const mirrored = this.mirrored;
    switch (m.t) {
      case 'action': {
        const action = unwireAction(m.action);
        const turn = mirrored.turn;
        // in place: the keys are this tab's own copy, and a long answer has very many
        if (m.key !== undefined && action.type === 'event' && turn && action.id === turn.messageId) turn.keys.push(m.key);
        this.mirrored = { ...mirrored, conversation: reduceConversation(mirrored.conversation, action) };
        break;
      }
      case 'status':
        this.mirrored = { ...mirrored, status: unwireStatus(m.status) };
        break;
      case 'turn':
        this.mirrored = { ...mirrored, turn: m.turn };
        break;
      case 'hook':
        this.host!.hook(unwireHook(m.hook));
        return;
    }
    this.host!.mirror(this.mirrored);
  }

  private async answer(m: Extract<Wire, { t: 'call' }>): Promise<void> {
    let error: WireError | undefined;
    try {
      await this.host!.call(m.call);
    } catch (e) {
      error = wireError(e instanceof Agent37Error ? e : new Agent37Error({ code: 'internal_error', message: String(e) }));
    }
    this.broadcast({ t: 'reply', from: this.id, to: m.from, id: m.id, ...(error ? { error } : {}) });
  }

  private failCalls(message: string): void {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) call.reject(new Agent37Error({ code: 'stream_interrupted', message }));
  }

  private next(): number {
    this.seq += 1;
    return this.seq;
  }

  private broadcast(m: Wire): void {
    if (this.closed) return;
    try {
      this.channel.postMessage(m);
    } catch {
      // a value the channel cannot clone: the followers miss this one and ask for the state again
    }
  }
}

// Structured cloning keeps an Error's message but not an Agent37Error's fields: errors travel as data.

function wireError(e: Agent37Error): WireError {
  return {
    code: e.code,
    message: e.message,
    status: e.status,
    ...(e.param !== undefined ? { param: e.param } : {}),
    ...(e.hint !== undefined ? { hint: e.hint } : {}),
    ...(e.responseId !== undefined ? { responseId: e.responseId } : {}),
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  };
}

function unwireError(e: WireError | Agent37Error): Agent37Error {
  return e instanceof Agent37Error ? e : new Agent37Error(e);
}

function wireMessage(m: ChatMessage): ChatMessage {
  if (m.role !== 'assistant' || !m.error) return m;
  return { ...m, error: wireError(m.error) as unknown as Agent37Error };
}

function unwireMessage(m: ChatMessage): ChatMessage {
  if (m.role !== 'assistant' || !m.error) return m;
  return { ...m, error: unwireError(m.error as unknown as WireError) };
}

function wireStatus(s: MirrorStatus): MirrorStatus {
  return s.notice ? { ...s, notice: wireError(s.notice) as unknown as Agent37Error } : s;
}

function unwireStatus(s: MirrorStatus): MirrorStatus {
  return s.notice ? { ...s, notice: unwireError(s.notice as unknown as WireError) } : s;
}

function wireAction(a: ConversationAction): ConversationAction {
  if (a.type === 'history') return { ...a, messages: a.messages.map(wireMessage) };
  if (a.type === 'status' && a.error) return { ...a, error: wireError(a.error) as unknown as Agent37Error };
  return a;
}

function unwireAction(a: ConversationAction): ConversationAction {
  if (a.type === 'history') return { ...a, messages: a.messages.map(unwireMessage) };
  if (a.type === 'status' && a.error) return { ...a, error: unwireError(a.error as unknown as WireError) };
  return a;
}

function wireHook(h: TabHook): TabHook {
  if (h.name === 'error') return { name: 'error', error: wireError(h.error) as unknown as Agent37Error };
  if (h.name === 'responseCompleted') return { name: 'responseCompleted', message: wireMessage(h.message) as AssistantMessage };
  return h;
}

function unwireHook(h: TabHook): TabHook {
  if (h.name === 'error') return { name: 'error', error: unwireError(h.error as unknown as WireError) };
  if (h.name === 'responseCompleted') return { name: 'responseCompleted', message: unwireMessage(h.message) as AssistantMessage };
  return h;
}
