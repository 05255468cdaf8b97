/**
 * Where a turn went when its stream cannot tell: the drop came before `response.created` named it,
 * or its record expired. Answers come from the session (its `active_response_id` and its history,
 * read as turns: an answer may span several assistant rows, and the stored question may carry a
 * notice in front of what was typed). Pure reads; the turn runner decides what to show.
 */
import { Agent37Error } from '../contract/errors.js';
import type { HistoryMessage, SessionDetail } from '../contract/gateway.js';
import { historyTurns, isUserText, turnsSince, type HistoryTurn } from '../contract/history-turns.js';
import type { Agent37Api } from './api.js';

/**
 * The session's history as the server last reported it, so a turn whose response.created never
 * arrived can be told apart from older ones in the history (the server's view, not the page's).
 */
export interface KnownHistory {
  /** id of the newest history message of the last successful read; null: the history was empty (a new conversation) */
  lastId: string | null;
  /** turns of this session the server took since that read: their user messages come after `lastId` */
  turnsSince: number;
}

export type LostTurn =
  | { kind: 'running'; sessionId: string; responseId: string }
  /** it ended: its answer rows (none: it left no answer) */
  | { kind: 'answered'; sessionId: string; turn: HistoryTurn }
  /** first revision: a running turn only shows in the history once it ends */
  | { kind: 'not-yet' }
  | { kind: 'none' };

export type ExpiredTurn =
  | { kind: 'running' }
  /** its rows (no answer rows: it left none) */
  | { kind: 'answered'; turn: HistoryTurn }
  /** the conversation itself is gone (deleted, expired) */
  | { kind: 'gone' }
  | { kind: 'missing' };

export class TurnLookup {
  private readonly api: Agent37Api;
  private readonly signal: AbortSignal;

  constructor(api: Agent37Api, signal: AbortSignal) {
    this.api = api;
    this.signal = signal;
  }

  /**
   * A turn lost before response.created, in a known session: still running (the session names it),
   * ended (this input is the first user row past what the history held before the turn), maybe not
   * in the history yet, or nowhere (the POST never started a turn).
   */
  async inSession(sessionId: string, known: KnownHistory | undefined, input: string | undefined): Promise<LostTurn> {
    const detail = await this.session(sessionId);
    if (!detail) return { kind: 'none' };
    if (detail.active_response_id) return { kind: 'running', sessionId, responseId: detail.active_response_id };
    if (known === undefined || input === undefined) return { kind: 'none' };
    // the history no longer holds what we last saw: nothing to tell this turn's messages by
    const since = turnsSince(historyOf(detail), known);
    if (since === null) return { kind: 'none' };
    if (since.length === 0) return detail.active_response_id === undefined ? { kind: 'not-yet' } : { kind: 'none' };
    // the turns this page sent since that read come first; a later one (another tab's) may follow this one
    const asked = since.find((t) => isUserText(t.user!.content, input));
    return asked ? { kind: 'answered', sessionId, turn: asked } : { kind: 'none' };
  }

  /**
   * A first message whose stream broke before naming its new session. The caller listed its
   * sessions before the POST (the relay lists only the caller's own, and claims a new session before
   * the instance answers), so a session missing from that list was created since; comparing ids
   * needs no clock. Each candidate still has to show this turn (running, or this input as its first
   * user row), which keeps out a new conversation another tab started meanwhile (a running one
   * cannot be told apart: that race is accepted).
   */
  async inNewSessions(knownSessions: ReadonlySet<string>, input: string | undefined): Promise<LostTurn> {
    const listed = await this.api.listSessions();
    if (this.signal.aborted) return { kind: 'none' };
    const candidates = listed.filter((x) => typeof x?.id === 'string' && !knownSessions.has(x.id)).slice(0, 3);
    let notYet = false;
    for (const candidate of candidates) {
      const found = await this.inSession(candidate.id, { lastId: null, turnsSince: 0 }, input);
      if (found.kind === 'not-yet') notYet = true;
      if (found.kind === 'running' || found.kind === 'answered') return found;
    }
    return notYet ? { kind: 'not-yet' } : { kind: 'none' };
  }

  /**
   * The record of `responseId` expired (404 on /stream): its answer is in the session history, as
   * the last turn that asked `input` (the last turn when the input is unknown). A turn that left no
   * answer (it failed, or came back empty) is reported as such, never as an earlier turn's answer.
   */
  async afterExpiry(sessionId: string, responseId: string, input: string | undefined): Promise<ExpiredTurn> {
    const detail = await this.session(sessionId);
    if (!detail) return { kind: 'gone' };
    if (detail.active_response_id && detail.active_response_id === responseId) return { kind: 'running' };
    const history = historyOf(detail);
    // newer gateways answer a deleted or unknown session with an empty history, not a 404
    if (history.length === 0 && !detail.active_response_id) return { kind: 'gone' };
    const turn = historyTurns(history).findLast((t) => input === undefined || (t.user !== null && isUserText(t.user.content, input)));
    return turn ? { kind: 'answered', turn } : { kind: 'missing' };
  }

  /** The session's running response, or null. */
  async activeResponseId(sessionId: string): Promise<string | null> {
    return (await this.session(sessionId))?.active_response_id ?? null;
  }

  /** The session, or null when the server says it does not exist. */
  private async session(sessionId: string): Promise<SessionDetail | null> {
    try {
      return await this.api.getSession(sessionId, this.signal);
    } catch (e) {
      if (e instanceof Agent37Error && e.status === 404) return null;
      throw e;
    }
  }
}

function historyOf(detail: SessionDetail): HistoryMessage[] {
  return Array.isArray(detail.history) ? detail.history : [];
}
