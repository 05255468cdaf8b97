/**
 * How long the relay waits on the instance: to connect and send the first byte of its answer, and
 * for a JSON answer each next chunk (a non-streamed turn writes a space every 25 s until its body, so
 * it stays alive). An event stream is let run once it started: a turn can be quiet for longer than any
 * fair limit (keepalives come every 30 s), and the browser ends a dead one itself.
 */
export class UpstreamDeadline {
  /** Aborts the upstream fetch (and its body) when the client leaves or the deadline passes. */
  readonly signal: AbortSignal;
  timedOut = false;
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ms: number,
    client: AbortSignal | null,
  ) {
    this.signal = this.controller.signal;
    if (client?.aborted) this.controller.abort(client.reason);
    else client?.addEventListener('abort', () => this.controller.abort(client.reason), { once: true });
  }

  /** Starts the clock, and again whenever something arrived: the next part has `ms` again. */
  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException('The instance did not answer in time.', 'TimeoutError'));
    }, this.ms);
  }

  /** No more deadline (the answer is in, or it is a stream now running). */
  stop(): void {
    clearTimeout(this.timer);
  }
}
