/**
 * A session's history read as turns. The gateway keeps rows, not turns: one turn can leave several
 * assistant rows (Hermes writes interim "Let me check…" text before each tool, then the final
 * answer), the stored user text can carry a notice in front of what was typed, and `thinking` may
 * be JSON. Everything that needs "the answer to that question" (the element's history view, the
 * turn runner's lookups after a drop or an expired record) reads history through this.
 */
import type { HistoryMessage } from './gateway.js';

export interface HistoryTurn {
  /** the user row that opened the turn; null for assistant rows before any user row */
  user: HistoryMessage | null;
  /** the assistant rows that followed it, in order (none: the turn failed, gave no answer, or is still running) */
  answers: HistoryMessage[];
}

/** Rows → turns: each user row opens one; the assistant rows after it, up to the next user row, are its answer. System rows are skipped. */
export function historyTurns(history: readonly HistoryMessage[]): HistoryTurn[] {
  const turns: HistoryTurn[] = [];
  for (const row of history) {
    if (row.role === 'user') turns.push({ user: row, answers: [] });
    else if (row.role === 'assistant') {
      const last = turns.at(-1);
      if (last) last.answers.push(row);
      else turns.push({ user: null, answers: [row] });
    }
  }
  return turns;
}

/**
 * The turns past what a page last saw of the history: after the row `lastId` (null: from the start),
 * less the first `turnsSince` turns (ones the page itself sent since). Null when `lastId` is no
 * longer in the history, so nothing tells the turns apart.
 */
export function turnsSince(history: readonly HistoryMessage[], known: { lastId: string | null; turnsSince: number }): HistoryTurn[] | null {
  const from = known.lastId === null ? 0 : history.findIndex((row) => row.id === known.lastId) + 1;
  if (known.lastId !== null && from === 0) return null;
  return historyTurns(history.slice(from))
    .filter((t) => t.user !== null)
    .slice(known.turnsSince);
}

/** The answer's text as streamed: the rows' texts run together, with no separator (as the gateway streams them). */
export function answerText(turn: HistoryTurn): string {
  return turn.answers.map((row) => row.content).join('');
}

/** The answer's thinking, readable: each row's, joined. */
export function answerThinking(turn: HistoryTurn): string {
  return turn.answers
    .map((row) => readableThinking(row.thinking))
    .filter((text) => text !== '')
    .join('\n\n');
}

/**
 * Whether a stored user text is what the visitor typed: equal, or the typed text after a notice the
 * agent's harness put in front of it (background-task notices).
 */
export function isUserText(stored: string, typed: string): boolean {
  if (stored === typed) return true;
  const s = stored.trim();
  const t = typed.trim();
  return t !== '' && (s === t || s.endsWith(`\n${t}`));
}

/** Keys under which reasoning text sits in the JSON shapes agents serialize it to. */
const THINKING_KEYS = new Set(['text', 'thinking', 'reasoning', 'summary', 'content']);

/**
 * `thinking` as prose. An agent whose reasoning is not text has it serialized as JSON (e.g.
 * `[{"type":"thinking","thinking":"…"}]`): its text fields are read out; JSON with none is dropped
 * rather than shown as code. Anything else is prose already.
 */
export function readableThinking(thinking: string | null | undefined): string {
  if (typeof thinking !== 'string') return '';
  const trimmed = thinking.trim();
  if (!/^[[{]/.test(trimmed)) return thinking;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return thinking;
  }
  const pieces: string[] = [];
  collectThinking(value, pieces, false);
  return pieces.join('\n\n');
}

function collectThinking(value: unknown, into: string[], underThinkingKey: boolean): void {
  if (typeof value === 'string') {
    if (underThinkingKey && value.trim() !== '') into.push(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectThinking(item, into, underThinkingKey);
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) collectThinking(inner, into, THINKING_KEYS.has(key));
  }
}
