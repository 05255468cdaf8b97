/**
 * Turns, their records and replay buffers. A turn runs on its own, independent of any connection:
 * connections only read its event log, so a dropped client never stops the agent, and a reattach
 * replays the log from the start.
 */
import type { GatewayErrorBody, ResponseObject, ResponseStatus, StreamEvent, Usage } from '../contract/gateway.js';
import type { Pace } from './faults.js';
import { HistoryWriter, type HistoryMode } from './history-writer.js';
import type { Revision } from './revision.js';
import { scriptTurn, scriptedFailure, usageFor, type ScriptStep } from './scripted-agent.js';
import { newId, SessionRegistry, type Session } from './sessions.js';
import type { FrameSource } from './sse-writer.js';
import { sleep } from './sleep.js';

/** One SSE frame, serialized once and written as is to every reader. */
export interface Frame {
  text: string;
}

export function frameOf(event: StreamEvent): Frame {
  return { text: `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n` };
}

export interface TurnInit {
  session: Session;
  input: string;
  agent: string;
  model: string | null;
  provider: string | null;
  /** any JSON values (the contract limits only the pair count and size); echoed back as sent */
  metadata: Record<string, unknown> | null;
  pace: Pace;
  failAfterEvents?: number;
}

export class Turn {
  readonly id = newId();
  readonly session: Session;
  readonly input: string;
  readonly agent: string;
  readonly model: string | null;
  readonly provider: string | null;
  readonly metadata: Record<string, unknown> | null;
  readonly created: number;
  status: ResponseStatus = 'in_progress';
  outputText = '';
  reasoning = '';
  usage: Usage | null = null;
  error: GatewayErrorBody | null = null;
  finishedAt: number | null = null;
  /** the terminal event as sent, for a synthesized replay */
  terminal: StreamEvent | null = null;
  /** the live buffer; null once it expired (replay is then synthesized) */
  frames: Frame[] | null = [];
  /** dropped from the full record store while it may still run: its readers let go */
  evicted = false;
  readonly history: HistoryWriter;
  /** resolves when the terminal event is in the log (or the simulator closed) */
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private waiters: (() => void)[] = [];
  private cancelRequested = false;
  private readonly cancelController = new AbortController();

  constructor(init: TurnInit, now: number, history: HistoryWriter) {
    this.session = init.session;
    this.input = init.input;
    this.agent = init.agent;
    this.model = init.model;
    this.provider = init.provider;
    this.metadata = init.metadata;
    this.created = now;
    this.history = history;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get running(): boolean {
    return this.status === 'in_progress';
  }

  toObject(): ResponseObject {
    return {
      id: this.id,
      session_id: this.session.id,
      status: this.status,
      agent: this.agent,
      model: this.model,
      provider: this.provider,
      output_text: this.outputText,
      usage: this.usage,
      error: this.error,
      metadata: this.metadata,
      created: this.created,
    };
  }

  /** Best effort: the runner stops at its next step and ends the stream with the partial text. */
  cancel(): void {
    if (!this.running || this.cancelRequested) return;
    this.cancelRequested = true;
    this.cancelController.abort();
  }

  get cancelSignal(): AbortSignal {
    return this.cancelController.signal;
  }

  get wasCancelled(): boolean {
    return this.cancelRequested;
  }

  emit(event: StreamEvent): void {
    this.history.observe(event);
    if (event.event === 'response.output_text.delta') this.outputText += event.data.text;
    if (event.event === 'response.reasoning.delta') this.reasoning += event.data.text;
    if (event.event === 'response.completed' || event.event === 'response.failed') this.terminal = event;
    this.frames?.push(frameOf(event));
    this.wake();
  }

  /** The record is gone from the store: readers following it live stop, the turn itself runs on. */
  evict(): void {
    this.evicted = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits for the next emit (or for `signal`). */
  nextEmit(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        signal.removeEventListener('abort', done);
        // woken by the abort: leave no stale waiter behind (emit/finish clear the list themselves)
        const index = this.waiters.indexOf(done);
        if (index !== -1) this.waiters.splice(index, 1);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  finish(status: Exclude<ResponseStatus, 'in_progress'>, now: number): void {
    this.status = status;
    this.finishedAt = now;
    this.resolveFinished();
    this.wake();
  }

  /** For close(): wake everything waiting on this turn without finishing it. */
  release(): void {
    this.resolveFinished();
  }
}

export interface TurnStoreOptions {
  revision: Revision;
  replayBufferMs: number;
  recordTtlMs: number;
  /** newer revision only; the first always writes history at the end */
  history?: HistoryMode;
  /** the most records held; a new one evicts the oldest, running or not */
  maxRecords?: number;
  now?: () => number;
}

/** The gateway's record store holds this many responses. */
export const MAX_RECORDS = 1000;

/**
 * Where sessions and response records live. Expiry is checked when a record is read, so there are no
 * timers to leak: a finished turn loses its live buffer after `replayBufferMs` and its record after
 * `recordTtlMs`.
 */
export class TurnStore {
  readonly sessions: SessionRegistry;
  readonly revision: Revision;
  private readonly turns = new Map<string, Turn>();
  private readonly options: TurnStoreOptions;
  private readonly historyMode: HistoryMode;
  readonly now: () => number;

  constructor(options: TurnStoreOptions) {
    this.options = options;
    this.revision = options.revision;
    this.historyMode = options.revision === 'first' ? 'at-end' : (options.history ?? 'live');
    this.sessions = new SessionRegistry(options.revision);
    this.now = options.now ?? Date.now;
  }

  createSession(agent: string, id = newId()): Session {
    return this.sessions.create(agent, id, this.now());
  }

  startTurn(init: TurnInit): Turn {
    this.sweep();
    const created = this.now();
    const history = new HistoryWriter({ session: init.session, input: init.input, created, revision: this.revision, mode: this.historyMode, now: this.now });
    const turn = new Turn(init, created, history);
    this.turns.set(turn.id, turn);
    const maxRecords = this.options.maxRecords ?? MAX_RECORDS;
    while (this.turns.size > maxRecords) {
      // Map order is insertion order: the first entry is the oldest record
      const [id, oldest] = this.turns.entries().next().value!;
      this.turns.delete(id);
      oldest.evict();
    }
    init.session.activeTurn = turn;
    return turn;
  }

  /** The record, or undefined once it expired or never existed. */
  turn(id: string): Turn | undefined {
    const turn = this.turns.get(id);
    if (!turn) return undefined;
    if (this.recordExpired(turn)) {
      this.turns.delete(id);
      return undefined;
    }
    if (this.bufferExpired(turn)) turn.frames = null;
    return turn;
  }

  allTurns(): Iterable<Turn> {
    return this.turns.values();
  }

  /** The response.completed of `turn` as it stands; the newer revision adds how full the context is. */
  completion(turn: Turn): StreamEvent {
    const data = { output_text: turn.outputText, usage: turn.usage };
    if (this.revision === 'first') return { event: 'response.completed', data };
    return { event: 'response.completed', data: { ...data, context: turn.session.contextWith(turnChars(turn)) } };
  }

  /** Records the end of a turn in its session: history, context, and (newer) the session's title. */
  finishTurn(turn: Turn, status: Exclude<ResponseStatus, 'in_progress'>): void {
    const now = this.now();
    turn.finish(status, now);
    const session = turn.session;
    if (session.activeTurn === turn) session.activeTurn = null;
    session.lastResponseAt = now;
    turn.history.finish(status);
    session.countContext(turnChars(turn));
    if (this.revision === 'newer') this.sessions.autoTitle(session, turn.input);
  }

  private recordExpired(turn: Turn): boolean {
    return turn.finishedAt !== null && this.now() - turn.finishedAt >= this.options.recordTtlMs;
  }

  private bufferExpired(turn: Turn): boolean {
    return turn.finishedAt !== null && this.now() - turn.finishedAt >= this.options.replayBufferMs;
  }

  private sweep(): void {
    for (const turn of this.turns.values()) this.turn(turn.id);
  }
}

function turnChars(turn: Turn): number {
  return turn.input.length + turn.outputText.length + turn.reasoning.length;
}

/** The live buffer holds this many events per run; a replay past that ends without a terminal event. */
export const REPLAY_BUFFER_EVENTS = 100_000;

/** What GET /v1/responses/{id}/stream sends: the buffer from the start then live, or a synthesized replay. */
export function replaySource(turn: Turn): FrameSource {
  if (!turn.frames) return { frames: synthesizedFrames(turn), live: null };
  if (turn.frames.length > REPLAY_BUFFER_EVENTS) return { frames: turn.frames.slice(0, REPLAY_BUFFER_EVENTS), live: null };
  return { frames: turn.frames, live: turn.running ? turn : null };
}

/** What a replay sends once the live buffer is gone: created, the full text (if any), the terminal. */
export function synthesizedFrames(turn: Turn): Frame[] {
  const frames: Frame[] = [frameOf({ event: 'response.created', data: { id: turn.id, session_id: turn.session.id } })];
  if (turn.outputText) frames.push(frameOf({ event: 'response.output_text.delta', data: { text: turn.outputText } }));
  const fallback: StreamEvent =
    turn.status === 'failed'
      ? { event: 'response.failed', data: { error: turn.error ?? scriptedFailure() } }
      : { event: 'response.completed', data: { output_text: turn.outputText, usage: turn.usage } };
  frames.push(frameOf(turn.terminal ?? fallback));
  return frames;
}

function waitFor(step: ScriptStep, pace: Pace, slow: boolean): number {
  if (slow) return 1000;
  if (pace === 'fast') return 0;
  if (typeof pace === 'number') return pace;
  return step.wait.kind === 'tool' ? step.wait.durationMs : 20 + Math.floor(Math.random() * 21);
}

/**
 * Runs the scripted agent for `turn`: emits response.created, then each step at its pace, until
 * the terminal event, a cancel (→ response.completed with the partial text, status cancelled), or
 * the simulator closing (`closing`).
 */
export async function runTurn(store: TurnStore, turn: Turn, init: TurnInit, closing: AbortSignal): Promise<void> {
  // one listener on each, removed at the end (AbortSignal.any per turn leaks dependent signals on Node 20: nodejs/node#55351)
  const stopping = new AbortController();
  const stopNow = (): void => stopping.abort();
  if (closing.aborted || turn.cancelSignal.aborted) stopping.abort();
  closing.addEventListener('abort', stopNow, { once: true });
  turn.cancelSignal.addEventListener('abort', stopNow, { once: true });
  try {
    await runScript(store, turn, init, closing, stopping.signal);
  } finally {
    closing.removeEventListener('abort', stopNow);
    turn.cancelSignal.removeEventListener('abort', stopNow);
  }
}

async function runScript(store: TurnStore, turn: Turn, init: TurnInit, closing: AbortSignal, stop: AbortSignal): Promise<void> {
  const script = scriptTurn(init.input, { interimText: store.revision === 'newer' });
  let emitted = 0;
  const emit = (event: StreamEvent): void => {
    turn.emit(event);
    emitted++;
  };
  emit({ event: 'response.created', data: { id: turn.id, session_id: turn.session.id } });
  turn.history.start();

  for (const step of script.steps) {
    if (init.failAfterEvents !== undefined && emitted >= Math.max(1, init.failAfterEvents)) {
      const error: GatewayErrorBody = { code: 'agent_error', message: 'The agent failed mid-stream (injected fault).' };
      turn.error = error;
      emit({ event: 'response.failed', data: { error } });
      store.finishTurn(turn, 'failed');
      return;
    }
    await sleep(waitFor(step, init.pace, script.slow), stop);
    if (closing.aborted) {
      turn.release();
      return;
    }
    if (turn.wasCancelled) break;
    const event = step.event;
    if (event.event === 'response.completed') {
      turn.usage = event.data.usage;
      emit(store.completion(turn));
      store.finishTurn(turn, 'completed');
      return;
    }
    if (event.event === 'response.failed') {
      turn.error = event.data.error;
      emit(event);
      store.finishTurn(turn, 'failed');
      return;
    }
    emit(event);
  }

  // Cancelled: the stream still ends with response.completed, carrying what was written so far.
  turn.usage = usageFor(turn.input, turn.outputText, turn.reasoning);
  emit(store.completion(turn));
  store.finishTurn(turn, 'cancelled');
}
