/**
 * Server-Sent Events from a fetch body. EventSource cannot POST or send an Authorization header, so
 * the body is read by hand: bytes → a streaming TextDecoder (a chunk may end inside a UTF-8
 * character) → eventsource-parser → typed events.
 */
import { createParser } from 'eventsource-parser';
import { STREAM_EVENT_NAMES, type StreamEvent } from '../contract/gateway.js';

const KNOWN_EVENTS: ReadonlySet<string> = new Set<string>(STREAM_EVENT_NAMES);

/** The `data:` text each yielded event was parsed from (kept off the event object itself). */
const rawData = new WeakMap<StreamEvent, string>();

/**
 * The exact `data:` text `event` was parsed from, when readEvents yielded it: a cheap identity for
 * comparing a replayed event with one seen before (no re-serializing per event).
 */
export function rawDataOf(event: StreamEvent): string | undefined {
  return rawData.get(event);
}

export interface ReadEventsOptions {
  /** called for every chunk that arrives, keepalive comments included; the stall watchdog feeds on it */
  onActivity?: () => void;
  signal?: AbortSignal;
}

/**
 * Yields the known events of one SSE body in order. Unknown event names and frames whose data is not
 * a JSON object are skipped. Ends when the body ends; an incomplete last frame (a cut connection) is
 * dropped, never half-parsed. Throws what the body read throws (a network error, an abort), but only
 * after yielding every complete frame that arrived before it.
 */
export async function* readEvents(body: ReadableStream<Uint8Array>, o: ReadEventsOptions = {}): AsyncGenerator<StreamEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  const pending: StreamEvent[] = [];
  const parser = createParser({
    onEvent(message) {
      if (!message.event || !KNOWN_EVENTS.has(message.event)) return;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
      const event = { event: message.event, data } as StreamEvent;
      rawData.set(event, message.data);
      pending.push(event);
    },
  });

  // Read as fast as bytes arrive, apart from how fast the consumer goes: when a connection breaks,
  // the browser errors the body stream and throws away every chunk still queued in it, so a reader
  // that lingers over each event loses the last bytes that did arrive.
  const chunks: Uint8Array[] = [];
  let ended = false;
  let failure: { error: unknown } | null = null;
  let wake: () => void = () => {};
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        o.onActivity?.();
        wake();
      }
    } catch (error) {
      failure = { error };
    } finally {
      ended = true;
      wake();
    }
  })();

  const onAbort = () => {
    reader.cancel(o.signal?.reason).catch(() => {});
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const throwIfAborted = () => {
    if (o.signal?.aborted) throw o.signal.reason ?? new DOMException('Aborted', 'AbortError');
  };
  try {
    throwIfAborted();
    for (;;) {
      const chunk = chunks.shift();
      if (chunk) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        while (pending.length > 0) {
          yield pending.shift()!;
          throwIfAborted();
        }
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = () => {};
      throwIfAborted();
    }
    throwIfAborted();
    if (failure) throw (failure as { error: unknown }).error;
    // bytes of a character cut at the very end come out as U+FFFD in a frame that never got its
    // blank line, so the parser never dispatches it
    parser.feed(decoder.decode());
    while (pending.length > 0) yield pending.shift()!;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    // a consumer that stops early (return/throw) releases the connection
    reader.cancel().catch(() => {});
    await pump;
  }
}
