/**
 * Which user owns which session and response. The gateway knows nothing of end users (one key sees
 * every conversation on the instance), so the relay keeps this map and answers 404 for anyone else's.
 * Async throughout so a shared store (Redis, a database) can back several relay replicas.
 */
export type OwnedKind = 'session' | 'response';

export interface OwnershipStore {
  /** Records `userId` as the owner of `id` unless an owner is already recorded; resolves to the owner that stands. */
  claim(kind: OwnedKind, id: string, userId: string): Promise<string>;
  /** The recorded owner of each id, null where none is known; one call so a shared store can batch it. */
  owners(kind: OwnedKind, ids: readonly string[]): Promise<(string | null)[]>;
}

export interface MemoryOwnershipStoreOptions {
  /** Responses are forgotten this long after they were claimed (the gateway keeps them ~30 min); 2 h by default. */
  responseTtlMs?: number;
}

/** One process, lost on restart: after a restart users start new conversations. */
export class MemoryOwnershipStore implements OwnershipStore {
  private readonly _sessions = new Map<string, string>();
  private readonly _responses = new Map<string, { owner: string; claimedAt: number }>();
  private readonly _responseTtlMs: number;

  constructor(options: MemoryOwnershipStoreOptions = {}) {
    this._responseTtlMs = options.responseTtlMs ?? 2 * 60 * 60 * 1000;
  }

  async claim(kind: OwnedKind, id: string, userId: string): Promise<string> {
    if (kind === 'session') {
      const owner = this._sessions.get(id);
      if (owner !== undefined) return owner;
      this._sessions.set(id, userId);
      return userId;
    }
    this._forgetOldResponses();
    const existing = this._responses.get(id);
    if (existing) return existing.owner;
    this._responses.set(id, { owner: userId, claimedAt: Date.now() });
    return userId;
  }

  async owners(kind: OwnedKind, ids: readonly string[]): Promise<(string | null)[]> {
    if (kind === 'session') return ids.map((id) => this._sessions.get(id) ?? null);
    this._forgetOldResponses();
    return ids.map((id) => this._responses.get(id)?.owner ?? null);
  }

  /** Map order is claim order, so the expired entries are the ones at the front. */
  private _forgetOldResponses(): void {
    const cutoff = Date.now() - this._responseTtlMs;
    for (const [id, entry] of this._responses) {
      if (entry.claimedAt > cutoff) break;
      this._responses.delete(id);
    }
  }
}
