// The page `npm run bench -- restore` loads (bench/restore.ts). Query: `store=SESSION&key=K` keeps
// SESSION as persist-key K's stored conversation (what a visitor's earlier visit left); `key=K` mounts
// <agent37-chat persist-key=K> and times the restore; with `scroll=1` it then flicks up and scrolls
// to the top, with `switchTo=SESSION` it then opens that conversation. `window.benchDone` resolves
// with the figures.
import '../src/index.js';
import type { Agent37Chat } from '../src/agent37-chat.js';
import type { Agent37Message } from '../src/components/agent37-message.js';
import { createPersistence } from '../src/state/persistence.js';
import { deepText } from '../test/support/deep-text.js';

const API_BASE = '/api/agent37';

export interface RestoreRun {
  /** from navigation start to the first frame painted with the last message's text */
  paintedMs: number;
  /** from navigation start to the history's response being read in full */
  historyMs: number;
  messages: number;
  /** message elements in the DOM once painted */
  rendered: number;
  /** openConversation(switchTo) → the frame painted with that conversation's last message */
  switchMs?: number;
}

export interface ScrollRun {
  /** scrolling up FLING_PX a frame for FLING_FRAMES frames from the bottom: the longest frame and the 95th percentile */
  fling: { longestFrameMs: number; p95FrameMs: number };
  /** from the first scroll to the top to the frame with the conversation's first message at the top */
  toTopMs: number;
  frames: number;
  longestFrameMs: number;
}

/** A quick flick up, held: about 7,000 px a second, for four seconds. */
const FLING_PX = 120;
const FLING_FRAMES = 240;

const frame = () => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())));


const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The end of a message's text as rendered: its last line without markdown's marks. */
function tailOf(text: string): string {
  const line = text.trimEnd().split('\n').at(-1) ?? '';
  return squash(line.replace(/[`*_>#|[\]()]/g, ' ')).slice(-12);
}

function messageElements(chat: Agent37Chat): Agent37Message[] {
  return [...chat.shadowRoot!.querySelectorAll('agent37-message')];
}

/** The DOM shows the conversation's last message, text included. */
function showsLast(chat: Agent37Chat): boolean {
  const last = chat.messages.at(-1);
  const element = messageElements(chat).at(-1);
  if (!last || element?.message !== last) return false;
  return squash(deepText(element)).includes(tailOf(last.text));
}

/** Polls once a frame until `done`, then waits one frame more: the time the frame that showed it was painted. */
async function paintedWhen(done: () => boolean, what: string): Promise<number> {
  const deadline = performance.now() + 30_000;
  while (!done()) {
    if ((await frame()) > deadline) throw new Error(`${what} was never shown`);
  }
  return frame();
}

function historyArrival(): number {
  const read = performance
    .getEntriesByType('resource')
    .find((entry) => /\/v1\/sessions\/[0-9a-f]+$/.test(new URL(entry.name).pathname)) as PerformanceResourceTiming | undefined;
  return read?.responseEnd ?? Number.NaN;
}

async function fling(log: HTMLElement): Promise<ScrollRun['fling']> {
  const gaps: number[] = [];
  let previous = await frame();
  for (let i = 0; i < FLING_FRAMES; i++) {
    log.scrollTop -= FLING_PX;
    const now = await frame();
    gaps.push(now - previous);
    previous = now;
  }
  gaps.sort((a, b) => a - b);
  return { longestFrameMs: gaps.at(-1)!, p95FrameMs: gaps[Math.floor(gaps.length * 0.95)]! };
}

async function scrollToTop(chat: Agent37Chat): Promise<ScrollRun> {
  const log = chat.shadowRoot!.querySelector<HTMLElement>('[role="log"]')!;
  const flung = await fling(log);
  const first = chat.messages[0];
  const start = performance.now();
  let previous = start;
  let frames = 0;
  let longest = 0;
  for (;;) {
    log.scrollTop = 0;
    const now = await frame();
    frames += 1;
    longest = Math.max(longest, now - previous);
    previous = now;
    if (messageElements(chat)[0]?.message === first && log.scrollTop === 0) break;
    if (frames > 5000) throw new Error('the first message never came into view');
  }
  return { fling: flung, toTopMs: (await frame()) - start, frames, longestFrameMs: longest };
}

async function run(query: URLSearchParams): Promise<unknown> {
  const key = query.get('key')!;
  const store = query.get('store');
  if (store) {
    // named as the chat names it: from the token's api_base, resolved against the token URL
    await createPersistence(new URL(API_BASE, location.href).href, key).save({ sessionId: store, responseId: null });
    return { stored: store };
  }
  const chat = document.createElement('agent37-chat');
  chat.tokenUrl = `${API_BASE}/token`;
  chat.persistKey = key;
  chat.style.cssText = 'height: 100%; width: 100%';
  document.querySelector('#host')!.replaceChildren(chat);
  const paintedMs = await paintedWhen(() => showsLast(chat), 'the last message');
  if (query.get('scroll')) return scrollToTop(chat);
  const result: RestoreRun = { paintedMs, historyMs: historyArrival(), messages: chat.messages.length, rendered: messageElements(chat).length };
  const switchTo = query.get('switchTo');
  if (switchTo) {
    const before = chat.messages.at(-1);
    const start = performance.now();
    await (chat as unknown as { openConversation(id: string): Promise<void> }).openConversation(switchTo);
    result.switchMs = (await paintedWhen(() => chat.sessionId === switchTo && chat.messages.at(-1) !== before && showsLast(chat), 'the opened conversation')) - start;
  }
  return result;
}

declare global {
  interface Window {
    benchDone: Promise<unknown>;
  }
}
window.benchDone = run(new URLSearchParams(location.search));
