/**
 * The turn runner: one turn from POST to its terminal event, surviving drops, stalls and reloads.
 *
 * The gateway's reconnect (GET /v1/responses/{id}/stream) replays every event from the start with no
 * ids, so the runner remembers what it already emitted and skips the replay's first k events when
 * they match; a replay that does not line up (synthesized after the buffer expired) is no longer
 * trusted position by position and the terminal event's `output_text` becomes the answer. It never
 * re-POSTs the input and never cancels on the server unless asked to.
 */
import type { Agent37Api } from './api.js';
import { fullJitterDelay, interruptibleSleep } from './backoff.js';
import { TERMINAL_EVENTS, type CreateResponseBody, type StreamEvent } from '../contract/gateway.js';
import { Agent37Error, errorOfFailure, toAgent37Error } from '../contract/errors.js';
import { answerText, answerThinking, type HistoryTurn } from '../contract/history-turns.js';
import { rawDataOf, readEvents } from './sse.js';
import { TurnLookup, type KnownHistory, type LostTurn } from './turn-lookup.js';

export type { KnownHistory } from './turn-lookup.js';

export interface ReconnectOptions {
  /** full-jitter base for the second and later retries (the first is at once); default 500 ms */
  baseMs?: number;
  /** default 10 s */
  capMs?: number;
  /** after failing this long the turn is `interrupted` until resume(), `online` or a visible tab; default 60 s */
  giveUpAfterMs?: number;
  random?: () => number;
}

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'streaming' }
  /** 429/503 with Retry-After: the turn has not started; the POST is sent again at `retryAt` (epoch ms) */
  | { kind: 'waiting'; error: Agent37Error; retryAt: number }
  | { kind: 'reconnecting'; attempt: number; error: Agent37Error | null }
  /** the browser went offline while the stream was open; it is kept open, and checked once the browser is back */
  | { kind: 'offline' }
  | { kind: 'interrupted'; error: Agent37Error };

export type TurnStart =
  /**
   * `history`: what the session's history held before this turn (see KnownHistory); without it a
   * turn lost before response.created that already ended cannot be found, and its text is given back.
   * `knownSessions` (a POST without session_id only): the caller's sessions listed before this POST,
   * so a new session the POST created can be found when its stream broke before naming it.
   */
  | { kind: 'create'; body: CreateResponseBody; history?: KnownHistory; knownSessions?: ReadonlySet<string> }
  /**
   * reattach to a running turn (a reload, or another tab's turn taken over); `input`, when known,
   * lets the history fallback check it found this turn's answer; `emitted`: the keys (see
   * TurnRunnerOptions.onEvent) of the events already shown, which the replay then skips
   */
  | { kind: 'attach'; responseId: string; sessionId?: string | null; input?: string; emitted?: readonly string[]; cancelled?: boolean }
  /**
   * another runner's POST went out and that runner is gone before response.created (its tab
   * closed): the turn is looked for as after a drop, never POSTed again
   */
  | { kind: 'find'; sessionId: string | null; input: string; history?: KnownHistory; knownSessions?: ReadonlySet<string> };

export type TurnOutcome =
  | {
      kind: 'completed';
      responseId: string;
      sessionId: string | null;
      /** Stop was pressed: the text is the partial answer */
      cancelled: boolean;
      /** where the final text came from */
      via: 'stream' | 'synthesized-replay' | 'history';
    }
  | { kind: 'failed'; responseId: string | null; sessionId: string | null; error: Agent37Error }
  | { kind: 'detached' };

export interface TurnAccepted {
  /** null when the turn was only found again, already finished, in the session history */
  responseId: string | null;
  sessionId: string;
}

export interface TurnRunnerOptions {
  api: Agent37Api;
  /**
   * every logical event of the turn, exactly once, in order; `cancelled` is true once Stop was asked
   * for; `key` identifies an event as the stream sent it (none for an ending made up from the history)
   * and is what an `attach` start's `emitted` takes
   */
  onEvent: (event: StreamEvent, meta: { cancelled: boolean; key?: string }) => void;
  onConnection?: (state: ConnectionState) => void;
  /** milliseconds from noticing a drop to the first new event after reattaching */
  onResumed?: (ms: number) => void;
  /** no byte at all (keepalives included) for this long → treated as a drop; default 75 s */
  stallTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  /** a Retry-After longer than this is not waited out; default 5 min */
  maxRetryAfterMs?: number;
}

const MAX_RETRY_AFTER_ATTEMPTS = 3;
/** how often a turn whose record was evicted while it runs is looked for in the session */
const EVICTED_RECORD_POLL_MS = 2000;
/** a reattached connection that lived this long counts as progress even without new events */
const HEALTHY_CONNECTION_MS = 10_000;

type Consumed = { kind: 'terminal'; outcome: TurnOutcome } | { kind: 'dropped'; error: Agent37Error; progressed: boolean };

class Detached extends Error {}

export class TurnRunner {
  /** resolves at `response.created`; rejects when the server did not take the message (or on a 409, see run()) */
  readonly accepted: Promise<TurnAccepted>;

  private readonly o: TurnRunnerOptions;
  private readonly stallTimeoutMs: number;
  private readonly lifetime = new AbortController();
  private readonly lookup: TurnLookup;
  private resolveAccepted!: (a: TurnAccepted) => void;
  private rejectAccepted!: (e: unknown) => void;
  private acceptedSettled = false;

  private responseId: string | null = null;
  private sessionId: string | null = null;
  private input: string | undefined;
  private knownHistory: KnownHistory | undefined;
  private knownSessions: ReadonlySet<string> | undefined;
  /** the POST got an HTTP answer: the gateway took the turn even if its stream broke at once */
  private postAnswered = false;
  /** name + data of every event emitted, in order: what a replay is compared against */
  private readonly emitted: string[] = [];
  /** false once a replay did not line up with what was emitted */
  private trusted = true;
  private cancelRequested = false;
  private finished = false;
  private droppedAt: number | null = null;
  private state: ConnectionState['kind'] = 'connecting';
  /** cuts short the current backoff sleep or interrupted wait */
  private wake: (() => void) | null = null;
  /** the connection whose events are being read, and how many chunks it had read when the browser last went offline during it */
  private reading: { connection: Connection; chunksAtOffline: number | null } | null = null;
  private removeListeners: () => void = () => {};

  constructor(o: TurnRunnerOptions) {
    this.o = o;
    this.stallTimeoutMs = o.stallTimeoutMs ?? 75_000;
    this.lookup = new TurnLookup(o.api, this.lifetime.signal);
    this.accepted = new Promise<TurnAccepted>((resolve, reject) => {
      this.resolveAccepted = resolve;
      this.rejectAccepted = reject;
    });
    // callers that only await run() must not see an unhandled rejection
    this.accepted.catch(() => {});
  }

  /**
   * Runs the turn to its end. Rejects when the turn never started (a refused POST, a 409 with no
   * running turn to attach to); resolves with the outcome otherwise. On a 409 session_busy with a
   * running turn, `accepted` rejects with the 409 while run() shows that turn to its end.
   */
  async run(start: TurnStart): Promise<TurnOutcome> {
    this.removeListeners = this.listen();
    try {
      if (start.kind === 'create') {
        this.sessionId = start.body.session_id ?? null;
        this.input = start.body.input;
        this.knownHistory = start.history;
        this.knownSessions = start.knownSessions;
        const posted = await this.post(start.body);
        if (posted.kind === 'attach') return await this.reattach(posted.error, posted.error === null);
        const consumed = await this.consume(posted.response, posted.connection);
        if (consumed.kind === 'terminal') return consumed.outcome;
        this.noteDrop();
        return await this.reattach(consumed.error);
      }
      if (start.kind === 'find') {
        this.sessionId = start.sessionId;
        this.input = start.input;
        this.knownHistory = start.history;
        this.knownSessions = start.knownSessions;
        // the POST may have reached the gateway: a failed lookup is retried, not given up
        this.postAnswered = true;
        this.noteDrop();
        return await this.reattach(null);
      }
      this.responseId = start.responseId;
      this.sessionId = start.sessionId ?? null;
      this.input = start.input;
      // one by one: a long answer's keys are too many to spread into a call's arguments
      for (const key of start.emitted ?? []) this.emitted.push(key);
      if (start.cancelled) this.cancelRequested = true;
      return await this.reattach(null, true);
    } catch (e) {
      if (e instanceof Detached || this.lifetime.signal.aborted) {
        this.settleAccepted(new Agent37Error({ code: 'stream_interrupted', message: 'The chat was closed before the turn started.' }));
        return { kind: 'detached' };
      }
      this.settleAccepted(e);
      throw e;
    } finally {
      this.finished = true;
      this.removeListeners();
    }
  }

  /** Retry now: from `interrupted`, or cut short a backoff wait. */
  resume(): void {
    this.wake?.();
  }

  /** Stop: POST cancel; the stream then ends with response.completed carrying the partial text. */
  async cancel(): Promise<void> {
    if (this.finished) return;
    this.cancelRequested = true;
    // a Retry-After wait ends at once: the turn has not started
    this.wake?.();
    const id = this.responseId ?? (await this.accepted.then((a) => a.responseId, () => null));
    if (!id || this.finished) return;
    try {
      await this.o.api.cancel(id);
    } catch (e) {
      // the server never heard Stop: the turn runs on, and its normal ending is not "stopped"
      this.cancelRequested = false;
      throw e;
    }
    // a broken connection comes back at once to collect the ending
    this.wake?.();
  }

  /** Stop listening. Never cancels the turn on the server (closing a tab is not Stop). */
  detach(): void {
    this.lifetime.abort(new Detached('detached'));
    this.wake?.();
  }

  /** The POST, with Retry-After waits; `attach` when the stream must be found and reattached instead. */
  private async post(
    body: CreateResponseBody,
  ): Promise<{ kind: 'stream'; response: Response; connection: Connection } | { kind: 'attach'; error: Agent37Error | null }> {
    for (let retries = 0; ; retries++) {
      this.setState({ kind: 'connecting' });
      const connection = this.connect();
      try {
        const response = await this.o.api.createResponse(body, connection.signal);
        this.postAnswered = true;
        return { kind: 'stream', response, connection };
      } catch (e) {
        connection.close();
        this.throwIfDetached();
        if (connection.cutBy) {
          // no answer at all: the turn may or may not have started; look for it rather than POST again
          const error = new Agent37Error({ code: 'stream_interrupted', message: 'The chat server stopped answering.' });
          this.noteDrop();
          return { kind: 'attach', error };
        }
        if (!(e instanceof Agent37Error)) throw e;
        if (mayHaveStarted(e) && (this.sessionId || this.knownSessions)) {
          // the request may have reached the gateway (the connection broke, or an edge in front of it
          // gave up waiting for its answer): look for the turn, never resend
          this.noteDrop();
          return { kind: 'attach', error: e };
        }
        if (e.status === 409 && e.code === 'session_busy') {
          // never resend on a 409: show the turn that is running instead
          const running = e.responseId ?? (this.sessionId ? await this.lookup.activeResponseId(this.sessionId).catch(() => null) : null);
          if (!running) throw e;
          this.responseId = running;
          this.input = undefined;
          this.settleAccepted(e);
          return { kind: 'attach', error: null };
        }
        const retryAfter = e.retryAfterMs;
        if (
          (e.status === 429 || e.status === 503) &&
          retryAfter !== undefined &&
          retryAfter <= (this.o.maxRetryAfterMs ?? 300_000) &&
          retries < MAX_RETRY_AFTER_ATTEMPTS &&
          !this.cancelRequested
        ) {
          // a 429/503 means the turn did not start, so sending again is not a duplicate
          this.setState({ kind: 'waiting', error: e, retryAt: Date.now() + retryAfter });
          await this.sleep(retryAfter, false);
          this.throwIfDetached();
          if (this.cancelRequested) throw new Agent37Error({ code: 'cancelled', message: 'Stopped before the turn started.' });
          continue;
        }
        throw e;
      }
    }
  }

  /**
   * Reattaches until the terminal event: the first retry at once, then full-jitter backoff; after
   * giveUpAfterMs of failing, `interrupted` until resume()/online/visible.
   */
  private async reattach(error: Agent37Error | null, immediate = false): Promise<TurnOutcome> {
    const r = this.o.reconnect ?? {};
    const backoff = { baseMs: r.baseMs ?? 500, capMs: r.capMs ?? 10_000, ...(r.random ? { random: r.random } : {}) };
    const giveUpAfterMs = r.giveUpAfterMs ?? 60_000;
    let lastError = error;
    let failures = 0;
    let failingSince = Date.now();
    /** a 429/503 with Retry-After on the last attempt: the next one waits at least this long */
    let retryAfterMs = 0;
    for (let attempt = 1; ; attempt++) {
      this.throwIfDetached();
      if (failures > 0) {
        if (Date.now() - failingSince >= giveUpAfterMs) {
          await this.waitForResume(lastError);
          failures = 0;
          failingSince = Date.now();
        } else {
          this.setState({ kind: 'reconnecting', attempt, error: lastError });
          await this.sleep(Math.max(fullJitterDelay(failures - 1, backoff), retryAfterMs), true);
        }
        retryAfterMs = 0;
        this.throwIfDetached();
      }
      this.setState(immediate && attempt === 1 ? { kind: 'connecting' } : { kind: 'reconnecting', attempt, error: lastError });
      if (!this.responseId) {
        // the drop came before response.created: find the turn through its session, never POST again
        let found: LostTurn;
        const lost = error ?? new Agent37Error({ code: 'stream_interrupted', message: 'The connection dropped before the answer started.' });
        try {
          found = await this.findLostTurn();
          this.throwIfDetached();
        } catch (e) {
          this.throwIfDetached();
          // the POST never got an answer and the session cannot be read either: most likely offline,
          // and the turn most likely never started; give the text back rather than keep it waiting
          if (!this.postAnswered) throw lost;
          lastError = toAgent37Error(e, LOST);
          failures++;
          continue;
        }
        if (found.kind === 'none') throw lost;
        if (found.kind === 'not-yet') {
          // first revision: a running turn only shows in the history once it ends
          if (Date.now() - failingSince >= giveUpAfterMs) throw lost;
          lastError = lost;
          failures++;
          continue;
        }
        // the server did take the message
        this.sessionId = found.sessionId;
        if (found.kind === 'answered') {
          if (!this.acceptedSettled) {
            this.acceptedSettled = true;
            this.resolveAccepted({ responseId: null, sessionId: found.sessionId });
          }
          return this.finishFromHistory(found.turn);
        }
        this.responseId = found.responseId;
      }
      let consumed: Consumed;
      try {
        consumed = await this.attachOnce(this.responseId);
      } catch (e) {
        this.throwIfDetached();
        const err = toAgent37Error(e, LOST);
        if ((err.status === 429 || err.status === 503) && err.retryAfterMs !== undefined) {
          retryAfterMs = Math.min(err.retryAfterMs, this.o.maxRetryAfterMs ?? 300_000);
        }
        if (err.status === 404) {
          let outcome: TurnOutcome | null;
          try {
            outcome = await this.fromHistory(err);
          } catch (e) {
            this.throwIfDetached();
            lastError = toAgent37Error(e, LOST);
            failures++;
            continue;
          }
          if (outcome) return outcome;
          // the record is gone while the session still runs the turn (the gateway's 1,000-record cap
          // evicts even running ones): nothing to attach to, so wait for its answer to reach the
          // history, calmly, without counting it as failing
          this.setState({ kind: 'reconnecting', attempt, error: err });
          await this.sleep(EVICTED_RECORD_POLL_MS, true);
          continue;
        } else if (err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
          // refused, not flaky (e.g. signed out): only the visitor can fix it, so do not hammer
          await this.waitForResume(err);
          failures = 0;
          failingSince = Date.now();
          lastError = err;
          continue;
        } else {
          lastError = err;
        }
        failures++;
        continue;
      }
      if (consumed.kind === 'terminal') return consumed.outcome;
      this.noteDrop();
      lastError = consumed.error;
      if (consumed.progressed) {
        // a new drop after progress: its first retry is at once again
        failures = 0;
        failingSince = Date.now();
      } else {
        failures++;
      }
    }
  }

  private async attachOnce(responseId: string): Promise<Consumed> {
    const connection = this.connect();
    let response: Response;
    try {
      response = await this.o.api.attachStream(responseId, connection.signal);
    } catch (e) {
      connection.close();
      this.throwIfDetached();
      if (connection.cutBy) return { kind: 'dropped', error: connection.cutBy, progressed: false };
      throw e;
    }
    return this.consume(response, connection);
  }

  /** Reads one connection's events; the replay part is deduped against what was already emitted. */
  private async consume(response: Response, connection: Connection): Promise<Consumed> {
    const openedAt = Date.now();
    const emittedBefore = this.emitted.length;
    this.setState({ kind: 'streaming' });
    this.reading = { connection, chunksAtOffline: null };
    let position = 0;
    try {
      if (!response.body) throw new Agent37Error({ code: 'bad_response', message: 'The stream had no body.' });
      for await (const event of readEvents(response.body, { onActivity: connection.feed, signal: connection.signal })) {
        // an event after going offline: the connection works after all
        if (this.state === 'offline') this.setState({ kind: 'streaming' });
        const outcome = this.take(event, position++);
        if (outcome) return { kind: 'terminal', outcome };
      }
      this.throwIfDetached();
      return {
        kind: 'dropped',
        error: new Agent37Error({ code: 'stream_interrupted', message: 'The connection closed before the answer was complete.' }),
        progressed: this.emitted.length > emittedBefore || Date.now() - openedAt > HEALTHY_CONNECTION_MS,
      };
    } catch (e) {
      this.throwIfDetached();
      const progressed = this.emitted.length > emittedBefore || Date.now() - openedAt > HEALTHY_CONNECTION_MS;
      if (connection.cutBy) return { kind: 'dropped', error: connection.cutBy, progressed };
      return { kind: 'dropped', error: toAgent37Error(e, LOST), progressed };
    } finally {
      this.reading = null;
      connection.close();
    }
  }

  /** One event at `position` of the current connection; returns the outcome at the terminal event. */
  private take(event: StreamEvent, position: number): TurnOutcome | null {
    if (event.event === 'response.created') {
      this.responseId = event.data.id;
      this.sessionId = event.data.session_id;
      this.settleAccepted(null);
    }
    // the data text as it came over the wire: a replayed frame is byte-identical to the first one
    const key = `${event.event}\n${rawDataOf(event) ?? JSON.stringify(event.data)}`;
    if (this.trusted && position < this.emitted.length) {
      if (this.emitted[position] === key) return null;
      // not the replay of what we saw (a synthesized replay): positions mean nothing any more
      this.trusted = false;
    }
    if (!this.trusted) {
      if (!TERMINAL_EVENTS.has(event.event)) return null;
      this.emit(event);
      return this.outcomeOf(event, 'synthesized-replay');
    }
    this.emitted.push(key);
    this.emit(event, key);
    return this.outcomeOf(event, 'stream');
  }

  private emit(event: StreamEvent, key?: string): void {
    if (this.droppedAt !== null) {
      this.o.onResumed?.(Date.now() - this.droppedAt);
      this.droppedAt = null;
    }
    this.o.onEvent(event, key === undefined ? { cancelled: this.cancelRequested } : { cancelled: this.cancelRequested, key });
  }

  private outcomeOf(event: StreamEvent, via: 'stream' | 'synthesized-replay' | 'history'): TurnOutcome | null {
    if (event.event === 'response.completed')
      return { kind: 'completed', responseId: this.responseId ?? '', sessionId: this.sessionId, cancelled: this.cancelRequested, via };
    if (event.event === 'response.failed')
      return { kind: 'failed', responseId: this.responseId, sessionId: this.sessionId, error: errorOfFailure(event.data.error) };
    return null;
  }

  /**
   * The record expired (404 on /stream): the answer is in the session history. Returns null when the
   * 404 was not the end of the turn (the session still reports it running), so reattaching goes on.
   */
  private async fromHistory(notFound: Agent37Error): Promise<TurnOutcome | null> {
    if (!this.sessionId || !this.responseId) return this.failWith(notFound);
    const found = await this.lookup.afterExpiry(this.sessionId, this.responseId, this.input);
    this.throwIfDetached();
    switch (found.kind) {
      case 'running':
        return null;
      case 'answered':
        return this.finishFromHistory(found.turn);
      case 'gone':
        // the turn and its whole conversation are gone (deleted, expired): nothing left to reattach to
        return this.failWith(
          new Agent37Error({ code: 'session_not_found', status: 404, message: 'This conversation no longer exists on the server; start a new one.' }),
        );
      case 'missing':
        return this.failWith(new Agent37Error({ code: 'response_not_found', status: 404, message: 'This answer is no longer available.' }));
    }
  }

  /** The answer as the session history keeps it (text and thinking, over all its rows); tool steps are not kept there. */
  private finishFromHistory(turn: HistoryTurn): TurnOutcome {
    if (turn.answers.length === 0) return this.failWith(new Agent37Error({ code: 'agent_error', message: 'The agent could not answer.' }));
    const thinking = answerThinking(turn);
    if (thinking && !this.emitted.some((k) => k.startsWith('response.reasoning.delta\n'))) {
      this.emit({ event: 'response.reasoning.delta', data: { text: thinking } });
    }
    const completed: StreamEvent = { event: 'response.completed', data: { output_text: answerText(turn), usage: null } };
    this.emit(completed);
    return this.outcomeOf(completed, 'history')!;
  }

  private failWith(error: Agent37Error): TurnOutcome {
    const failed: StreamEvent = {
      event: 'response.failed',
      data: { error: { code: error.code, message: error.message } },
    };
    this.emit(failed);
    return { kind: 'failed', responseId: this.responseId, sessionId: this.sessionId, error };
  }

  /** Where a turn whose response.created never arrived went (see TurnLookup). */
  private findLostTurn(): Promise<LostTurn> {
    if (this.sessionId) return this.lookup.inSession(this.sessionId, this.knownHistory, this.input);
    if (!this.knownSessions) return Promise.resolve({ kind: 'none' });
    return this.lookup.inNewSessions(this.knownSessions, this.input);
  }

  private async waitForResume(error: Agent37Error | null): Promise<void> {
    this.setState({
      kind: 'interrupted',
      error: error ?? new Agent37Error({ code: 'stream_interrupted', message: 'Connection lost.' }),
    });
    await this.sleep(Number.POSITIVE_INFINITY, true);
  }

  /**
   * Resolves after `ms` or when detached; a `wakeable` sleep also ends on resume(), `online` or a
   * visible tab; any sleep ends on cancel().
   */
  private async sleep(ms: number, wakeable: boolean): Promise<void> {
    // setTimeout holds at most ~24.8 days: an endless wait is a loop of long sleeps
    for (let left = ms; ; ) {
      const chunk = Math.min(left, 2 ** 31 - 1);
      const timer = interruptibleSleep(chunk, this.lifetime.signal);
      let woke = false;
      this.wake = () => {
        if (!wakeable && !this.cancelRequested) return;
        woke = true;
        timer.wake();
      };
      try {
        await timer.done;
      } finally {
        this.wake = null;
      }
      if (woke || this.lifetime.signal.aborted || left <= chunk) return;
      left -= chunk;
    }
  }

  private connect(): Connection {
    return new Connection(this.stallTimeoutMs, this.lifetime.signal);
  }

  private noteDrop(): void {
    this.droppedAt ??= Date.now();
  }

  private setState(state: ConnectionState): void {
    if (state.kind === this.state && state.kind !== 'reconnecting' && state.kind !== 'waiting') return;
    this.state = state.kind;
    this.o.onConnection?.(state);
  }

  private settleAccepted(error: unknown): void {
    if (this.acceptedSettled) return;
    if (error === null) {
      if (!this.responseId || !this.sessionId) return;
      this.acceptedSettled = true;
      this.resolveAccepted({ responseId: this.responseId, sessionId: this.sessionId });
    } else {
      this.acceptedSettled = true;
      this.rejectAccepted(error);
    }
  }

  private throwIfDetached(): void {
    if (this.lifetime.signal.aborted) throw new Detached('detached');
  }

  private listen(): () => void {
    if (typeof window === 'undefined') return () => {};
    const onOffline = () => this.wentOffline();
    const onOnline = () => {
      this.cameBackOnline();
      this.wake?.();
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') this.wake?.();
    };
    window.addEventListener('offline', onOffline);
    window.addEventListener('online', onOnline);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }

  /**
   * The browser lost the network while a stream was open. The connection is left open (it may well
   * survive, e.g. a server on this machine) but the visitor is told at once, rather than only once
   * the stall watchdog gives up on the silence.
   */
  private wentOffline(): void {
    if (!this.reading) return;
    this.reading.chunksAtOffline ??= this.reading.connection.chunksRead;
    this.setState({ kind: 'offline' });
  }

  /**
   * Back online: a stream that stayed silent since the browser went offline is most likely dead
   * (its TCP connection went with the old network), so it is cut and reattached now; the replay is
   * deduped, so nothing is lost or repeated. A stream that carried data meanwhile is alive.
   */
  private cameBackOnline(): void {
    const reading = this.reading;
    if (!reading || reading.chunksAtOffline === null) return;
    const { connection, chunksAtOffline } = reading;
    reading.chunksAtOffline = null;
    if (connection.activeSince(chunksAtOffline)) {
      if (this.state === 'offline') this.setState({ kind: 'streaming' });
      return;
    }
    connection.cut(new Agent37Error({ code: 'stream_interrupted', message: 'The network went away, and the stream with it.' }));
  }
}

/** One HTTP connection of a turn: its abort signal and the stall watchdog that feeds on activity. */
class Connection {
  readonly signal: AbortSignal;
  /** why the turn itself cut this connection (the watchdog, or the network coming back); null otherwise */
  cutBy: Agent37Error | null = null;
  private readonly controller = new AbortController();
  private readonly timeoutMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** feeding only stamps the time (it runs per chunk); the one timer re-arms itself for what is left */
  private lastActivity = 0;
  /**
   * Chunks read so far: whether anything arrived after a moment is told by this count, not by the
   * clock, whose coarse ticks (1 ms in Firefox) can give a chunk the very time of the moment before it.
   */
  chunksRead = 0;
  private readonly unlink: () => void;

  constructor(timeoutMs: number, parent: AbortSignal) {
    this.timeoutMs = timeoutMs;
    this.signal = this.controller.signal;
    const onParentAbort = () => this.controller.abort(parent.reason);
    parent.addEventListener('abort', onParentAbort, { once: true });
    this.unlink = () => parent.removeEventListener('abort', onParentAbort);
    this.lastActivity = performance.now();
    this.arm(timeoutMs);
  }

  readonly feed = (): void => {
    this.lastActivity = performance.now();
    this.chunksRead++;
  };

  /** Something arrived (a keepalive will do) since `chunksRead` was `count`. */
  activeSince(count: number): boolean {
    return this.chunksRead > count;
  }

  /** Abort the connection as dropped, for `reason`. */
  cut(reason: Agent37Error): void {
    if (this.controller.signal.aborted) return;
    this.cutBy = reason;
    this.controller.abort(reason);
  }

  close(): void {
    clearTimeout(this.timer);
    this.unlink();
    if (!this.controller.signal.aborted) this.controller.abort(new DOMException('Connection closed', 'AbortError'));
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      if (this.controller.signal.aborted) return;
      const quietFor = performance.now() - this.lastActivity;
      if (quietFor < this.timeoutMs) {
        this.arm(this.timeoutMs - quietFor);
        return;
      }
      this.cut(stalledError());
    }, ms);
  }
}

function stalledError(): Agent37Error {
  return new Agent37Error({ code: 'stream_interrupted', message: 'The connection stalled (no data, not even a keepalive).' });
}

const LOST = 'The connection to the chat server was lost.';

/**
 * A POST refused this way may still have reached the gateway: no answer at all, or an edge in
 * front of the gateway (502/504: upstream_timeout, upstream_unreachable, container_unreachable, ...)
 * that gave up waiting for it. Not the relay's own setup error: that one never reached the instance.
 */
function mayHaveStarted(e: Agent37Error): boolean {
  if (e.code === 'network_error') return true;
  return (e.status === 502 || e.status === 504) && e.code !== 'upstream_auth_failed';
}
