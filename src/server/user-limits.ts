/**
 * Per-user limits, kept in this process: how many of a user's requests the relay serves at once (a
 * stream counts until it ends), and how many new conversations a user may start per minute. With
 * several replicas each holds its own count, so a user gets at most that many per replica; the
 * limits are there to keep one visitor (or one script with a stolen token) from holding the relay's
 * memory and the instance's turns, not to meter usage.
 */
export interface UserLimitsOptions {
  /** A user's requests in flight at once (a stream counts until it ends); 8 by default. */
  maxConcurrentRequestsPerUser?: number;
  /** New conversations (turns without a session_id) a user may start in any 60 s; 30 by default. */
  newSessionsPerMinute?: number;
}

const MINUTE_MS = 60_000;

export class UserLimits {
  private readonly maxConcurrent: number;
  private readonly perMinute: number;
  private readonly inFlight = new Map<string, number>();
  /** Each user's new-conversation times in the last minute, oldest first. */
  private readonly started = new Map<string, number[]>();
  private startsSinceSweep = 0;

  constructor(options: UserLimitsOptions = {}) {
    this.maxConcurrent = Math.max(1, options.maxConcurrentRequestsPerUser ?? 8);
    this.perMinute = Math.max(1, options.newSessionsPerMinute ?? 30);
  }

  /** Takes one of the user's request slots: the function that gives it back (call it once), or null when all are taken. */
  enter(userId: string): (() => void) | null {
    const count = this.inFlight.get(userId) ?? 0;
    if (count >= this.maxConcurrent) return null;
    this.inFlight.set(userId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(userId) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(userId);
      else this.inFlight.set(userId, left);
    };
  }

  /** Counts a new conversation: null when it may start, else the seconds until it may (for Retry-After). */
  startSession(userId: string, now = Date.now()): number | null {
    if (++this.startsSinceSweep >= 1_000) this.sweep(now);
    const times = (this.started.get(userId) ?? []).filter((at) => at > now - MINUTE_MS);
    if (times.length >= this.perMinute) {
      this.started.set(userId, times);
      return Math.max(1, Math.ceil((times[0]! + MINUTE_MS - now) / 1000));
    }
    times.push(now);
    this.started.set(userId, times);
    return null;
  }

  /** Forgets users with no start in the last minute, so the map holds only the recently active. */
  private sweep(now: number): void {
    this.startsSinceSweep = 0;
    for (const [userId, times] of this.started) {
      if (times.at(-1)! <= now - MINUTE_MS) this.started.delete(userId);
    }
  }
}
