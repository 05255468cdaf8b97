/**
 * The ownership map in Redis, so several relay replicas (or a relay that restarts on every deploy)
 * agree on who owns which session and response. The semantics of MemoryOwnershipStore, but for its
 * `maxSessions` across all users (here Redis's own memory limit is that bound).
 */
import type { RedisClientType } from 'redis';
import { DEFAULT_MAX_SESSIONS_PER_USER, type ClaimOptions, type OwnedKind, type OwnedSession, type OwnershipStore } from './ownership-store.js';

/** Any node-redis client (v5 or later), whatever modules, scripts, RESP version or type mapping it was made with. */
export type RedisClient = RedisClientType<any, any, any, any, any>;

interface CommonOptions {
  /** Put before every key the store writes; `agent37-chat:` by default. */
  keyPrefix?: string;
  /** Responses are forgotten this long after they were claimed (the gateway keeps them ~30 min); 2 h by default. */
  responseTtlMs?: number;
  /** A session is forgotten after this long without being claimed or looked up; 30 days by default. */
  sessionIdleTtlMs?: number;
}

export type RedisOwnershipStoreOptions = CommonOptions &
  (
    | {
        /** `redis://[user:password@]host:port[/db]` or `rediss://`: the store makes its own client on first use, and `close()` closes it. */
        url: string;
        client?: never;
      }
    | {
        /** A client you made and connected (`await client.connect()`); the store never closes it. */
        client: RedisClient;
        url?: never;
      }
  );

/**
 * Keys, under the prefix: `session:<id>` and `response:<id>` hold the owner's user id, each with its
 * TTL (a session's is reset on every use); `user-sessions:<user>` is a sorted set of that user's
 * sessions scored by last claim (ms; a lookup refreshes TTLs but not the order), with the idle TTL as
 * well; a member whose session key is gone is dropped when the list is read. Every key expires, so a Redis with
 * `maxmemory` and a `volatile-lru` or `allkeys-lru` policy stays bounded: an evicted key is a
 * forgotten session, which the user sees as after the idle TTL (404 for that old conversation).
 *
 * One Redis (or a primary with replicas behind Sentinel), not Redis Cluster: a claim touches a
 * session's key and its owner's index in one transaction.
 *
 * When Redis cannot be reached, claims and lookups reject at once (nothing is queued to run later):
 * the relay answers that request with 500 and grants nothing it could not check. With `{ url }`
 * the first connection is tried on first use; should it fail, that call rejects and the next one
 * tries again. Once connected, a lost connection is re-made in the background (backing off to 2 s),
 * and calls reject until it is back. A `{ client }` store uses your client as it is configured.
 *
 * The replicas' clocks should agree (NTP): a session's place in its owner's index is the time of its
 * last use as the replica that used it saw it.
 */
export class RedisOwnershipStore implements OwnershipStore {
  private readonly _url: string | null;
  private readonly _prefix: string;
  private readonly _responseTtlMs: number;
  private readonly _sessionIdleTtlMs: number;
  /** The connection, made or being made (or the customer's client); null before first use and after a failed connect. */
  private _ready: Promise<RedisClient> | null;
  private _closed = false;
  /** The last score given to a use, so two uses in the same millisecond still keep their order. */
  private _lastUse = 0;

  constructor(options: RedisOwnershipStoreOptions) {
    const { url, client } = options;
    if ((typeof url === 'string') === (client !== undefined)) {
      throw new TypeError('agent37-chat/server/redis: pass either { url } or { client }');
    }
    this._url = typeof url === 'string' ? url : null;
    this._ready = client === undefined ? null : Promise.resolve(client);
    this._prefix = options.keyPrefix ?? 'agent37-chat:';
    this._responseTtlMs = wholeMs('responseTtlMs', options.responseTtlMs, 2 * 60 * 60 * 1000);
    this._sessionIdleTtlMs = wholeMs('sessionIdleTtlMs', options.sessionIdleTtlMs, 30 * 24 * 60 * 60 * 1000);
  }

  async claim(kind: OwnedKind, id: string, userId: string, options: ClaimOptions = {}): Promise<string> {
    return this._run(async (client) => {
      const ttlMs = kind === 'session' ? this._sessionIdleTtlMs : this._responseTtlMs;
      const owner = await claimKey(client, this._ownerKey(kind, id), userId, ttlMs);
      if (kind === 'session' && owner === userId) await this._useOwnSession(client, id, userId, capOf(options));
      return owner;
    });
  }

  async owners(kind: OwnedKind, ids: readonly string[]): Promise<(string | null)[]> {
    if (ids.length === 0) return [];
    return this._run(async (client) => {
      const owners = (await client.mGet(ids.map((id) => this._ownerKey(kind, id)))).map(textOrNull);
      if (kind === 'session' && owners.some((owner) => owner !== null)) {
        // a lookup is a use: the session's idle time starts again (its place in the index, by claims, stays)
        const refresh = client.multi();
        const owning = new Set<string>();
        ids.forEach((id, index) => {
          const owner = owners[index];
          if (owner === null || owner === undefined) return;
          owning.add(owner);
          refresh.pExpire(this._ownerKey('session', id), this._sessionIdleTtlMs);
        });
        for (const owner of owning) refresh.pExpire(this._indexKey(owner), this._sessionIdleTtlMs);
        await refresh.execAsPipeline();
      }
      return owners;
    });
  }

  async sessionsOf(userId: string): Promise<OwnedSession[]> {
    return this._run(async (client) => {
      const index = this._indexKey(userId);
      const members = await client.zRangeWithScores(index, 0, -1, { REV: true });
      const listed = (members as unknown as { value: unknown; score: unknown }[]).map((member) => ({
        id: text(member.value),
        usedAt: Math.floor(Number(member.score)),
      }));
      if (listed.length === 0) return [];
      // the index can outlive a session's key (expired, evicted by Redis, deleted): list only what the user still owns
      const owners = (await client.mGet(listed.map((session) => this._ownerKey('session', session.id)))).map(textOrNull);
      const gone = listed.filter((_, i) => owners[i] !== userId).map((session) => session.id);
      if (gone.length > 0) await client.zRem(index, gone);
      return listed.filter((_, i) => owners[i] === userId);
    });
  }

  async release(kind: OwnedKind, id: string, userId: string): Promise<void> {
    await this._run(async (client) => {
      const forget = client.multi().eval(FORGET_OWNED, { keys: [this._ownerKey(kind, id)], arguments: [userId] });
      if (kind === 'session') forget.zRem(this._indexKey(userId), id);
      await forget.exec();
    });
  }

  /** Closes the client the store made from `{ url }`; a client you passed stays open. Later calls reject. */
  async close(): Promise<void> {
    this._closed = true;
    const ready = this._ready;
    this._ready = null;
    if (this._url === null || ready === null) return;
    const client = await ready.catch(() => null);
    await client?.close().catch(() => client.destroy());
  }

  /** The session moves to the front of its owner's index; past the cap, the owner's least recently used are forgotten. */
  private async _useOwnSession(client: RedisClient, id: string, userId: string, cap: number): Promise<void> {
    const index = this._indexKey(userId);
    const usedAt = this._useScore();
    const use = client
      .multi()
      .pExpire(this._ownerKey('session', id), this._sessionIdleTtlMs)
      .zAdd(index, { score: usedAt, value: id })
      .pExpire(index, this._sessionIdleTtlMs);
    if (cap === Infinity) {
      await use.exec();
      return;
    }
    // read and removed in the same transaction, so two replicas trimming at once forget each session once
    const replies = await use.zRange(index, 0, -(cap + 1)).zRemRangeByRank(index, 0, -(cap + 1)).exec();
    const trimmed = (replies[3] as unknown as unknown[]).map(text);
    if (trimmed.length === 0) return;
    await client.eval(FORGET_OWNED, { keys: trimmed.map((trimmedId) => this._ownerKey('session', trimmedId)), arguments: [userId] });
  }

  /** Runs `work` on the connected client; every failure comes out as one error the relay can name in its log. */
  private async _run<T>(work: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this._closed) throw new RedisOwnershipStoreError('the store is closed');
    const client = await this._client();
    try {
      return await work(client);
    } catch (error) {
      throw new RedisOwnershipStoreError(`a Redis command failed (${reasonOf(error)})`, error);
    }
  }

  /** Single flight: every call waiting for the first connection shares it; a failed one is forgotten so the next call tries again. */
  private _client(): Promise<RedisClient> {
    this._ready ??= this._connect().catch((error: unknown) => {
      this._ready = null;
      throw error;
    });
    return this._ready;
  }

  private async _connect(): Promise<RedisClient> {
    let redis: typeof import('redis');
    try {
      redis = await import('redis');
    } catch (error) {
      throw new RedisOwnershipStoreError('RedisOwnershipStore({ url }) needs the redis package: npm install redis', error);
    }
    let connected = false;
    const client: RedisClient = redis.createClient({
      url: this._url!,
      // a call while the connection is down rejects at once rather than holding a user's request until Redis is back
      disableOfflineQueue: true,
      socket: {
        // the first connection is not retried (the call that needed it rejects); a lost one is re-made, backing off
        reconnectStrategy: (retries) => (connected ? Math.min(50 * 2 ** retries, 2000) + Math.floor(Math.random() * 100) : false),
      },
    });
    // every failure also rejects the call that met it; unheard, an 'error' event would end the process
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw new RedisOwnershipStoreError(`cannot reach Redis at ${whereIs(this._url!)} (${reasonOf(error)})`, error);
    }
    connected = true;
    if (this._closed) {
      // close() ran while this connection was being made
      await client.close().catch(() => client.destroy());
      throw new RedisOwnershipStoreError('the store is closed');
    }
    return client;
  }

  /** Now in ms, and after the last use this process scored, so uses in one millisecond keep their order. */
  private _useScore(): number {
    const now = Date.now();
    this._lastUse = now > this._lastUse ? now : this._lastUse + 2 ** -10;
    return this._lastUse;
  }

  private _ownerKey(kind: OwnedKind, id: string): string {
    return `${this._prefix}${kind}:${id}`;
  }

  private _indexKey(userId: string): string {
    return `${this._prefix}user-sessions:${userId}`;
  }
}

/** What the relay's log names (it logs an error's name, never its message). */
class RedisOwnershipStoreError extends Error {
  constructor(message: string, cause?: unknown) {
    super(`agent37-chat/server/redis: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'RedisOwnershipStoreError';
  }
}

/** Deletes each key that still holds ARGV[1]: one user letting go never drops a claim someone else made since. */
const FORGET_OWNED = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 0`;

/**
 * Sets the key to `userId` unless it holds an owner already; answers the owner that stands. SET NX and
 * GET in one transaction: one round trip, and the GET reads what the SET left.
 */
async function claimKey(client: RedisClient, key: string, userId: string, ttlMs: number): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [, owner] = await client
      .multi()
      .set(key, userId, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } })
      .get(key)
      .exec();
    if (owner !== null && owner !== undefined) return text(owner);
    // the standing owner's key expired between SET and GET (Redis before 7 checks expiry per command): claim again
  }
  throw new Error(`the claim of ${key} did not hold`);
}

function capOf(options: ClaimOptions): number {
  const cap = options.maxSessionsPerUser ?? DEFAULT_MAX_SESSIONS_PER_USER;
  return cap === Infinity ? Infinity : Math.max(1, Math.floor(cap));
}

function wholeMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) throw new TypeError(`agent37-chat/server/redis: ${name} must be a number of ms, at least 1`);
  return Math.ceil(value);
}

/** A reply as text: a client with a type mapping may hand back Buffers. */
function text(reply: unknown): string {
  return String(reply);
}

function textOrNull(reply: unknown): string | null {
  return reply === null || reply === undefined ? null : String(reply);
}

function reasonOf(error: unknown): string {
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = failure?.code ?? failure?.cause?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

/** The URL without its credentials, for an error message. */
function whereIs(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(an unreadable URL)';
  }
}
