import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEvent } from '../../src/contract/gateway.js';
import { readEvents } from '../../src/client/sse.js';

function bodyOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>, onActivity?: () => void): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of readEvents(body, onActivity ? { onActivity } : {})) out.push(e);
  return out;
}

const frames =
  'event: response.created\ndata: {"id":"r","session_id":"s"}\n\n' +
  ':keepalive\n\n' +
  'event: response.future_thing\ndata: {"x":1}\n\n' +
  'event: response.output_text.delta\ndata: {not json\n\n' +
  'event: response.output_text.delta\ndata: {"text":"héllo 👋 世界"}\n\n' +
  'event: response.completed\ndata: {"output_text":"héllo 👋 世界","usage":null}\n\n';

test('every split point, inside multi-byte characters included, yields the same events', async () => {
  const bytes = new TextEncoder().encode(frames);
  const whole = await collect(bodyOf([bytes]));
  assert.deepEqual(
    whole.map((e) => e.event),
    ['response.created', 'response.output_text.delta', 'response.completed'],
    'unknown names and malformed JSON are skipped',
  );
  assert.deepEqual(whole[1]?.data, { text: 'héllo 👋 世界' });
  for (let i = 1; i < bytes.length; i++) {
    const split = await collect(bodyOf([bytes.slice(0, i), bytes.slice(i)]));
    assert.deepEqual(split, whole, `split at byte ${i}`);
  }
});

test('a cut body yields only the complete frames before the cut', async () => {
  const bytes = new TextEncoder().encode(frames);
  const cutInsideEmoji = frames.indexOf('👋') ;
  const offset = new TextEncoder().encode(frames.slice(0, cutInsideEmoji)).length + 2;
  const events = await collect(bodyOf([bytes.slice(0, offset)]));
  assert.deepEqual(
    events.map((e) => e.event),
    ['response.created'],
  );
});

test('onActivity fires for every chunk, comment-only chunks (keepalives) included', async () => {
  const enc = new TextEncoder();
  let activity = 0;
  const events = await collect(bodyOf([enc.encode(':keepalive\n\n'), enc.encode(':keepalive\n\n'), enc.encode('event: response.created\ndata: {"id":"r","session_id":"s"}\n\n')]), () => activity++);
  assert.equal(activity, 3);
  assert.equal(events.length, 1);
});

test('an abort ends the read with the abort reason', async () => {
  const controller = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('event: response.created\ndata: {"id":"r","session_id":"s"}\n\n'));
    },
  });
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const e of readEvents(body, { signal: controller.signal })) {
      seen.push(e.event);
      controller.abort(new Error('stalled'));
    }
  }, /stalled/);
  assert.deepEqual(seen, ['response.created']);
});
