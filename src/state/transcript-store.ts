/**
 * The local transcript: every finished turn of a conversation as it was on screen, kept in IndexedDB
 * so that a reload shows it again. The server's session history keeps the visitor's text and the
 * answer's text only: no tool steps (nor their durations and failures), no "Stopped", no failed
 * turn's error, no usage. ChatSession saves each finished turn here and, on restore, merges these
 * turns with the server's history; this module only keeps them.
 *
 * Like persistence.ts it must never cost the visitor the chat. IndexedDB missing or throwing: the
 * turns live in memory for this page. IndexedDB slow: callers wait at most the timeout and the writes
 * still land, in order. A full disk: the oldest conversations go and the write is tried once more.
 * It is bounded (conversations, turns per conversation, characters overall) so it cannot fill a disk.
 *
 * Layout, in a database of its own beside persistence.ts's: `conv:{sessionId}` holds one
 * conversation, `index` lists them all from least to most recently updated with their sizes, so the
 * bounds are kept without reading every conversation.
 */
import { get, promisifyRequest, type UseStore } from 'idb-keyval';
import { Agent37Error } from '../contract/errors.js';
import type { Usage } from '../contract/gateway.js';
import type { AnswerPart, ToolStep, TranscriptTurn } from './conversation-types.js';
import { GuardedIdb, type GuardedIdbOptions } from './guarded-idb.js';
import { persistenceDbName } from './persistence.js';

export interface TranscriptStore {
  /** the stored turns of one conversation, oldest first; [] when none or storage is unusable */
  load(sessionId: string): Promise<TranscriptTurn[]>;
  /** add a finished turn at the end of that conversation (or replace the stored turn with the same non-null responseId) */
  append(sessionId: string, turn: TranscriptTurn): Promise<void>;
  /** keep only the given turns for that conversation (the caller drops turns the server no longer has) */
  replace(sessionId: string, turns: TranscriptTurn[]): Promise<void>;
  /** forget one conversation */
  remove(sessionId: string): Promise<void>;
}

/** With GuardedIdb's `timeoutMs` (how long a caller waits before going on with what this page knows), `store` and `onFallback`. */
export interface TranscriptStoreOptions extends GuardedIdbOptions {
  /** conversations kept; the least recently updated go first; default 50 */
  maxConversations?: number;
  /** turns kept per conversation; the oldest go first; default 200 */
  maxTurns?: number;
  /** characters of JSON (about bytes) kept over all conversations; default 20 MiB */
  maxChars?: number;
}

/**
 * A turn whose JSON is longer than this is kept without its reasoning. The thinking is most of a long
 * turn and the least missed after the fact; the text, tool steps, status, error and usage are what a
 * reload must show, so they stay whole (text runs the reasoning separated are joined). A single turn
 * longer than `maxChars` even then is not kept at all: its text is still in the server's history.
 */
export const TRANSCRIPT_TURN_TRIM_CHARS = 256 * 1024;

/** The database name for a deployment (`api_base`) and a page's `persist-key`, beside persistence.ts's. */
export function transcriptDbName(apiBase: string, persistKey: string): string {
  return `${persistenceDbName(apiBase, persistKey)}:transcript`;
}

export function createTranscriptStore(apiBase: string, persistKey: string, options: TranscriptStoreOptions = {}): IdbTranscriptStore {
  return new IdbTranscriptStore(transcriptDbName(apiBase, persistKey), options);
}

const INDEX_KEY = 'index';
const CONVERSATION_PREFIX = 'conv:';
/** the shape of the records below; a record of another version is ignored */
const VERSION = 1;

interface StoredConversation {
  v: typeof VERSION;
  sessionId: string;
  /** epoch ms of the last write */
  updatedAt: number;
  turns: TranscriptTurn[];
}

interface IndexEntry {
  sessionId: string;
  updatedAt: number;
  /** characters of the conversation's turns as JSON */
  size: number;
}

interface StoredIndex {
  v: typeof VERSION;
  /** least recently updated first */
  conversations: IndexEntry[];
}

interface Limits {
  maxConversations: number;
  maxTurns: number;
  maxChars: number;
}

/** What a write does to one conversation's turns; pure, so it can be applied to memory and to IndexedDB alike. */
type Change = (turns: TranscriptTurn[]) => TranscriptTurn[];

export class IdbTranscriptStore implements TranscriptStore {
  private readonly idb: GuardedIdb;
  private readonly limits: Limits;
  /** this page's view: what load() answers after a fallback or while IndexedDB is slow */
  private readonly memory: MemoryTranscripts;
  /** writes (and the reads behind them) reach IndexedDB one after another, however late it answers */
  private queue: Promise<void> = Promise.resolve();
  /** per conversation, the loads waiting for IndexedDB: the changes made meanwhile, to apply to what they read */
  private readonly reading = new Map<string, Set<Change[]>>();

  constructor(dbName: string, options: TranscriptStoreOptions = {}) {
    this.idb = new GuardedIdb(
      dbName,
      options,
      'This browser did not let the chat keep its transcript, so tool steps, stops and errors will not survive a reload.',
    );
    this.limits = {
      maxConversations: Math.max(1, options.maxConversations ?? 50),
      maxTurns: Math.max(1, options.maxTurns ?? 200),
      maxChars: Math.max(1, options.maxChars ?? 20 * 1024 * 1024),
    };
    this.memory = new MemoryTranscripts(this.limits);
  }

  /** set once storage fell back to memory (why); null while IndexedDB works */
  get fallback(): Agent37Error | null {
    return this.idb.fallback;
  }

  async load(sessionId: string): Promise<TranscriptTurn[]> {
    const since: Change[] = [];
    const watchers = this.reading.get(sessionId) ?? new Set<Change[]>();
    watchers.add(since);
    this.reading.set(sessionId, watchers);
    // behind the queued writes, so it reads what they wrote
    const read = this.queue.then(() => this.read(sessionId));
    this.queue = read.then(() => undefined);
    try {
      // too slow: answer what this page knows rather than keep the visitor waiting; a late answer is ignored
      if (!(await this.idb.within(read))) return structuredClone(this.memory.get(sessionId));
      const stored = await read;
      if (stored === null) return structuredClone(this.memory.get(sessionId));
      // a write while reading is newer than what was read
      this.memory.set(sessionId, since.reduce((turns, change) => change(turns), stored));
      return structuredClone(this.memory.get(sessionId));
    } finally {
      watchers.delete(since);
      if (watchers.size === 0) this.reading.delete(sessionId);
    }
  }

  /** A turn that is not a finished turn's shape is not kept. */
  append(sessionId: string, turn: TranscriptTurn): Promise<void> {
    const kept = forStorage(turn, this.limits);
    if (!kept) return Promise.resolve();
    return this.change(sessionId, (turns) => {
      const at = kept.responseId === null ? -1 : turns.findIndex((t) => t.responseId === kept.responseId);
      return at < 0 ? [...turns, kept] : turns.map((t, i) => (i === at ? kept : t));
    });
  }

  /** Turns that are not a finished turn's shape are not kept; no turns at all forgets the conversation. */
  replace(sessionId: string, turns: TranscriptTurn[]): Promise<void> {
    const kept = turns.map((turn) => forStorage(turn, this.limits)).filter((turn) => turn !== null);
    return this.change(sessionId, () => kept);
  }

  remove(sessionId: string): Promise<void> {
    return this.change(sessionId, () => []);
  }

  /** Resolves once IndexedDB has the change, or after the timeout while the write goes on. */
  private async change(sessionId: string, change: Change): Promise<void> {
    this.memory.set(sessionId, change(this.memory.get(sessionId)));
    for (const since of this.reading.get(sessionId) ?? []) since.push(change);
    this.queue = this.queue.then(() => this.commit(sessionId, change));
    await this.idb.within(this.queue);
  }

  /** The stored turns, or null when storage is unusable. Never rejects. */
  private async read(sessionId: string): Promise<TranscriptTurn[] | null> {
    const store = this.idb.usable();
    if (!store) return null;
    try {
      return parseConversation(await get<unknown>(conversationKey(sessionId), store), sessionId)?.turns ?? [];
    } catch (cause) {
      this.idb.fallBack(cause);
      return null;
    }
  }

  /** Never rejects: a full disk gives up this write, anything else falls back to memory. */
  private async commit(sessionId: string, change: Change): Promise<void> {
    const store = this.idb.usable();
    if (!store) return;
    try {
      await this.writeThrough(store, sessionId, change);
    } catch (cause) {
      if (!isQuotaError(cause)) return this.idb.fallBack(cause);
      try {
        await this.dropOldest(store, sessionId);
        await this.writeThrough(store, sessionId, change);
      } catch (again) {
        // still full after making room: this write is given up, the next ones are tried as usual
        if (!isQuotaError(again)) this.idb.fallBack(again);
      }
    }
  }

  /** One transaction: the conversation, the index and the conversations the bounds drop change together. */
  private writeThrough(store: UseStore, sessionId: string, change: Change): Promise<void> {
    return store('readwrite', async (os) => {
      try {
        const [rawIndex, rawConversation] = await Promise.all([
          promisifyRequest(os.get(INDEX_KEY)),
          promisifyRequest(os.get(conversationKey(sessionId))),
        ]);
        const index = parseIndex(rawIndex) ?? (await rebuildIndex(os));
        const current = parseConversation(rawConversation, sessionId)?.turns ?? [];
        const next = written(index, sessionId, change(current), this.limits, Date.now());
        if (next.conversation) os.put(next.conversation, conversationKey(sessionId));
        else os.delete(conversationKey(sessionId));
        for (const dropped of next.dropped) os.delete(conversationKey(dropped));
        os.put(storedIndex(next.index), INDEX_KEY);
      } catch (cause) {
        abort(os.transaction);
        throw cause;
      }
      return promisifyRequest(os.transaction);
    });
  }

  /** Makes room on a full disk: the least recently updated half of the other conversations goes. */
  private dropOldest(store: UseStore, sessionId: string): Promise<void> {
    return store('readwrite', async (os) => {
      try {
        const index = parseIndex(await promisifyRequest(os.get(INDEX_KEY))) ?? (await rebuildIndex(os));
        const others = index.filter((entry) => entry.sessionId !== sessionId);
        const dropped = new Set(others.slice(0, Math.ceil(others.length / 2)).map((entry) => entry.sessionId));
        for (const id of dropped) os.delete(conversationKey(id));
        os.put(storedIndex(index.filter((entry) => !dropped.has(entry.sessionId))), INDEX_KEY);
      } catch (cause) {
        abort(os.transaction);
        throw cause;
      }
      return promisifyRequest(os.transaction);
    });
  }


}

/** The page's own copy of the conversations it touched, bounded like the stored ones. */
class MemoryTranscripts {
  private readonly limits: Limits;
  private index: IndexEntry[] = [];
  private readonly turns = new Map<string, TranscriptTurn[]>();

  constructor(limits: Limits) {
    this.limits = limits;
  }

  get(sessionId: string): TranscriptTurn[] {
    return this.turns.get(sessionId) ?? [];
  }

  set(sessionId: string, turns: TranscriptTurn[]): void {
    const next = written(this.index, sessionId, turns, this.limits, Date.now());
    this.index = next.index;
    if (next.conversation) this.turns.set(sessionId, next.conversation.turns);
    else this.turns.delete(sessionId);
    for (const dropped of next.dropped) this.turns.delete(dropped);
  }
}

/**
 * A conversation's new turns, within the bounds: the newest `maxTurns` turns that fit in `maxChars`,
 * the conversation made the most recently updated, and the least recently updated others dropped
 * while there are more than `maxConversations` or more than `maxChars` in all. No turns left: the
 * conversation is forgotten.
 */
function written(
  index: IndexEntry[],
  sessionId: string,
  turns: TranscriptTurn[],
  limits: Limits,
  now: number,
): { index: IndexEntry[]; conversation: StoredConversation | null; dropped: string[] } {
  const others = index.filter((entry) => entry.sessionId !== sessionId);
  const sized = turns
    .map((turn) => ({ turn, size: sizeOf(turn) }))
    .filter((t) => t.size <= limits.maxChars)
    .slice(-limits.maxTurns);
  let size = sized.reduce((sum, t) => sum + t.size, 0);
  while (size > limits.maxChars) size -= sized.shift()!.size;
  if (sized.length === 0) return { index: others, conversation: null, dropped: [] };

  const next = [...others, { sessionId, updatedAt: now, size }];
  let total = next.reduce((sum, entry) => sum + entry.size, 0);
  const dropped: string[] = [];
  while (next.length > 1 && (next.length > limits.maxConversations || total > limits.maxChars)) {
    const oldest = next.shift()!;
    total -= oldest.size;
    dropped.push(oldest.sessionId);
  }
  return { index: next, conversation: { v: VERSION, sessionId, updatedAt: now, turns: sized.map((t) => t.turn) }, dropped };
}

/** The caller's turn as plain JSON of the known fields, trimmed (TRANSCRIPT_TURN_TRIM_CHARS); null when it is not a turn. */
function forStorage(turn: TranscriptTurn, limits: Limits): TranscriptTurn | null {
  const kept = parseTurn(turn);
  if (!kept) return null;
  const size = sizeOf(kept);
  if (size <= TRANSCRIPT_TURN_TRIM_CHARS) return kept;
  const parts: AnswerPart[] = [];
  for (const part of kept.parts) {
    if (part.type === 'reasoning') continue;
    const last = parts[parts.length - 1];
    if (part.type === 'text' && last?.type === 'text') parts[parts.length - 1] = { type: 'text', text: last.text + part.text };
    else parts.push(part);
  }
  const trimmed = { ...kept, parts };
  return sizeOf(trimmed) <= limits.maxChars ? trimmed : null;
}

function sizeOf(value: unknown): number {
  return JSON.stringify(value).length;
}

function conversationKey(sessionId: string): string {
  return `${CONVERSATION_PREFIX}${sessionId}`;
}

function storedIndex(conversations: IndexEntry[]): StoredIndex {
  return { v: VERSION, conversations };
}

/** The index from the conversations themselves, when it is missing or corrupt; corrupt conversations are deleted. */
async function rebuildIndex(os: IDBObjectStore): Promise<IndexEntry[]> {
  const [keys, values] = await Promise.all([promisifyRequest(os.getAllKeys()), promisifyRequest(os.getAll())]);
  const index: IndexEntry[] = [];
  keys.forEach((key, i) => {
    if (typeof key !== 'string' || !key.startsWith(CONVERSATION_PREFIX)) return;
    const conversation = parseConversation(values[i], key.slice(CONVERSATION_PREFIX.length));
    if (conversation) index.push({ sessionId: conversation.sessionId, updatedAt: conversation.updatedAt, size: sizeOf(conversation.turns) });
    else os.delete(key);
  });
  return index.sort((a, b) => a.updatedAt - b.updatedAt);
}

function abort(transaction: IDBTransaction): void {
  try {
    transaction.abort();
  } catch {
    // already finished or aborting
  }
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function parseIndex(value: unknown): IndexEntry[] | null {
  if (!isRecord(value) || value.v !== VERSION || !Array.isArray(value.conversations)) return null;
  const seen = new Set<string>();
  const index: IndexEntry[] = [];
  for (const entry of value.conversations as unknown[]) {
    if (!isRecord(entry) || typeof entry.sessionId !== 'string' || !isFiniteNumber(entry.updatedAt) || !isFiniteNumber(entry.size)) return null;
    if (seen.has(entry.sessionId)) return null;
    seen.add(entry.sessionId);
    index.push({ sessionId: entry.sessionId, updatedAt: entry.updatedAt, size: entry.size });
  }
  return index;
}

/** A stored conversation of this version, with its valid turns; null when it is not one. */
function parseConversation(value: unknown, sessionId: string): { sessionId: string; updatedAt: number; turns: TranscriptTurn[] } | null {
  if (!isRecord(value) || value.v !== VERSION || value.sessionId !== sessionId || !Array.isArray(value.turns)) return null;
  const turns = (value.turns as unknown[]).map(parseTurn).filter((turn) => turn !== null);
  return { sessionId, updatedAt: isFiniteNumber(value.updatedAt) ? value.updatedAt : 0, turns };
}

const TURN_STATUSES: readonly string[] = ['complete', 'stopped', 'failed'] satisfies TranscriptTurn['status'][];
const STEP_STATUSES: readonly string[] = ['running', 'completed', 'failed'] satisfies ToolStep['status'][];

/** A loose check of one turn, copied into fresh objects of the known fields; null when it is not a turn. */
function parseTurn(value: unknown): TranscriptTurn | null {
  if (!isRecord(value)) return null;
  const { responseId, input, status, parts } = value;
  if (responseId !== null && typeof responseId !== 'string') return null;
  if (typeof input !== 'string' || typeof status !== 'string' || !TURN_STATUSES.includes(status) || !Array.isArray(parts)) return null;
  const kept: AnswerPart[] = [];
  for (const part of parts as unknown[]) {
    const p = parsePart(part);
    if (!p) return null;
    kept.push(p);
  }
  const turn: TranscriptTurn = {
    responseId,
    input,
    status: status as TranscriptTurn['status'],
    parts: kept,
    at: isFiniteNumber(value.at) ? value.at : 0,
  };
  if (isFiniteNumber(value.askedAt)) turn.askedAt = value.askedAt;
  if (isFiniteNumber(value.startedAt)) turn.startedAt = value.startedAt;
  const usage = parseUsage(value.usage);
  if (usage !== undefined) turn.usage = usage;
  const error = value.error;
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    turn.error = { code: error.code, message: error.message, ...(typeof error.hint === 'string' ? { hint: error.hint } : {}) };
  }
  return turn;
}

function parsePart(value: unknown): AnswerPart | null {
  if (!isRecord(value)) return null;
  if ((value.type === 'text' || value.type === 'reasoning') && typeof value.text === 'string') return { type: value.type, text: value.text };
  if (value.type !== 'tool' || !isRecord(value.step)) return null;
  const { tool, label, status, duration_ms, error } = value.step;
  if (typeof tool !== 'string' || typeof label !== 'string' || typeof status !== 'string' || !STEP_STATUSES.includes(status)) return null;
  const step: ToolStep = { tool, label, status: status as ToolStep['status'] };
  if (isFiniteNumber(duration_ms)) step.duration_ms = duration_ms;
  if (typeof error === 'string') step.error = error;
  return { type: 'tool', step };
}

/** undefined when there is no usable usage (the turn is kept without it) */
function parseUsage(value: unknown): Usage | null | undefined {
  if (value === null) return null;
  if (!isRecord(value) || !isFiniteNumber(value.input_tokens) || !isFiniteNumber(value.output_tokens)) return undefined;
  const usage: Usage = { input_tokens: value.input_tokens, output_tokens: value.output_tokens };
  if (isFiniteNumber(value.cost_usd) || value.cost_usd === null) usage.cost_usd = value.cost_usd;
  return usage;
}
