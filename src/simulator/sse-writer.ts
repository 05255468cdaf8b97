/**
 * Writes a turn's frames to one SSE connection: replay from the start, then live, with keepalive
 * comments and this connection's faults (drop after bytes or events, stall).
 */
import type { ServerResponse } from 'node:http';
import type { FaultPlan } from './faults.js';
import { sleep } from './sleep.js';
import type { Frame, Turn } from './turns.js';

export const KEEPALIVE_FRAME = ':keepalive\n\n';

export interface StreamOptions {
  keepaliveMs: number;
  faults: FaultPlan;
  /** aborted when the simulator closes */
  closing: AbortSignal;
}

/** The frames to send: a log to read from the start, and the turn to follow while it runs (if any). */
export interface FrameSource {
  frames: readonly Frame[];
  live: Turn | null;
}

type WriteResult = 'written' | 'gone';

class SseConnection {
  private readonly res: ServerResponse;
  private bytesLeft: number | undefined;
  stalled = false;
  gone = false;

  constructor(res: ServerResponse, dropAfterBytes: number | undefined) {
    this.res = res;
    this.bytesLeft = dropAfterBytes;
  }

  /** Writes `text`, or only what the byte budget allows and then drops the connection. */
  async write(text: string): Promise<WriteResult> {
    if (this.gone) return 'gone';
    const bytes = Buffer.from(text, 'utf8');
    if (this.bytesLeft !== undefined && bytes.length >= this.bytesLeft) {
      this.drop(bytes.subarray(0, this.bytesLeft));
      return 'gone';
    }
    if (this.bytesLeft !== undefined) this.bytesLeft -= bytes.length;
    if (this.res.write(bytes)) return 'written';
    return new Promise((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve(this.gone || this.res.destroyed ? 'gone' : 'written');
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Writes the last `bytes` (possibly cutting a frame or a character) and destroys the socket. */
  drop(bytes: Buffer = Buffer.alloc(0)): void {
    this.gone = true;
    const socket = this.res.socket;
    if (bytes.length === 0) {
      // Make sure the headers are out before the cut, so the client sees a 200 and then nothing.
      this.res.write('', () => socket?.destroy());
      return;
    }
    this.res.write(bytes, () => socket?.destroy());
  }
}

export function writeSseHead(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    // No `connection: close`: with it, undici takes a cut chunked body for a clean end, hiding drops.
  });
  res.flushHeaders();
}

/** Streams `source` to `res` until the terminal event, a fault, the client leaving or close(). */
export async function streamFrames(res: ServerResponse, source: FrameSource, options: StreamOptions): Promise<void> {
  const { faults } = options;
  // the client leaving or the simulator closing: one listener each, removed below (no AbortSignal.any per connection, nodejs/node#55351)
  const left = new AbortController();
  const onClose = (): void => left.abort();
  res.on('close', onClose);
  if (options.closing.aborted) left.abort();
  options.closing.addEventListener('abort', onClose, { once: true });
  const stop = left.signal;
  const connection = new SseConnection(res, faults.dropAfterBytes);

  writeSseHead(res);
  const keepalive = setInterval(() => {
    if (!connection.stalled) void connection.write(KEEPALIVE_FRAME);
  }, Math.max(1, options.keepaliveMs));

  try {
    if (faults.dropAfterBytes === 0) return connection.drop();
    let index = 0;
    let written = 0;
    let stallPending = faults.stallSeconds !== undefined;
    for (;;) {
      // an evicted record takes its subscribers with it: the stream ends without a terminal event
      if (stop.aborted || connection.gone || source.live?.evicted) return;
      if (stallPending && written === faults.stallAfterEvents) {
        stallPending = false;
        connection.stalled = true;
        await sleep(faults.stallSeconds! * 1000, stop);
        connection.stalled = false;
        if (stop.aborted) return;
      }
      if (faults.dropAfterEvents !== undefined && written >= faults.dropAfterEvents) return connection.drop();
      if (index < source.frames.length) {
        const frame = source.frames[index++]!;
        if ((await connection.write(frame.text)) === 'gone') return;
        written++;
        continue;
      }
      if (source.live?.running) {
        await source.live.nextEmit(stop);
        continue;
      }
      break;
    }
  } finally {
    clearInterval(keepalive);
    res.off('close', onClose);
    options.closing.removeEventListener('abort', onClose);
    if (!connection.gone && !res.writableEnded && !res.destroyed) res.end();
  }
}
