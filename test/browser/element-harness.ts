/**
 * Shared by the element's browser tests: mount <agent37-chat> against the test stack with a fresh
 * user and persist-key, read what a visitor sees out of its shadow DOM, type like a visitor, and
 * fail on any Lit dev-mode warning.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/index.js';
import { deepText } from '../support/deep-text.js';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import type { Agent37Composer } from '../../src/components/agent37-composer.js';
import type { Agent37Message } from '../../src/components/agent37-message.js';
import type { AssistantMessage } from '../../src/state/conversation-types.js';
import { RecordingFetch, until } from '../support/client-harness.js';

export { RecordingFetch, until };

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface Mounted {
  el: Agent37Chat;
  net: RecordingFetch;
  user: string;
  persistKey: string;
}

export interface MountOptions {
  user?: string;
  persistKey?: string;
  net?: RecordingFetch;
  /** extra attributes, e.g. { 'show-reasoning': 'false' } */
  attributes?: Record<string, string>;
  prefix?: string;
  ttl?: number;
  /** hold the first token POST this long, so the chat is still loading; then mountChat does not wait for it */
  tokenDelayMs?: number;
}

/** A chat on the page, wired to the test stack, 480 px tall. Waits until restoring is over (unless the token is held back). */
export async function mountChat(o: MountOptions = {}): Promise<Mounted> {
  const user = o.user ?? uniqueName('u');
  const persistKey = o.persistKey ?? uniqueName('k');
  const net = o.net ?? new RecordingFetch();
  if (o.tokenDelayMs !== undefined) net.add({ when: (r) => r.method === 'POST' && r.path.endsWith('/token'), delayMs: o.tokenDelayMs, times: 1 });
  const query = new URLSearchParams({ user, ...(o.ttl !== undefined ? { ttl: String(o.ttl) } : {}) });
  const el = await fixture<Agent37Chat>(html`<agent37-chat
    style="height: 480px; width: 640px"
    .fetch=${net.fetch}
    token-url=${`${o.prefix ?? '/api/agent37'}/token?${query}`}
    persist-key=${persistKey}
  ></agent37-chat>`);
  for (const [name, value] of Object.entries(o.attributes ?? {})) el.setAttribute(name, value);
  await el.updateComplete;
  if (o.tokenDelayMs === undefined) await until(() => !restoring(el), 'the chat to finish restoring');
  return { el, net, user, persistKey };
}

function restoring(el: Agent37Chat): boolean {
  return el.shadowRoot!.querySelector('.restoring') !== null;
}

export function shadow(el: Element): ShadowRoot {
  return el.shadowRoot!;
}

export function composerOf(el: Agent37Chat): Agent37Composer {
  return shadow(el).querySelector('agent37-composer')!;
}

export function textareaOf(el: Agent37Chat): HTMLTextAreaElement {
  return shadow(composerOf(el)).querySelector('textarea')!;
}

/** The Send / Stop button (one button that changes role). */
export function actionButtonOf(el: Agent37Chat): HTMLButtonElement {
  return shadow(composerOf(el)).querySelector('button')!;
}

export function messageElements(el: Agent37Chat): Agent37Message[] {
  return [...shadow(el).querySelectorAll('agent37-message')];
}

export function logOf(el: Agent37Chat): HTMLElement {
  return shadow(el).querySelector('[role="log"]')!;
}

/** Types into the composer the way an input event would leave it. */
export async function typeText(el: Agent37Chat, text: string): Promise<void> {
  const textarea = textareaOf(el);
  textarea.value = text;
  textarea.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await composerOf(el).updateComplete;
}

/** Types `text` and presses the Send button. */
export async function sendFromComposer(el: Agent37Chat, text: string): Promise<void> {
  await typeText(el, text);
  actionButtonOf(el).click();
  await el.updateComplete;
}

export function lastAnswer(el: Agent37Chat): AssistantMessage | undefined {
  return el.messages.filter((m): m is AssistantMessage => m.role === 'assistant').at(-1);
}

export async function untilAnswerEnds(el: Agent37Chat, timeoutMs = 20_000): Promise<AssistantMessage> {
  await until(() => {
    const answer = lastAnswer(el);
    return answer !== undefined && ['complete', 'stopped', 'failed'].includes(answer.status);
  }, 'the answer to end', timeoutMs);
  await settle(el);
  return lastAnswer(el)!;
}

/** Lets the element and its sub-elements (and markdown's frame-coalesced renders) finish rendering. */
export async function settle(el: Agent37Chat): Promise<void> {
  await el.updateComplete;
  for (const m of messageElements(el)) await m.updateComplete;
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  await el.updateComplete;
}

/** What the visitor reads in the error box(es), in order. */
export function shownErrors(el: Agent37Chat): string[] {
  const boxes: string[] = [];
  const collect = (root: ParentNode) => {
    for (const notice of root.querySelectorAll('agent37-notice')) {
      const box = notice.shadowRoot?.querySelector('[part="error"]');
      if (!box) continue;
      // the raw detail is folded away: not what the visitor reads
      const shown = box.cloneNode(true) as Element;
      for (const detail of shown.querySelectorAll('details')) detail.remove();
      const text = shown.textContent?.replace(/\s+/g, ' ').trim();
      if (text) boxes.push(text);
    }
  };
  for (const m of messageElements(el)) collect(shadow(m));
  collect(shadow(el));
  return boxes;
}

/** The visible text of a message's answer (markdown or plain, every text block, one per line), shadow roots included. */
export function shownText(message: Agent37Message): string {
  return shownTextBlocks(message).join('\n');
}

/** Each text block of an answer (text before a tool and after it are two), whitespace collapsed. */
export function shownTextBlocks(message: Agent37Message): string[] {
  return [...shadow(message).querySelectorAll('[part~="text"]')].map((text) => deepText(text).replace(/\s+/g, ' ').trim());
}


/**
 * Collects Lit's dev-mode warnings (console.warn) so a test can fail on them. The one notice that
 * dev mode is on is expected and skipped.
 */
export function watchLitWarnings(): { warnings: string[]; stop(): void } {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (/lit\.dev\/msg|\bLit\b/.test(text) && !/Lit is in dev mode/.test(text)) warnings.push(text);
    original.apply(console, args);
  };
  return {
    warnings,
    stop() {
      console.warn = original;
    },
  };
}

/** Emulates the system colour scheme, in Chromium and Firefox (test/support/browser-engines.ts). */
export async function emulateColorScheme(colorScheme: 'light' | 'dark'): Promise<void> {
  await executeServerCommand('emulate-color-scheme', { colorScheme });
}

/**
 * Emulates CSS media features (`pointer`, `any-pointer`, `prefers-reduced-motion`,
 * `prefers-color-scheme`), in Chromium and Firefox; '' puts one back to the browser's own.
 */
export async function emulateMedia(features: Record<string, string>): Promise<void> {
  await executeServerCommand('emulate-media-features', { features });
}

/** Registers hooks that fail each test of the file on any Lit dev-mode warning, and put the colour scheme back. */
export function failOnLitWarnings(): void {
  let lit: ReturnType<typeof watchLitWarnings>;
  beforeEach(() => {
    lit = watchLitWarnings();
  });
  afterEach(async () => {
    lit.stop();
    await emulateColorScheme('light');
    expect(lit.warnings, 'Lit dev-mode warnings').to.deep.equal([]);
  });
}
