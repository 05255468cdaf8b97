/**
 * The instance's session list, shared. `GET /v1/sessions` upstream lists every session on the
 * instance, all users' together, so reading it for each user's list would make every list cost as
 * much as the whole instance. The relay answers a user's list from its own index of that user's
 * sessions and takes only titles and previews from here: one upstream list, fetched at most once
 * every `maxAgeMs` (per agent queried), by one request however many users ask at once.
 */
export interface ListedSession {
  id: string;
  [field: string]: unknown;
}

export interface SessionList {
  /** When the fetch that made this list was sent (epoch ms): sessions used since may be missing from it. */
  fetchedAt: number;
  /** The list's top-level `agent` (Hermes echoes `?agent=`), if any. */
  agent: string | undefined;
  /** Each session and its place in the instance's order (newest first). */
  byId: Map<string, { session: ListedSession; rank: number }>;
}

/** The list, or the relay's answer to give instead (a fresh Response for each caller). */
export type SessionListFetch = { ok: true; list: SessionList } | { ok: false; answer: () => Response };

const MAX_LISTS = 16;
/** How long past a list's max age a rename is remembered (a fetch under way when it landed may not have it). */
const RENAME_MEMORY_MS = 30_000;

export class SessionListCache {
  private readonly lists = new Map<string, SessionList>();
  private readonly inFlight = new Map<string, Promise<SessionListFetch>>();
  /** Titles given through this relay lately, for sessions too new to be in a list yet (and for a list fetched before the rename landed). */
  private readonly titles = new Map<string, { title: string; at: number }>();

  constructor(private readonly maxAgeMs: number) {}

  /**
   * The list for `key` (what makes lists differ: the query, forwarded headers), fetched with
   * `fetchList` when the one held is too old and no fetch for it is under way.
   */
  async get(key: string, fetchList: () => Promise<SessionListFetch>, now = Date.now()): Promise<SessionListFetch> {
    const cached = this.lists.get(key);
    if (cached && now - cached.fetchedAt < this.maxAgeMs) return { ok: true, list: cached };
    let flight = this.inFlight.get(key);
    if (!flight) {
      // a failure is shared by whoever waited on it, and not kept: the next call tries again
      flight = fetchList().then((fetched) => {
        if (fetched.ok) {
          // a rename that landed while this list was being read is newer than what it says
          for (const [id, { title, at }] of this.titles) {
            const entry = fetched.list.byId.get(id);
            if (entry && at >= fetched.list.fetchedAt) entry.session = { ...entry.session, title };
          }
          this.lists.delete(key);
          this.lists.set(key, fetched.list);
          // keys come from what browsers send (?agent=): keep only the most recent few lists
          if (this.lists.size > MAX_LISTS) this.lists.delete(this.lists.keys().next().value!);
        }
        return fetched;
      });
      flight.finally(() => this.inFlight.delete(key)).catch(() => {});
      this.inFlight.set(key, flight);
    }
    return flight;
  }

  /** A rename through this relay shows at once, not only after the next fetch. */
  renamed(id: string, title: string, now = Date.now()): void {
    for (const list of this.lists.values()) {
      const entry = list.byId.get(id);
      if (entry) entry.session = { ...entry.session, title };
    }
    // kept until any list fetched after it has it
    for (const [renamedId, { at }] of this.titles) {
      if (at > now - this.maxAgeMs - RENAME_MEMORY_MS) break;
      this.titles.delete(renamedId);
    }
    this.titles.delete(id);
    this.titles.set(id, { title, at: now });
  }

  /**
   * A session of the user's that `list` does not hold but that was used since it was fetched: new (or
   * renamed) since. It is listed by what the relay knows of it: its id, when it was used, a title
   * given through this relay; the rest comes with the next fetch.
   */
  recent(id: string, usedAt: number): ListedSession {
    const title = this.titles.get(id)?.title;
    return { id, last_active: usedAt, ...(title === undefined ? {} : { title }) };
  }

  /** A deletion through this relay shows at once. */
  deleted(id: string): void {
    for (const list of this.lists.values()) list.byId.delete(id);
  }
}

/** The list from the instance's answer, or null when it is not one (`{data: [...]}`). */
export function readSessionList(json: unknown, fetchedAt: number): SessionList | null {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { data?: unknown }).data)) return null;
  const { data, agent } = json as { data: unknown[]; agent?: unknown };
  const byId = new Map<string, { session: ListedSession; rank: number }>();
  data.forEach((session, rank) => {
    if (typeof session !== 'object' || session === null || Array.isArray(session)) return;
    const id = (session as { id?: unknown }).id;
    if (typeof id === 'string' && id !== '' && !byId.has(id)) byId.set(id, { session: session as ListedSession, rank });
  });
  return { fetchedAt, agent: typeof agent === 'string' ? agent : undefined, byId };
}
