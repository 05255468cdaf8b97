/**
 * Sessions and where they live. The newer revision scopes sessions to an agent (the same id may name
 * one session per agent) and keeps titles unique per agent; the first revision has one flat space.
 */
import { randomBytes } from 'node:crypto';
import type { ContextUsage, HistoryMessage, SessionDetail, SessionSummary } from '../contract/gateway.js';
import type { Revision } from './revision.js';
import type { Turn } from './turns.js';

/** 32 lowercase hex, like the gateway's session and response ids. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

/** The model's context window the simulated agent reports, and what its system prompt takes of it. */
export const CONTEXT_WINDOW_TOKENS = 200_000;
const SYSTEM_PROMPT_TOKENS = 6_000;
/** What a compaction leaves of the earlier conversation: its summary. */
const COMPACTED_SUMMARY_CHARS = 2_400;

export const MAX_TITLE_CHARS = 100;

/** A history row before it is written: the session gives it its id. */
export type HistoryDraft = Omit<HistoryMessage, 'id' | 'session_id'>;

export class Session {
  readonly id: string;
  readonly created: number;
  readonly revision: Revision;
  agent: string;
  model: string | null = null;
  provider: string | null = null;
  title: string | null = null;
  lastResponseAt: number | null = null;
  readonly history: HistoryMessage[] = [];
  activeTurn: Turn | null = null;
  /** Hermes names rows by the session that holds them: this one until a compaction starts a child */
  private rowSessionId: string;
  private lastRowId = 0;
  /** the conversation's text the model sees, in characters (drives `context.used_tokens`) */
  private contextChars = 0;

  constructor(id: string, agent: string, now: number, revision: Revision) {
    this.id = id;
    this.agent = agent;
    this.created = now;
    this.revision = revision;
    this.rowSessionId = id;
  }

  /** Writes one history row, minting its id the way the revision does. */
  append(draft: HistoryDraft): HistoryMessage {
    const id = this.revision === 'first' ? newId() : `${this.agent}:${this.rowSessionId}:${++this.lastRowId}`;
    const row: HistoryMessage = { id, session_id: this.id, ...draft };
    this.history.push(row);
    return row;
  }

  /** Context compaction: later rows belong to a child session, and the context shrinks to a summary. */
  compact(): void {
    this.rowSessionId = newId();
    this.contextChars = Math.min(this.contextChars, COMPACTED_SUMMARY_CHARS);
  }

  /** The context after a turn that added `turnChars` characters (not yet counted). */
  contextWith(turnChars: number): ContextUsage {
    const used = SYSTEM_PROMPT_TOKENS + Math.ceil((this.contextChars + turnChars) / 4);
    return { used_tokens: Math.min(used, CONTEXT_WINDOW_TOKENS), window_tokens: CONTEXT_WINDOW_TOKENS };
  }

  countContext(turnChars: number): void {
    this.contextChars += turnChars;
  }

  summary(): SessionSummary {
    if (this.revision === 'first') {
      return { id: this.id, agent: this.agent, model: this.model, provider: this.provider, created: this.created, last_response_at: this.lastResponseAt };
    }
    return { id: this.id, title: this.title, last_active: this.lastActive(), message_count: this.history.length, preview: this.preview() };
  }

  detail(): SessionDetail {
    const history = this.history.map((m) => ({ ...m }));
    if (this.revision === 'first') return { ...this.summary(), history };
    return {
      id: this.id,
      agent: this.agent,
      title: this.title,
      model: this.model,
      provider: this.provider,
      started_at: this.created,
      last_active: this.lastActive(),
      message_count: this.history.length,
      preview: this.preview(),
      history,
      active_response_id: this.activeTurn?.id ?? null,
    };
  }

  lastActive(): number {
    return Math.max(this.created, this.lastResponseAt ?? 0, this.activeTurn?.created ?? 0);
  }

  private preview(): string | null {
    const last = this.history.at(-1);
    return last ? Array.from(last.content).slice(0, 120).join('') : null;
  }
}

/** What Hermes titles a session after its first turn: the first message, on one line, shortened. */
function titleFrom(input: string): string {
  const points = Array.from(input.replace(/\s+/g, ' ').trim());
  return points.length > 60 ? `${points.slice(0, 59).join('')}…` : points.join('');
}

export class SessionRegistry {
  private readonly byAgent = new Map<string, Map<string, Session>>();
  private readonly revision: Revision;

  constructor(revision: Revision) {
    this.revision = revision;
  }

  get(id: string, agent: string): Session | undefined {
    return this.bucket(agent)?.get(id);
  }

  create(agent: string, id: string, now: number): Session {
    const session = new Session(id, agent, now, this.revision);
    const key = this.keyOf(agent);
    let bucket = this.byAgent.get(key);
    if (!bucket) this.byAgent.set(key, (bucket = new Map()));
    bucket.set(id, session);
    return session;
  }

  delete(id: string, agent: string): boolean {
    return this.bucket(agent)?.delete(id) ?? false;
  }

  /** Newest activity first; `agent` is ignored by the first revision, which lists everything. */
  list(agent: string): Session[] {
    return [...(this.bucket(agent)?.values() ?? [])].sort((a, b) => b.lastActive() - a.lastActive() || b.created - a.created);
  }

  /** The session of `agent` that holds `title`, other than `except`. */
  titleHolder(agent: string, title: string, except: Session): Session | undefined {
    for (const session of this.bucket(agent)?.values() ?? []) if (session !== except && session.title === title) return session;
    return undefined;
  }

  /** Titles a still untitled session from its first input, kept unique the way Hermes numbers a repeat ("… #2"). */
  autoTitle(session: Session, input: string): void {
    if (session.title !== null || this.get(session.id, session.agent) !== session) return;
    const base = titleFrom(input);
    let title = base;
    for (let n = 2; this.titleHolder(session.agent, title, session); n++) title = `${base} #${n}`;
    session.title = title;
  }

  private keyOf(agent: string): string {
    return this.revision === 'first' ? '' : agent;
  }

  private bucket(agent: string): Map<string, Session> | undefined {
    return this.byAgent.get(this.keyOf(agent));
  }
}
