/**
 * Watches a turn's SSE stream as it passes for `response.created` (always the first event) so the
 * relay can record who owns the new session and response. Every chunk is forwarded as soon as it is
 * read; the one that completes `response.created` waits only for the ownership record, so the browser
 * can never act on the ids (cancel, reattach) before the relay knows they are the caller's.
 */
import { createParser } from 'eventsource-parser';

export interface CreatedIds {
  id: string;
  session_id: string;
}

/** Stop looking after this much text without a `response.created`: not a turn stream we understand. */
const GIVE_UP_AFTER_CHARS = 64 * 1024;

export function watchCreatedEvent(onCreated: (ids: CreatedIds) => Promise<void>): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let watching = true;
  let seenChars = 0;
  let created: CreatedIds | null = null;
  const parser = createParser({
    onEvent(message) {
      if (!watching || message.event !== 'response.created') return;
      watching = false;
      try {
        const data = JSON.parse(message.data) as Partial<CreatedIds>;
        if (typeof data.id === 'string' && typeof data.session_id === 'string') {
          created = { id: data.id, session_id: data.session_id };
        }
      } catch {
        // a malformed first event leaves nothing to record; the bytes still pass through untouched
      }
    },
  });

  return new TransformStream({
    async transform(chunk, controller) {
      if (watching) {
        const text = decoder.decode(chunk, { stream: true });
        seenChars += text.length;
        parser.feed(text);
        if (watching && seenChars > GIVE_UP_AFTER_CHARS) watching = false;
        if (created) {
          const ids = created;
          created = null;
          await onCreated(ids);
        }
      }
      controller.enqueue(chunk);
    },
  });
}
