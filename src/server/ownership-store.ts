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
  /** A session is forgotten after this long without being claimed or looked up; 30 days by default. */
  sessionIdleTtlMs?: number;
  /** At most this many sessions are kept; past it the least recently used go first. 100,000 by default. */
  maxSessions?: number;
}

/**
 * One process, lost on restart: after a restart users start new conversations (their old sessions
 * answer 404 through the relay).
 *
 * Both maps stay bounded. A response is forgotten `responseTtlMs` after it was claimed. A session is
 * forgotten once it has gone `sessionIdleTtlMs` without use (a claim or an ownership lookup refreshes
 * it), and when more than `maxSessions` are held the least recently used are dropped: that user then
 * gets a 404 for that old conversation, as after a restart.
 */
export class MemoryOwnershipStore implements OwnershipStore {
  /** Map order is last-use order (an entry is moved to the end on use), so the stalest are at the front. */
  private readonly _sessions = new Map<string, { owner: string; usedAt: number }>();
  private readonly _responses = new Map<string, { owner: string; claimedAt: number }>();
  private readonly _responseTtlMs: number;
  private readonly _sessionIdleTtlMs: number;
  private readonly _maxSessions: number;

  constructor(options: MemoryOwnershipStoreOptions = {}) {
    this._responseTtlMs = options.responseTtlMs ?? 2 * 60 * 60 * 1000;
    this._sessionIdleTtlMs = options.sessionIdleTtlMs ?? 30 * 24 * 60 * 60 * 1000;
    this._maxSessions = Math.max(1, options.maxSessions ?? 100_000);
  }

  async claim(kind: OwnedKind, id: string, userId: string): Promise<string> {
    if (kind === 'session') {
      this._forgetIdleSessions();
      const owner = this._useSession(id) ?? userId;
      this._sessions.set(id, { owner, usedAt: Date.now() });
      while (this._sessions.size > this._maxSessions) this._sessions.delete(this._sessions.keys().next().value!);
      return owner;
    }
    this._forgetOldResponses();
    const existing = this._responses.get(id);
    if (existing) return existing.owner;
    this._responses.set(id, { owner: userId, claimedAt: Date.now() });
    return userId;
  }

  async owners(kind: OwnedKind, ids: readonly string[]): Promise<(string | null)[]> {
    if (kind === 'session') {
      this._forgetIdleSessions();
      return ids.map((id) => {
        const owner = this._useSession(id);
        if (owner !== undefined) this._sessions.set(id, { owner, usedAt: Date.now() });
        return owner ?? null;
      });
    }
    this._forgetOldResponses();
    return ids.map((id) => this._responses.get(id)?.owner ?? null);
  }

  /** Takes the session out of the map (the caller puts it back at the end, refreshed). */
  private _useSession(id: string): string | undefined {
    const entry = this._sessions.get(id);
    if (entry === undefined) return undefined;
    this._sessions.delete(id);
    return entry.owner;
  }

  private _forgetIdleSessions(): void {
    const cutoff = Date.now() - this._sessionIdleTtlMs;
    for (const [id, entry] of this._sessions) {
      if (entry.usedAt > cutoff) break;
      this._sessions.delete(id);
    }
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
