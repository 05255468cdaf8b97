/**
 * Where the conversation's ids survive a reload: IndexedDB through idb-keyval, one database per
 * deployment and page user (`api_base` + `persist-key`), so two users or two deployments on one
 * origin never share a conversation. IndexedDB may be missing (some private modes), throw, or hang
 * (a blocked upgrade); then the ids live in memory for this page and the chat goes on.
 */
import { createStore, get, setMany, type UseStore } from 'idb-keyval';
import { Agent37Error } from '../client/errors.js';

export interface PersistedIds {
  sessionId: string | null;
  responseId: string | null;
  /** the visitor's text of the in-flight turn, so a reload can show it above the resumed answer */
  pendingInput?: string | null;
}

export interface Persistence {
  load(): Promise<PersistedIds>;
  save(v: PersistedIds): Promise<void>;
}

export interface PersistenceOptions {
  /** an IndexedDB operation that takes longer than this counts as hung; default 1000 ms */
  timeoutMs?: number;
  /** called once, when storage falls back to memory */
  onFallback?: (error: Agent37Error) => void;
  /** the idb-keyval store to use instead of the real one (tests inject a failing or hanging one) */
  store?: UseStore;
}

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
}

export class IdbPersistence implements Persistence {
  /** set once storage fell back to memory (why); null while IndexedDB works */
  fallback: Agent37Error | null = null;

  private readonly dbName: string;
  private readonly options: PersistenceOptions;
  private store: UseStore | null = null;
  /** the last values loaded or saved: what load() answers after a fallback */
  private memory: PersistedIds = { sessionId: null, responseId: null, pendingInput: null };
  /** saves run one after another so a late one never overwrites a newer one */
  private queue: Promise<void> = Promise.resolve();

  constructor(dbName: string, options: PersistenceOptions = {}) {
    this.dbName = dbName;
    this.options = options;
  }

  async load(): Promise<PersistedIds> {
    await this.queue;
    const store = this.usable();
    if (!store) return { ...this.memory };
    try {
      const [session, response] = await this.timed(Promise.all([get<unknown>('session', store), get<unknown>('response', store)]));
      const stored = parseResponse(response);
      this.memory = {
        sessionId: typeof session === 'string' ? session : null,
        responseId: stored?.id ?? null,
        pendingInput: stored?.input ?? null,
      };
    } catch (cause) {
      this.fallBack(cause);
    }
    return { ...this.memory };
  }

  save(v: PersistedIds): Promise<void> {
    this.memory = { sessionId: v.sessionId, responseId: v.responseId, pendingInput: v.pendingInput ?? null };
    const snapshot = this.memory;
    this.queue = this.queue.then(async () => {
      const store = this.usable();
      if (!store) return;
      const response: StoredResponse | null = snapshot.responseId ? { id: snapshot.responseId, input: snapshot.pendingInput ?? null } : null;
      try {
        await this.timed(
          setMany(
            [
              ['session', snapshot.sessionId],
              ['response', response],
            ],
            store,
          ),
        );
      } catch (cause) {
        this.fallBack(cause);
      }
    });
    return this.queue;
  }

  private usable(): UseStore | null {
    if (this.fallback) return null;
    if (this.store) return this.store;
    if (this.options.store) return (this.store = this.options.store);
    try {
      if (typeof indexedDB === 'undefined' || indexedDB === null) {
        this.fallBack(new Error('IndexedDB is not available in this browser.'));
        return null;
      }
      this.store = createStore(this.dbName, 'kv');
      return this.store;
    } catch (cause) {
      this.fallBack(cause);
      return null;
    }
  }

  private timed<T>(work: Promise<T>): Promise<T> {
    const ms = this.options.timeoutMs ?? 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`IndexedDB did not answer within ${ms} ms.`)), ms);
    });
    // a hung request may settle much later; nobody waits for it then
    work.catch(() => {});
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private fallBack(cause: unknown): void {
    if (this.fallback) return;
    this.fallback = new Agent37Error({
      code: 'storage_unavailable',
      message: 'This browser did not let the chat keep the conversation, so it will not survive a reload.',
      cause,
    });
    this.options.onFallback?.(this.fallback);
  }
}

function parseResponse(value: unknown): StoredResponse | null {
  if (typeof value === 'string') return { id: value };
  if (value && typeof value === 'object' && typeof (value as StoredResponse).id === 'string') {
    const v = value as StoredResponse;
    return { id: v.id, input: typeof v.input === 'string' ? v.input : null };
  }
  return null;
}
