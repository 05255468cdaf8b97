/**
 * Which user owns which session and response. The gateway knows nothing of end users (one key sees
 * every conversation on the instance), so the relay keeps this map and answers 404 for anyone else's.
 * Async throughout so a shared store (Redis, a database) can back several relay replicas.
 */
export type OwnedKind = 'session' | 'response';

export interface ClaimOptions {
  /**
   * A session claim puts the session first in its owner's index; past this many, that owner's least
   * recently used sessions are forgotten (never another user's). The relay passes its own
   * `maxSessionsPerUser` (1,000 by default).
   */
  maxSessionsPerUser?: number;
}

/** One of a user's sessions, and when it was last claimed (epoch ms): a turn's start, as a rule. */
export interface OwnedSession {
  id: string;
  usedAt: number;
}

export interface OwnershipStore {
  /**
   * Records `userId` as the owner of `id` unless an owner is already recorded; resolves to the owner
   * that stands. The relay claims a session for each turn in it, so a claim by its owner moves the
   * session to the front of the owner's index, and past the cap the owner's least recently claimed go.
   */
  claim(kind: OwnedKind, id: string, userId: string, options?: ClaimOptions): Promise<string>;
  /**
   * The recorded owner of each id, null where none is known; one call so a shared store can batch it.
   * A session looked up counts as used (its idle time starts again), but keeps its place in the index:
   * reading a conversation is not taking it up again.
   */
  owners(kind: OwnedKind, ids: readonly string[]): Promise<(string | null)[]>;
  /** The user's sessions, most recently claimed first; what GET /v1/sessions lists. */
  sessionsOf(userId: string): Promise<OwnedSession[]>;
  /** Forgets `id` if `userId` owns it (a deleted session, a claim the instance never used). */
  release(kind: OwnedKind, id: string, userId: string): Promise<void>;
  /** Lets go of what the store holds open (a connection); the relay never calls it. */
  close?(): Promise<void>;
}

export interface MemoryOwnershipStoreOptions {
  /** Responses are forgotten this long after they were claimed (the gateway keeps them ~30 min); 2 h by default. */
  responseTtlMs?: number;
  /** A session is forgotten after this long without being claimed or looked up; 30 days by default. */
  sessionIdleTtlMs?: number;
  /**
   * At most this many sessions are kept in all; past it the least recently used go first, whoever owns
   * them. A last resort: each user's own cap (`maxSessionsPerUser`) is what normally bounds the store.
   * 100,000 by default.
   */
  maxSessions?: number;
}

/** What a store keeps per user when the relay does not say (`createRelay({ maxSessionsPerUser })`). */
export const DEFAULT_MAX_SESSIONS_PER_USER = 1_000;

/**
 * One process, lost on restart: after a restart users start new conversations (their old sessions
 * answer 404 through the relay). Several replicas, or a relay that restarts on every deploy, want a
 * shared store: `RedisOwnershipStore` from `agent37-chat/server/redis`.
 *
 * Everything stays bounded. A response is forgotten `responseTtlMs` after it was claimed. A session is
 * forgotten once it has gone `sessionIdleTtlMs` without use (a claim or an ownership lookup refreshes
 * it); past `maxSessionsPerUser` its owner's least recently claimed go, and past `maxSessions` in all the
 * least recently used of anyone's: that user then gets a 404 for that old conversation, as after a restart.
 */
export class MemoryOwnershipStore implements OwnershipStore {
  /** Map order is last-use order (an entry is moved to the end on use), so the stalest are at the front. */
  private readonly _sessions = new Map<string, { owner: string; usedAt: number }>();
  /** Each user's sessions in the order they were last claimed, with when. */
  private readonly _byUser = new Map<string, Map<string, number>>();
  private readonly _responses = new Map<string, { owner: string; claimedAt: number }>();
  private readonly _responseTtlMs: number;
  private readonly _sessionIdleTtlMs: number;
  private readonly _maxSessions: number;

  constructor(options: MemoryOwnershipStoreOptions = {}) {
    this._responseTtlMs = options.responseTtlMs ?? 2 * 60 * 60 * 1000;
    this._sessionIdleTtlMs = options.sessionIdleTtlMs ?? 30 * 24 * 60 * 60 * 1000;
    this._maxSessions = Math.max(1, options.maxSessions ?? 100_000);
  }

  async claim(kind: OwnedKind, id: string, userId: string, options: ClaimOptions = {}): Promise<string> {
    if (kind === 'session') {
      this._forgetIdleSessions();
      const owner = this._sessions.get(id)?.owner ?? userId;
      if (owner !== userId) return owner;
      this._useSession(id, owner, true);
      const own = this._byUser.get(owner)!;
      const cap = Math.max(1, options.maxSessionsPerUser ?? DEFAULT_MAX_SESSIONS_PER_USER);
      while (own.size > cap) this._forgetSession(own.keys().next().value!);
      while (this._sessions.size > this._maxSessions) this._forgetSession(this._sessions.keys().next().value!);
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
        const owner = this._sessions.get(id)?.owner;
        if (owner === undefined) return null;
        this._useSession(id, owner, false);
        return owner;
      });
    }
    this._forgetOldResponses();
    return ids.map((id) => this._responses.get(id)?.owner ?? null);
  }

  async sessionsOf(userId: string): Promise<OwnedSession[]> {
    this._forgetIdleSessions();
    return [...(this._byUser.get(userId) ?? [])].reverse().map(([id, usedAt]) => ({ id, usedAt }));
  }

  async release(kind: OwnedKind, id: string, userId: string): Promise<void> {
    if (kind === 'session') {
      if (this._sessions.get(id)?.owner === userId) this._forgetSession(id);
    } else if (this._responses.get(id)?.owner === userId) {
      this._responses.delete(id);
    }
  }

  /** Moves the session to the end of the last-use order, and when `claimed` of its owner's index too. */
  private _useSession(id: string, owner: string, claimed: boolean): void {
    const usedAt = Date.now();
    this._sessions.delete(id);
    this._sessions.set(id, { owner, usedAt });
    if (!claimed) return;
    let own = this._byUser.get(owner);
    if (own === undefined) this._byUser.set(owner, (own = new Map()));
    own.delete(id);
    own.set(id, usedAt);
  }

  private _forgetSession(id: string): void {
    const entry = this._sessions.get(id);
    if (entry === undefined) return;
    this._sessions.delete(id);
    const own = this._byUser.get(entry.owner);
    own?.delete(id);
    if (own?.size === 0) this._byUser.delete(entry.owner);
  }

  private _forgetIdleSessions(): void {
    const cutoff = Date.now() - this._sessionIdleTtlMs;
    for (const [id, entry] of this._sessions) {
      if (entry.usedAt > cutoff) break;
      this._forgetSession(id);
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
