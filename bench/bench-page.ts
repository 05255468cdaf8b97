// The page `npm run bench` drives: streams a sample answer in 4-character deltas, one delta per task
// (as fast as the page takes them), and times it. `window.runBench(size, via)` returns the timings.
import '../src/index.js';
import type { Agent37Markdown } from '../src/markdown/agent37-markdown.js';
import { sampleAnswer } from './sample-answer.js';

/** The element the answer streams through. */
export type Via = 'chat' | 'markdown';

export interface BenchResult {
  via: Via;
  size: number;
  deltas: number;
  frames: number;
  /** from handing over the first delta to the frame that shows the final answer */
  totalMs: number;
  /** each delta: from handing it over to handing over the next one (any frame in between included) */
  first: { medianMs: number; p95Ms: number };
  last: { medianMs: number; p95Ms: number };
  renderedChars: number;
}

interface StreamTarget {
  push(delta: string): void;
  finish(): Promise<void>;
  renderedText(): string;
}

/** Straight into <agent37-markdown>, as <agent37-message> feeds it. */
async function markdownTarget(host: HTMLElement): Promise<StreamTarget> {
  const element = document.createElement('agent37-markdown');
  element.streaming = true;
  host.replaceChildren(element);
  let text = '';
  return {
    push(delta) {
      text += delta;
      element.text = text;
    },
    async finish() {
      element.streaming = false;
      await element.updateComplete;
    },
    renderedText: () => element.shadowRoot!.textContent ?? '',
  };
}

/**
 * Through <agent37-chat> as a visitor sees it: the chat's own `fetch` answers POST /v1/responses with
 * an SSE stream the bench writes each delta into (token, parser, turn runner, state, message, markdown).
 */
async function chatTarget(host: HTMLElement, answer: string): Promise<StreamTarget> {
  const chat = document.createElement('agent37-chat');
  const encoder = new TextEncoder();
  const frame = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const ids = { id: crypto.randomUUID().replace(/-/g, ''), session_id: crypto.randomUUID().replace(/-/g, '') };
  let stream!: ReadableStreamDefaultController<Uint8Array>;
  chat.persistKey = `bench-${ids.id}`;
  chat.getToken = async () => ({ token: 'bench', expires_at: Date.now() + 3_600_000, api_base: '/bench-api' });
  chat.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (init?.method === 'POST' && url.pathname.endsWith('/v1/responses')) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          stream = controller;
          controller.enqueue(frame('response.created', ids));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }
    return Response.json({ error: { code: 'not_found', message: `${url.pathname} is not part of the bench` } }, { status: 404 });
  };
  host.replaceChildren(chat);
  await chat.updateComplete;
  if (!(await chat.send('Write the long answer.'))) throw new Error('the chat did not send');
  const markdown = (): Agent37Markdown | null => {
    const messages = chat.shadowRoot!.querySelectorAll('agent37-message');
    return messages[messages.length - 1]?.shadowRoot?.querySelector('agent37-markdown') ?? null;
  };
  return {
    push: (delta) => stream.enqueue(frame('response.output_text.delta', { text: delta })),
    async finish() {
      const completed = new Promise((resolve) => chat.addEventListener('agent37-response-completed', resolve, { once: true }));
      stream.enqueue(frame('response.completed', { output_text: answer, usage: null }));
      stream.close();
      await completed;
      await chat.updateComplete;
      const message = chat.shadowRoot!.querySelector('agent37-message:last-of-type') as HTMLElement & { updateComplete?: Promise<unknown> };
      await message?.updateComplete;
      await markdown()?.updateComplete;
    },
    renderedText: () => markdown()?.shadowRoot!.textContent ?? '',
  };
}

// A task without setTimeout's 4 ms clamp, so the browser may render between two deltas.
const channel = new MessageChannel();
const queued: Array<() => void> = [];
channel.port1.onmessage = () => queued.shift()!();
const nextTask = () =>
  new Promise<void>((resolve) => {
    queued.push(resolve);
    channel.port2.postMessage(null);
  });
const paintedFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

function summary(times: Float64Array): { medianMs: number; p95Ms: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { medianMs: at(0.5), p95Ms: at(0.95) };
}

async function runBench(size: number, via: Via): Promise<BenchResult> {
  const answer = sampleAnswer(size);
  const deltas: string[] = [];
  for (let i = 0; i < answer.length; i += 4) deltas.push(answer.slice(i, i + 4));
  const host = document.querySelector<HTMLElement>('#host')!;
  const target = via === 'chat' ? await chatTarget(host, answer) : await markdownTarget(host);
  await paintedFrame();

  let frames = 0;
  let counting = true;
  const countFrame = () => {
    frames += 1;
    if (counting) requestAnimationFrame(countFrame);
  };
  requestAnimationFrame(countFrame);

  const handedOver = new Float64Array(deltas.length + 1);
  const start = performance.now();
  for (let i = 0; i < deltas.length; i++) {
    handedOver[i] = performance.now();
    target.push(deltas[i]!);
    await nextTask();
  }
  handedOver[deltas.length] = performance.now();
  await target.finish();
  await paintedFrame();
  const totalMs = performance.now() - start;
  counting = false;

  const perDelta = new Float64Array(deltas.length);
  for (let i = 0; i < deltas.length; i++) perDelta[i] = handedOver[i + 1]! - handedOver[i]!;
  const span = Math.min(1000, deltas.length);
  return {
    via,
    size,
    deltas: deltas.length,
    frames,
    totalMs,
    first: summary(perDelta.subarray(0, span)),
    last: summary(perDelta.subarray(deltas.length - span)),
    renderedChars: target.renderedText().length,
  };
}

declare global {
  interface Window {
    runBench: typeof runBench;
  }
}
window.runBench = runBench;
