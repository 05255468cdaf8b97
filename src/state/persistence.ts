/**
 * Where the conversation's ids survive a reload: IndexedDB through idb-keyval, one database per
 * deployment and page user (`api_base` + `persist-key`), so two users or two deployments on one
 * origin never share a conversation. IndexedDB may be missing (some private modes) or throw: then
 * the ids live in memory for this page and the chat goes on. It may also be slow (a blocked upgrade,
 * a busy disk): then callers wait at most the timeout, and the writes still land, in order, when it
 * answers, so a reload never brings back a conversation the visitor left.
 */
import { get, setMany } from 'idb-keyval';
import { Agent37Error } from '../contract/errors.js';
import type { KnownHistory } from '../client/turn-lookup.js';
import { GuardedIdb, type GuardedIdbOptions } from './guarded-idb.js';

export interface PersistedIds {
  sessionId: string | null;
  responseId: string | null;
  /** the visitor's text of the in-flight turn, so a reload can show it above the resumed answer */
  pendingInput?: string | null;
  /** what the session's history held before the in-flight turn, so a reload can tell that turn's rows apart */
  historyBefore?: KnownHistory | null;
}

export interface Persistence {
  load(): Promise<PersistedIds>;
  save(v: PersistedIds): Promise<void>;
}

/** `timeoutMs`: how long a caller waits for IndexedDB before going on with the values in memory. */
export type PersistenceOptions = GuardedIdbOptions;

/** The database name for a deployment (`api_base`) and a page's `persist-key`. */
export function persistenceDbName(apiBase: string, persistKey: string): string {
  return `agent37-chat:${apiBase}:${persistKey}`;
}

export function createPersistence(apiBase: string, persistKey: string, options: PersistenceOptions = {}): IdbPersistence {
  return new IdbPersistence(persistenceDbName(apiBase, persistKey), options);
}

interface StoredResponse {
  id: string;
  input?: string | null;
  before?: KnownHistory | null;
}

export class IdbPersistence implements Persistence {
  private readonly idb: GuardedIdb;
  /** the latest values: what load() answers after a fallback or while IndexedDB is slow */
  private memory: PersistedIds = { sessionId: null, responseId: null, pendingInput: null, historyBefore: null };
  /** writes reach IndexedDB one after another, however late it answers, so the last one wins */
  private queue: Promise<void> = Promise.resolve();

  constructor(dbName: string, options: PersistenceOptions = {}) {
    this.idb = new GuardedIdb(dbName, options, 'This browser did not let the chat keep the conversation, so it will not survive a reload.');
  }

  /** set once storage fell back to memory (why); null while IndexedDB works */
  get fallback(): Agent37Error | null {
    return this.idb.fallback;
  }

  async load(): Promise<PersistedIds> {
    // a slow write stays queued; its values are in memory already
    if (!(await this.idb.within(this.queue))) return { ...this.memory };
    const store = this.idb.usable();
    if (!store) return { ...this.memory };
    const before = this.memory;
    const read = Promise.all([get<unknown>('session', store), get<unknown>('response', store)]);
    try {
      const answered = await this.idb.within(read);
      // too slow: start from nothing rather than keep the visitor waiting; a late answer is ignored
      if (!answered) return { ...this.memory };
      const [session, response] = await read;
      // a save while reading is newer than what was read
      if (this.memory !== before) return { ...this.memory };
      const stored = parseResponse(response);
      this.memory = {
        sessionId: typeof session === 'string' ? session : null,
        responseId: stored?.id ?? null,
        pendingInput: stored?.input ?? null,
        historyBefore: stored?.before ?? null,
      };
    } catch (cause) {
      this.idb.fallBack(cause);
    }
    return { ...this.memory };
  }

  /** Resolves once IndexedDB has the values, or after the timeout while the write goes on. */
  async save(v: PersistedIds): Promise<void> {
    this.memory = { sessionId: v.sessionId, responseId: v.responseId, pendingInput: v.pendingInput ?? null, historyBefore: v.historyBefore ?? null };
    const snapshot = this.memory;
    this.queue = this.queue.then(async () => {
      const store = this.idb.usable();
      if (!store) return;
      const response: StoredResponse | null = snapshot.responseId
        ? { id: snapshot.responseId, input: snapshot.pendingInput ?? null, before: snapshot.historyBefore ?? null }
        : null;
      try {
        await setMany(
          [
            ['session', snapshot.sessionId],
            ['response', response],
          ],
          store,
        );
      } catch (cause) {
        this.idb.fallBack(cause);
      }
    });
    await this.idb.within(this.queue);
  }
}

function parseResponse(value: unknown): StoredResponse | null {
  if (typeof value === 'string') return { id: value };
  if (value && typeof value === 'object' && typeof (value as StoredResponse).id === 'string') {
    const v = value as StoredResponse;
    return { id: v.id, input: typeof v.input === 'string' ? v.input : null, before: knownHistoryOf(v.before) };
  }
  return null;
}

function knownHistoryOf(value: unknown): KnownHistory | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<KnownHistory>;
  if (!(v.lastId === null || typeof v.lastId === 'string') || typeof v.turnsSince !== 'number') return null;
  return { lastId: v.lastId, turnsSince: v.turnsSince };
}
