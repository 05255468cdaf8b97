/**
 * The relay mints the session id of a new conversation and claims it for the user before the POST
 * goes upstream. Otherwise the relay learns the id only from the `response.created` frame it pipes
 * through, and a stream cut inside that frame leaves a running turn the user's session list never shows.
 * Some instances refuse ids they did not mint (the first API revision; agents such as OpenCode): the
 * relay then sends the POST again without one, and remembers not to mint for that agent for a while.
 */

/** How long new conversations of an agent go without a minted id after the instance refused one. */
export const MINT_PAUSE_MS = 10 * 60 * 1000;
/** Agent names come from request bodies: remember at most this many, forgetting the oldest first. */
const MAX_REMEMBERED_AGENTS = 64;

/** 32 lowercase hex, like the gateway's own ids; Web Crypto so it runs wherever the relay runs (Workers too). */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether an answer to a POST carrying a minted id refuses that id, with no turn started: the first
 * revision's `404 session_not_found`, or a 400 about `session_id` from an agent that mints its own.
 * Reads a clone, so the caller can still pass the answer on.
 */
export async function refusesMintedId(upstream: Response): Promise<boolean> {
  if (upstream.status !== 404 && upstream.status !== 400) return false;
  let error: unknown;
  try {
    error = ((await upstream.clone().json()) as { error?: unknown } | null)?.error;
  } catch {
    return false;
  }
  if (typeof error !== 'object' || error === null) return false;
  const { code, param } = error as { code?: unknown; param?: unknown };
  return upstream.status === 404 ? code === 'session_not_found' : param === 'session_id';
}

/** Per relay: the agents whose instance refused a minted id lately, so they do not pay two POSTs per new conversation. */
export class MintRefusals {
  /** Map order is the order of the refusals, so the oldest are at the front. */
  private readonly _until = new Map<string, number>();
  private readonly _pauseMs: number;
  private readonly _now: () => number;

  constructor(pauseMs = MINT_PAUSE_MS, now: () => number = Date.now) {
    this._pauseMs = pauseMs;
    this._now = now;
  }

  /** Whether new conversations of `agent` go without a minted id for now. */
  refuses(agent: string): boolean {
    const until = this._until.get(agent);
    if (until === undefined) return false;
    if (until > this._now()) return true;
    this._until.delete(agent);
    return false;
  }

  remember(agent: string): void {
    this._until.delete(agent);
    this._until.set(agent, this._now() + this._pauseMs);
    while (this._until.size > MAX_REMEMBERED_AGENTS) this._until.delete(this._until.keys().next().value!);
  }
}
