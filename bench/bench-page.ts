// The page `npm run bench` drives: streams a sample answer in 4-character deltas, one delta per task
// (as fast as the page takes them), and times it. `window.runBench(size)` returns the timings.
import '../src/markdown/define.js';
import { sampleAnswer } from './sample-answer.js';

export interface BenchResult {
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

/** What the answer streams through: <agent37-markdown> now; <agent37-chat> can take its place here. */
interface StreamTarget {
  push(delta: string): void;
  finish(): Promise<void>;
  renderedText(): string;
}

function markdownTarget(bubble: HTMLElement): StreamTarget {
  const element = document.createElement('agent37-markdown');
  element.streaming = true;
  bubble.replaceChildren(element);
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

async function runBench(size: number): Promise<BenchResult> {
  const answer = sampleAnswer(size);
  const deltas: string[] = [];
  for (let i = 0; i < answer.length; i += 4) deltas.push(answer.slice(i, i + 4));
  const target = markdownTarget(document.querySelector<HTMLElement>('#bubble')!);
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
