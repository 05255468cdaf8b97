/**
 * The conversation as restored: the server's session history, read as turns, with the running turn
 * left to its live replay and the local transcript's details put back. A pure function beside the
 * reducer; ChatSession feeds its result to the reducer's `history` action.
 *
 * Two readings of history must both come out right (agent37-api.md, "History as Hermes writes it"):
 * rows written in one go when a turn ends, or written as it runs (the user row at its start, interim
 * assistant rows before each tool). Under the second, the running turn's rows are already there; the
 * live replay owns that turn, so they are not shown a second time.
 */
import { Agent37Error } from '../contract/errors.js';
import type { HistoryMessage } from '../contract/gateway.js';
import { answerText, historyTurns, isUserText, readableThinking, turnsSince, type HistoryTurn } from '../contract/history-turns.js';
import type { KnownHistory } from '../client/turn.js';
import { emptyAnswer, textOfParts, withParts } from './conversation.js';
import type { AnswerPart, AssistantMessage, ChatMessage, TranscriptTurn } from './conversation-types.js';

/** What is known of the turn the session reports running (`active_response_id`, or a stored in-flight id). */
export interface RunningTurnHint {
  /** what the history held before that turn started, when this page (or the one before a reload) sent it */
  before?: KnownHistory | undefined;
  /** the visitor's text of that turn, when known */
  input?: string | null | undefined;
}

export interface HistoryViewOptions {
  /** set while a turn is running: its rows, if history has them already, are left out */
  running?: RunningTurnHint | null;
  /** this browser's record of the conversation's finished turns, oldest first */
  transcript?: readonly TranscriptTurn[];
}

export interface HistoryView {
  /** the finished turns, as they were on screen as far as the transcript knows */
  messages: ChatMessage[];
  /** the running turn's user text when history holds its row already (as typed when known, else as stored) */
  runningInput: string | null;
  /** when the running turn was asked, when history holds its row already and says */
  runningAskedAt: number | undefined;
  /** the newest row before the running turn's rows (what the next turn's lookups count from); null: none */
  lastFinishedId: string | null;
  /** the transcript's turns that the history still has; those older than the history's are gone and dropped */
  transcript: TranscriptTurn[];
  /**
   * Set when a turn is running but nothing told where its rows begin (another tab's turn, say) and the
   * last turn in history has an answer: that answer may be the running turn's interim text. The live
   * replay decides: if its text starts with this one, it is, and the message goes.
   */
  ambiguousTail: { answerId: string; text: string; rowsBefore: string | null } | null;
}

export function historyView(history: readonly HistoryMessage[], options: HistoryViewOptions = {}): HistoryView {
  const transcript = options.transcript ?? [];
  const runningFrom = options.running ? runningTurnStart(history, options.running, transcript) : -1;
  const finishedRows = runningFrom < 0 ? history : history.slice(0, runningFrom);
  const runningUser = runningFrom < 0 ? undefined : history[runningFrom];
  const typed = options.running?.input ?? null;

  const turns = historyTurns(finishedRows);
  const matched = matchTranscript(turns, transcript);
  const messages: ChatMessage[] = [];
  turns.forEach((turn, i) => {
    const recorded = matched.byTurn[i];
    if (turn.user) {
      const createdAt = recorded?.askedAt ?? timeOf(turn.user.created_at);
      messages.push({ role: 'user', id: turn.user.id, text: recorded?.input ?? turn.user.content, ...(createdAt !== undefined ? { createdAt } : {}) });
    }
    const answer = answerOf(turn, recorded);
    if (answer) messages.push(answer);
  });
  const last = turns.at(-1);
  const lastAnswer = messages.at(-1);
  const ambiguous =
    options.running && runningFrom < 0 && !options.running.before && (options.running.input ?? null) === null && last?.user && lastAnswer?.role === 'assistant'
      ? { answerId: lastAnswer.id, text: lastAnswer.text, rowsBefore: rowBefore(history, last.user.id) }
      : null;
  return {
    messages,
    runningInput: runningUser ? (typed !== null && isUserText(runningUser.content, typed) ? typed : runningUser.content) : null,
    runningAskedAt: timeOf(runningUser?.created_at),
    lastFinishedId: finishedRows.at(-1)?.id ?? null,
    transcript: matched.kept,
    ambiguousTail: ambiguous,
  };
}

/**
 * Pairs history turns with the transcript's, newest first (the transcript holds the latest turns; the
 * history may reach further back). A pair must agree on the question and on the text (whitespace
 * aside): the same, or one the start of the other (a turn cut short, a store that trims). A
 * transcript turn older than the oldest pair is one the server no longer has and is dropped.
 */
function matchTranscript(turns: readonly HistoryTurn[], transcript: readonly TranscriptTurn[]): { byTurn: (TranscriptTurn | undefined)[]; kept: TranscriptTurn[] } {
  const byTurn: (TranscriptTurn | undefined)[] = new Array(turns.length).fill(undefined);
  let next = transcript.length - 1;
  let oldestMatch = transcript.length;
  for (let i = turns.length - 1; i >= 0 && next >= 0; i--) {
    const turn = turns[i]!;
    if (!turn.user) continue;
    for (let j = next; j >= 0; j--) {
      if (!agrees(turn, transcript[j]!)) continue;
      byTurn[i] = transcript[j];
      oldestMatch = j;
      next = j - 1;
      break;
    }
  }
  // no pair at all: nothing says which records are gone
  return { byTurn, kept: oldestMatch === transcript.length ? [...transcript] : transcript.slice(oldestMatch) };
}

function agrees(turn: HistoryTurn, recorded: TranscriptTurn): boolean {
  if (!turn.user || !isUserText(turn.user.content, recorded.input)) return false;
  const server = answerText(turn).replace(/\s+/g, '');
  const local = textOfParts(recorded.parts).replace(/\s+/g, '');
  if (server === local) return true;
  if (server === '' || local === '') return false;
  return local.startsWith(server) || server.startsWith(local);
}

function rowBefore(history: readonly HistoryMessage[], id: string): string | null {
  const at = history.findIndex((row) => row.id === id);
  return at > 0 ? history[at - 1]!.id : null;
}

/**
 * Where the running turn's rows begin in the history, or -1 when history does not hold them (yet).
 * By what the history held before the turn when that is known; else by the typed text matching the
 * last user row; else (another tab's turn, say) a last user row with no answer after it is taken for
 * the running turn's, unless this browser recorded that turn as finished.
 */
function runningTurnStart(history: readonly HistoryMessage[], running: RunningTurnHint, transcript: readonly TranscriptTurn[]): number {
  const input = running.input ?? null;
  const matches = (row: HistoryMessage) => input === null || isUserText(row.content, input);
  const since = running.before ? turnsSince(history, running.before) : null;
  if (since) {
    // the turns this page sent since that read come first; the running turn's row is the next one
    const asked = since.find((t) => matches(t.user!));
    return asked ? history.indexOf(asked.user!) : -1;
  }
  const lastUser = history.findLastIndex((row) => row.role === 'user');
  if (lastUser < 0) return -1;
  if (input !== null) return isUserText(history[lastUser]!.content, input) ? lastUser : -1;
  const answered = history.slice(lastUser + 1).some((row) => row.role === 'assistant');
  if (answered) return -1;
  const recorded = transcript.at(-1);
  if (recorded && isUserText(history[lastUser]!.content, recorded.input)) return -1;
  return lastUser;
}

/**
 * One turn's answer. The server is the truth for text: the transcript's parts are used as they are
 * when their text is the server's; otherwise the server's rows make the text and the transcript adds
 * its tool steps where they happened (after the text that came before them) and its status, usage
 * and error.
 */
function answerOf(turn: HistoryTurn, recorded: TranscriptTurn | undefined): AssistantMessage | null {
  const id = turn.answers[0]?.id ?? `${turn.user?.id ?? 'answer'}:answer`;
  const createdAt = recorded?.startedAt ?? timeOf(turn.answers[0]?.created_at);
  const at = createdAt !== undefined ? { createdAt } : {};
  if (!recorded) {
    const serverParts = partsOfRows(turn.answers);
    return serverParts.length > 0 ? { ...withParts(emptyAnswer(id, 'complete'), serverParts), ...at } : null;
  }
  let parts: AnswerPart[];
  if (turn.answers.length === 0) {
    // nothing of it on the server: a failed, stopped or empty turn shows as it ended
    parts = recorded.parts;
  } else if (textOfParts(recorded.parts) === answerText(turn)) {
    parts = recorded.parts;
  } else {
    parts = withRecordedSteps(turn.answers, recorded.parts);
  }
  const answer: AssistantMessage = {
    ...withParts(emptyAnswer(id, recorded.status), parts),
    ...(recorded.responseId ? { responseId: recorded.responseId } : {}),
    ...(recorded.usage !== undefined ? { usage: recorded.usage } : {}),
    ...at,
  };
  if (recorded.status === 'failed' && recorded.error) answer.error = new Agent37Error(recorded.error);
  return answer;
}

/** The server's rows, with each recorded tool step put back after the rows whose text preceded it. */
function withRecordedSteps(rows: readonly HistoryMessage[], recorded: readonly AnswerPart[]): AnswerPart[] {
  const steps: { before: number; part: AnswerPart }[] = [];
  let written = 0;
  for (const part of recorded) {
    if (part.type === 'text') written += part.text.length;
    else if (part.type === 'tool') steps.push({ before: written, part });
  }
  const parts: AnswerPart[] = [];
  let served = 0;
  let next = 0;
  for (const row of rows) {
    while (next < steps.length && steps[next]!.before <= served) parts.push(steps[next++]!.part);
    parts.push(...partsOfRows([row]));
    served += row.content.length;
  }
  while (next < steps.length) parts.push(steps[next++]!.part);
  return parts;
}

/** Each row's thinking, then its text: interim and final texts stay separate blocks. */
function partsOfRows(rows: readonly HistoryMessage[]): AnswerPart[] {
  const parts: AnswerPart[] = [];
  for (const row of rows) {
    const thinking = readableThinking(row.thinking);
    if (thinking) parts.push({ type: 'reasoning', text: thinking });
    if (row.content) parts.push({ type: 'text', text: row.content });
  }
  return parts;
}

/**
 * A row's `created_at` as epoch ms. The contract gives no unit: milliseconds, seconds (a number too
 * small to be milliseconds after 1973) and ISO strings are all read. Undefined when missing or unreadable.
 */
export function timeOf(value: unknown): number | undefined {
  const time = typeof value === 'string' ? Date.parse(value) : value;
  if (typeof time !== 'number' || !(time > 0) || !Number.isFinite(time)) return undefined;
  return time < 1e11 ? time * 1000 : time;
}
