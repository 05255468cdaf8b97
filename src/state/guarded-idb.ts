/**
 * IndexedDB as the chat's stores use it (the ids in persistence.ts, the transcript in
 * transcript-store.ts): it may be missing (some private modes), throw, or hang (a blocked upgrade, a
 * busy disk). This opens the idb-keyval store once, falls back for good (reporting once) when it
 * cannot be used, and lets callers wait for work at most a timeout without abandoning it.
 */
import { createStore, type UseStore } from 'idb-keyval';
import { Agent37Error } from '../contract/errors.js';

export interface GuardedIdbOptions {
  /** how long a caller waits for IndexedDB; default 1000 ms */
  timeoutMs?: number;
  /** the idb-keyval store to use instead of the real one (tests inject a failing or hanging one) */
  store?: UseStore;
  /** called once, when storage falls back to memory */
  onFallback?: (error: Agent37Error) => void;
}

export class GuardedIdb {
  /** set once storage fell back to memory (why); null while IndexedDB works */
  fallback: Agent37Error | null = null;

  private readonly dbName: string;
  private readonly options: GuardedIdbOptions;
  /** what the visitor is told a fallback costs */
  private readonly fallbackMessage: string;
  private store: UseStore | null = null;

  constructor(dbName: string, options: GuardedIdbOptions, fallbackMessage: string) {
    this.dbName = dbName;
    this.options = options;
    this.fallbackMessage = fallbackMessage;
  }

  /** The store, or null once storage fell back. */
  usable(): UseStore | null {
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

  /** Whether `work` settled within the timeout; it is never abandoned (a blocked upgrade ends). */
  within(work: Promise<unknown>): Promise<boolean> {
    const ms = this.options.timeoutMs ?? 1000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const settled = work.then(
      () => true,
      () => true,
    );
    return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
  }

  /** From now on in memory; the page hears of it once. */
  fallBack(cause: unknown): void {
    if (this.fallback) return;
    this.fallback = new Agent37Error({ code: 'storage_unavailable', message: this.fallbackMessage, cause });
    this.options.onFallback?.(this.fallback);
  }
}
