/**
 * The touches of a message: Copy under a finished answer, when each message was written (kept
 * current by one timer), tokens and cost with `showUsage`, a caret while the answer grows, long code
 * blocks capped with an Expand button, scroll shadows on wide tables, and 44 px touch targets on a
 * coarse pointer. Against the real relay and simulator where the chat is involved; a message on its
 * own (English, outside a chat) where only the message is.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { Agent37Message } from '../../src/components/agent37-message.js';
import type { Agent37Composer } from '../../src/components/agent37-composer.js';
import type { Agent37CodeBlock } from '../../src/markdown/agent37-code-block.js';
import type { Agent37Markdown } from '../../src/markdown/agent37-markdown.js';
import { Agent37Error } from '../../src/contract/errors.js';
import type { AssistantMessage, ChatMessage, UserMessage } from '../../src/state/conversation-types.js';
import { createTranscriptStore } from '../../src/state/transcript-store.js';
import { isPost, sleep } from '../support/client-harness.js';
import {
  emulateMedia,
  failOnLitWarnings,
  lastAnswer,
  messageElements,
  mountChat,
  RecordingFetch,
  sendFromComposer,
  settle,
  shadow,
  uniqueName,
  until,
  untilAnswerEnds,
} from './element-harness.js';

failOnLitWarnings();

async function untilAsync(predicate: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function answer(text: string, o: Partial<AssistantMessage> = {}): AssistantMessage {
  return { role: 'assistant', id: uniqueName('a'), text, reasoning: '', steps: [], parts: text ? [{ type: 'text', text }] : [], status: 'complete', ...o };
}

function question(text: string, o: Partial<UserMessage> = {}): UserMessage {
  return { role: 'user', id: uniqueName('q'), text, ...o };
}

/** A fenced block of `lines` numbered lines. */
function longCode(lines: number): string {
  return `\`\`\`js\n${Array.from({ length: lines }, (_, i) => `const line${i + 1} = ${i + 1};`).join('\n')}\n\`\`\``;
}

async function settleMessage(message: Agent37Message): Promise<void> {
  await message.updateComplete;
  for (const markdown of shadow(message).querySelectorAll<Agent37Markdown>('agent37-markdown')) {
    await markdown.updateComplete;
    for (const block of shadow(markdown).querySelectorAll<Agent37CodeBlock>('agent37-code-block')) await block.updateComplete;
  }
}

async function mountMessage(message: ChatMessage, o: { showUsage?: boolean; retryable?: boolean } = {}): Promise<Agent37Message> {
  const el = await fixture<Agent37Message>(
    html`<agent37-message style="width: 480px" .message=${message} .showUsage=${o.showUsage ?? false} .retryable=${o.retryable ?? false}></agent37-message>`,
  );
  await settleMessage(el);
  return el;
}

function codeBlocksOf(message: Agent37Message): Agent37CodeBlock[] {
  return [...shadow(message).querySelectorAll<Agent37Markdown>('agent37-markdown')].flatMap((m) => [...shadow(m).querySelectorAll<Agent37CodeBlock>('agent37-code-block')]);
}

const copyButtonOf = (message: Agent37Message) => shadow(message).querySelector<HTMLButtonElement>('[part="copy-answer-button"]');
/** What a sighted visitor reads in each timestamp ("now", "5 minutes ago"). */
const shownTimes = (messages: Agent37Message[]) => messages.map((m) => shadow(m).querySelector('[part="timestamp"] [aria-hidden="true"]')?.textContent ?? null);
const usageOf = (message: Agent37Message) => shadow(message).querySelector('[part="usage"]')?.textContent?.trim() ?? null;

/** Replaces navigator.clipboard.writeText for one test; `fail` makes it refuse. */
function stubClipboard(): { written: string[]; fail: boolean; restore(): void } {
  const stub = {
    written: [] as string[],
    fail: false,
    restore: () => delete (navigator.clipboard as { writeText?: unknown }).writeText,
  };
  Object.defineProperty(navigator.clipboard, 'writeText', {
    configurable: true,
    value: async (text: string) => {
      if (stub.fail) throw new DOMException('denied', 'NotAllowedError');
      stub.written.push(text);
    },
  });
  return stub;
}

describe('<agent37-message>: Copy answer', () => {
  it('copies a finished answer’s markdown source, says "Copied" (and politely tells screen readers), or "Copy failed"', async () => {
    const { el } = await mountChat();
    await sendFromComposer(el, 'show me some code [no-tools]');
    const done = await untilAnswerEnds(el);
    const [asked, answered] = messageElements(el);
    expect(copyButtonOf(asked!), 'no Copy on the visitor’s message').to.equal(null);
    const button = copyButtonOf(answered!)!;
    expect(button.getAttribute('aria-label')).to.equal('Copy answer');
    expect(button.getAttribute('title')).to.equal('Copy answer');
    const status = shadow(answered!).querySelector('[role="status"]')!;
    expect(status.textContent).to.equal('');

    const clipboard = stubClipboard();
    try {
      button.click();
      await until(() => button.textContent!.trim() === 'Copied', '"Copied"');
      // the markdown as the agent wrote it, not the rendered text
      expect(clipboard.written).to.deep.equal([done.text]);
      expect(done.text).to.contain('```');
      expect(button.hasAttribute('aria-label'), 'the name is what it shows').to.equal(false);
      expect(status.textContent).to.equal('Answer copied to the clipboard');

      clipboard.fail = true;
      button.click();
      await until(() => button.textContent!.trim() === 'Copy failed', '"Copy failed"');
      expect(status.textContent).to.equal('');
      await until(() => button.textContent!.trim() === '' && button.getAttribute('aria-label') === 'Copy answer', 'the button back as it was', 5_000);
    } finally {
      clipboard.restore();
    }
  });

  it('is offered on complete and stopped answers with text only: not while streaming, nor on failed, interrupted or empty ones', async () => {
    const offered: Record<string, boolean> = {};
    const cases: Record<string, AssistantMessage> = {
      complete: answer('Done.'),
      stopped: answer('Half an ans', { status: 'stopped' }),
      streaming: answer('Still writ', { status: 'streaming' }),
      reconnecting: answer('Still writ', { status: 'reconnecting' }),
      failed: answer('Some text', { status: 'failed', error: new Agent37Error({ code: 'agent_error', message: 'boom' }) }),
      interrupted: answer('Some text', { status: 'interrupted' }),
      empty: answer(''),
    };
    for (const [name, message] of Object.entries(cases)) offered[name] = copyButtonOf(await mountMessage(message)) !== null;
    expect(offered).to.deep.equal({ complete: true, stopped: true, streaming: false, reconnecting: false, failed: false, interrupted: false, empty: false });
  });
});

describe('<agent37-message>: timestamps', () => {
  it('the visitor’s message and the answer say when they were written, the date and time in a tooltip; a reload shows the same', async () => {
    const before = Date.now();
    const { el, user, persistKey } = await mountChat();
    await sendFromComposer(el, 'what time is it [no-tools] [no-reasoning]');
    await untilAnswerEnds(el);
    const after = Date.now();
    const times = messageElements(el).map((m) => shadow(m).querySelector<HTMLTimeElement>('time[part="timestamp"]')!);
    expect(times).to.have.length(2);
    const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
    for (const time of times) {
      const at = Date.parse(time.dateTime);
      expect(time.dateTime).to.equal(new Date(at).toISOString());
      expect(at).to.be.within(before, after);
      expect(time.title).to.equal(absolute.format(at));
      // seen: relative; heard: the date and time, which do not change every minute
      expect(time.querySelector('[aria-hidden="true"]')!.textContent).to.equal('now');
      expect(time.querySelector('.visually-hidden')!.textContent).to.equal(absolute.format(at));
    }
    const [asked, answered] = el.messages;
    expect(Date.parse(times[0]!.dateTime)).to.equal(asked!.createdAt);
    expect(Date.parse(times[1]!.dateTime)).to.equal(answered!.createdAt);
    expect(answered!.createdAt!).to.be.at.least(asked!.createdAt!);

    // the turn is in the local transcript (written as the turn ended) before the reload reads it
    const transcript = createTranscriptStore(`${location.origin}/api/agent37`, persistKey);
    const sessionId = el.sessionId!;
    await untilAsync(async () => (await transcript.load(sessionId)).length === 1, 'the transcript to hold the turn');
    el.remove();
    const again = await mountChat({ user, persistKey });
    await until(() => messageElements(again.el).length === 2, 'the restored conversation');
    await settle(again.el);
    expect(messageElements(again.el).map((m) => shadow(m).querySelector<HTMLTimeElement>('time')?.dateTime)).to.deep.equal(times.map((t) => t.dateTime));
  });

  it('a message with no known time shows none; older ones read "5 minutes ago", "yesterday"', async () => {
    const now = Date.now();
    const messages = [
      await mountMessage(question('no time')),
      await mountMessage(answer('no time')),
      await mountMessage(question('asked', { createdAt: now - 5 * 60_000 })),
      await mountMessage(answer('answered', { createdAt: now - 26 * 3_600_000 })),
    ];
    expect(shownTimes(messages)).to.deep.equal([null, null, '5 minutes ago', 'yesterday']);
    // while an answer is being written its time waits for it to be over, with the rest of its footer
    const live = await mountMessage(answer('writing', { status: 'streaming', createdAt: now }));
    expect(shownTimes([live])).to.deep.equal([null]);
  });

  it('one timer, shared by every message shown, refreshes the times about once a minute, and stops once none is shown', async () => {
    const realSetInterval = window.setInterval;
    const realClearInterval = window.clearInterval;
    const realNow = Date.now;
    const minuteTimers: { id: number; tick: () => void }[] = [];
    const cleared: number[] = [];
    let offset = 0;
    window.setInterval = ((tick: () => void, ms?: number) => {
      const id = realSetInterval(tick, ms);
      if (ms === 60_000) minuteTimers.push({ id, tick });
      return id;
    }) as typeof setInterval;
    window.clearInterval = ((id?: number) => {
      if (id !== undefined) cleared.push(id);
      realClearInterval(id);
    }) as typeof clearInterval;
    Date.now = () => realNow() + offset;
    try {
      const at = Date.now() - 5 * 60_000;
      const page = await fixture<HTMLElement>(html`<div>
        ${[question('q', { createdAt: at }), answer('a', { createdAt: at }), question('q2', { createdAt: at }), answer('no time')].map(
          (m) => html`<agent37-message .message=${m}></agent37-message>`,
        )}
      </div>`);
      const messages = [...page.querySelectorAll('agent37-message')];
      for (const m of messages) await settleMessage(m);
      expect(minuteTimers, 'one timer for all').to.have.length(1);
      expect(shownTimes(messages)).to.deep.equal(['5 minutes ago', '5 minutes ago', '5 minutes ago', null]);

      offset = 2 * 60_000;
      minuteTimers[0]!.tick();
      for (const m of messages) await settleMessage(m);
      expect(shownTimes(messages)).to.deep.equal(['7 minutes ago', '7 minutes ago', '7 minutes ago', null]);

      messages[0]!.remove();
      expect(cleared).to.not.include(minuteTimers[0]!.id);
      page.remove();
      expect(cleared, 'stopped with the last time shown').to.include(minuteTimers[0]!.id);
      expect(minuteTimers).to.have.length(1);
    } finally {
      window.setInterval = realSetInterval;
      window.clearInterval = realClearInterval;
      Date.now = realNow;
    }
  });
});

describe('<agent37-message>: usage (showUsage)', () => {
  const usage = { input_tokens: 1000, output_tokens: 234, cost_usd: 0.012345 };

  it('shows tokens and cost under a finished answer: "1,234 tokens · $0.0123", tokens alone without a cost', async () => {
    expect(usageOf(await mountMessage(answer('Done.', { usage }), { showUsage: true }))).to.equal('1,234 tokens · $0.0123');
    expect(usageOf(await mountMessage(answer('Done.', { usage: { ...usage, cost_usd: null } }), { showUsage: true }))).to.equal('1,234 tokens');
    expect(usageOf(await mountMessage(answer('Half', { status: 'stopped', usage: { input_tokens: 1, output_tokens: 0 } }), { showUsage: true }))).to.equal('1 token');
    expect(usageOf(await mountMessage(answer('Done.', { usage }))), 'off unless asked for').to.equal(null);
    expect(usageOf(await mountMessage(answer('Done.', { usage: null }), { showUsage: true })), 'none known').to.equal(null);
    expect(usageOf(await mountMessage(answer('Writ', { status: 'streaming', usage }), { showUsage: true })), 'not while streaming').to.equal(null);
  });

  it('shows what the gateway reported for the turn', async () => {
    const { el } = await mountChat();
    await sendFromComposer(el, 'count my tokens [no-tools]');
    const done = await untilAnswerEnds(el);
    const answered = messageElements(el)[1]!;
    expect(usageOf(answered)).to.equal(null);
    answered.showUsage = true;
    await answered.updateComplete;
    const { input_tokens, output_tokens, cost_usd } = done.usage!;
    const tokens = `${(input_tokens + output_tokens).toLocaleString('en')} tokens`;
    const cost = typeof cost_usd === 'number' ? new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 }).format(cost_usd) : null;
    expect(usageOf(answered)).to.equal(cost ? `${tokens} · ${cost}` : tokens);
  });
});

describe('<agent37-message>: typing caret', () => {
  afterEach(() => emulateMedia({ 'prefers-reduced-motion': '' }));

  /** The caret: an `::after` at the end of the last text (its last block, that block's last item, or after it all). */
  function caretOf(message: Agent37Message): CSSStyleDeclaration | null {
    const markdown = [...shadow(message).querySelectorAll<Agent37Markdown>('agent37-markdown')].at(-1);
    const body = markdown && shadow(markdown).querySelector('.body');
    if (!body) return null;
    const last = body.lastElementChild;
    for (const candidate of [last, last?.lastElementChild, body]) {
      const after = candidate && getComputedStyle(candidate, '::after');
      if (after && after.content !== 'none') return after;
    }
    return null;
  }

  it('blinks after the text while it grows, never read out and without redrawing finished blocks; gone once the answer is over', async () => {
    const net = new RecordingFetch().add({ when: isPost, pace: '60' });
    const { el } = await mountChat({ net });
    await sendFromComposer(el, 'type slowly [no-tools] [no-reasoning]');
    // a few blocks in: the first paragraph is finished
    await until(() => (lastAnswer(el)?.text.split('\n\n').length ?? 0) > 3 && lastAnswer(el)?.status === 'streaming', 'a few blocks of text');
    await settle(el);
    const answered = messageElements(el)[1]!;
    const markdown = shadow(answered).querySelector<Agent37Markdown>('agent37-markdown')!;
    expect(markdown.hasAttribute('typing')).to.equal(true);
    const caret = caretOf(answered)!;
    expect(caret, 'a caret after the last block').to.not.equal(null);
    expect(caret.content, 'no text to read out').to.equal('""');
    expect(caret.animationName).to.equal('blink');
    const first = shadow(markdown).querySelector('.body')!.firstElementChild!;
    expect(getComputedStyle(first, '::after').content).to.equal('none');

    // finished blocks stay as they are while the text grows
    const changes: MutationRecord[] = [];
    const observer = new MutationObserver((records) => changes.push(...records));
    observer.observe(first, { subtree: true, childList: true, characterData: true, attributes: true });
    const length = lastAnswer(el)!.text.length;
    await until(() => lastAnswer(el)!.text.length > length + 40 || lastAnswer(el)!.status !== 'streaming', 'more text');
    await settle(el);
    observer.disconnect();
    expect(changes).to.deep.equal([]);

    await emulateMedia({ 'prefers-reduced-motion': 'reduce' });
    if (lastAnswer(el)!.status === 'streaming') {
      expect(caretOf(answered)?.animationName, 'still, for less motion').to.equal('none');
    }

    await untilAnswerEnds(el);
    expect(markdown.hasAttribute('typing')).to.equal(false);
    expect(caretOf(answered)).to.equal(null);
  });

  it('shows while text streams only: not while reconnecting, nor while a tool runs after the text', async () => {
    const text = 'Some text';
    const typing = async (message: AssistantMessage) => shadow(await mountMessage(message)).querySelector('agent37-markdown')?.hasAttribute('typing') ?? false;
    expect(await typing(answer(text, { status: 'streaming' }))).to.equal(true);
    expect(await typing(answer(text, { status: 'reconnecting' }))).to.equal(false);
    expect(
      await typing(
        answer(text, { status: 'streaming', parts: [{ type: 'text', text }, { type: 'tool', step: { tool: 'search', label: 'Searching', status: 'running' } }] }),
      ),
    ).to.equal(false);
  });
});

describe('<agent37-message>: long code blocks', () => {
  /** The lines the box has room for, its padding aside. */
  const lineCount = (pre: HTMLElement) => {
    const style = getComputedStyle(pre);
    return Math.round((pre.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)) / parseFloat(style.lineHeight));
  };

  it('a 40-line block shows 24 lines, fading out, and "Show 16 more lines"; expanded it shows all and "Show less"', async () => {
    const message = await mountMessage(answer(`Here:\n\n${longCode(40)}`));
    const [block] = codeBlocksOf(message);
    const pre = shadow(block!).querySelector<HTMLElement>('pre')!;
    const button = shadow(block!).querySelector<HTMLButtonElement>('button[part="expand-button"]')!;
    expect(button.textContent!.trim()).to.equal('Show 16 more lines');
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    expect(shadow(block!).getElementById(button.getAttribute('aria-controls')!)).to.equal(pre);
    expect(pre.scrollHeight).to.be.greaterThan(pre.clientHeight);
    expect(lineCount(pre)).to.equal(24);
    expect(getComputedStyle(pre).maskImage).to.contain('gradient');

    button.click();
    await block!.updateComplete;
    expect(button.textContent!.trim()).to.equal('Show less');
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    expect(pre.scrollHeight).to.be.at.most(pre.clientHeight + 1);
    expect(getComputedStyle(pre).maskImage).to.equal('none');

    button.click();
    await block!.updateComplete;
    expect(button.textContent!.trim()).to.equal('Show 16 more lines');
    expect(lineCount(pre)).to.equal(24);
  });

  it('is not capped for a few lines more than 24: 28 lines show whole, 29 show 24 and "Show 5 more lines"', async () => {
    const message = await mountMessage(answer(`${longCode(28)}\n\n${longCode(29)}\n\n${longCode(3)}`));
    const labels = codeBlocksOf(message).map((block) => shadow(block).querySelector('[part="expand-button"]')?.textContent?.trim() ?? null);
    expect(labels).to.deep.equal([null, 'Show 5 more lines', null]);
  });

  it('while it is written, a long block is capped and follows its newest line, with no button; complete, it starts from its first line', async () => {
    const source = `Code:\n\n${longCode(40).replace(/\n```$/, '')}`;
    const message = await mountMessage(answer(source, { status: 'streaming' }));
    const [block] = codeBlocksOf(message);
    const pre = shadow(block!).querySelector<HTMLElement>('pre')!;
    await until(() => pre.scrollTop > 0, 'the block scrolled to its end');
    expect(pre.scrollTop + pre.clientHeight).to.be.at.least(pre.scrollHeight - 2);
    expect(lineCount(pre)).to.equal(24);
    expect(shadow(block!).querySelector('[part="expand-button"]')).to.equal(null);

    message.message = answer(`${source}\n\`\`\``);
    await settleMessage(message);
    const [done] = codeBlocksOf(message);
    const finished = shadow(done!).querySelector<HTMLElement>('pre')!;
    expect(finished.scrollTop).to.equal(0);
    expect(shadow(done!).querySelector('[part="expand-button"]')!.textContent!.trim()).to.equal('Show 16 more lines');
  });
  it('while it is written, a reader who scrolled up in a long block stays where they are as lines arrive, and follows again back at the end', async () => {
    const source = `Code:\n\n${longCode(40).replace(/\n```$/, '')}`;
    const message = await mountMessage(answer(source, { status: 'streaming' }));
    const pre = () => shadow(codeBlocksOf(message)[0]!).querySelector<HTMLElement>('pre')!;
    await until(() => pre().scrollTop > 0, 'the block scrolled to its end');
    pre().scrollTop = 0;
    await until(() => pre().scrollTop === 0, 'the reader at the top');
    // the scroll event has told the block the reader left its end
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    message.message = answer(`${source}\nconst more = 1;\nconst evenMore = 2;`, { status: 'streaming' });
    await settleMessage(message);
    expect(pre().scrollTop, 'where the reader left it').to.equal(0);
    pre().scrollTop = pre().scrollHeight;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    message.message = answer(`${source}\nconst more = 1;\nconst evenMore = 2;\nconst most = 3;\nconst last = 4;`, { status: 'streaming' });
    await settleMessage(message);
    await until(() => pre().scrollTop + pre().clientHeight >= pre().scrollHeight - 2, 'the block following its end again');
  });
});

describe('<agent37-message>: wide tables', () => {
  const WIDE = `| ${Array.from({ length: 8 }, (_, i) => `Column number ${i + 1}`).join(' | ')} |\n|${' --- |'.repeat(8)}\n| ${Array.from({ length: 8 }, (_, i) => `value ${i + 1}`).join(' | ')} |`;

  for (const variant of [{ theme: 'light' }, { theme: 'dark' }, { theme: 'light', dir: 'rtl' }] as const) {
    it(`scroll with a shadow at each side there is more to see, covered in the colour behind (${variant.theme}${'dir' in variant ? ', rtl' : ''})`, async () => {
      const { el } = await mountChat({ attributes: { theme: variant.theme, ...('dir' in variant ? { dir: variant.dir } : {}) } });
      await sendFromComposer(el, 'a table please [no-tools] [no-reasoning]');
      await untilAnswerEnds(el);
      const answered = messageElements(el)[1]!;
      answered.message = answer(WIDE);
      await settleMessage(answered);
      const markdown = shadow(answered).querySelector<Agent37Markdown>('agent37-markdown')!;
      const scroller = shadow(markdown).querySelector<HTMLElement>('.table-scroll')!;
      expect(scroller.scrollWidth).to.be.greaterThan(scroller.clientWidth);
      const style = getComputedStyle(scroller);
      // two covers that move with the content, two shadows that stay at the box's sides
      expect(style.backgroundAttachment).to.equal('local, local, scroll, scroll');
      expect(style.backgroundImage.match(/linear-gradient/g)).to.have.length(2);
      expect(style.backgroundImage.match(/radial-gradient/g)).to.have.length(2);
      const behind = getComputedStyle(shadow(answered).querySelector('[part="bubble"]')!).backgroundColor;
      expect(behind).to.not.equal('rgba(0, 0, 0, 0)');
      expect(style.backgroundImage.match(/linear-gradient\(to (right|left), (rgb\([^)]*\))/g)!.map((layer) => layer.replace(/.*(rgb\(.*)/, '$1'))).to.deep.equal([behind, behind]);
    });
  }
});

describe('<agent37-message> and <agent37-composer>: touch targets', () => {
  afterEach(() => emulateMedia({ pointer: '', 'any-pointer': '' }));

  async function controls(): Promise<{ name: string; rect: DOMRect }[]> {
    const page = await fixture<HTMLElement>(html`<div style="width: 520px">
      <agent37-composer></agent37-composer>
      <agent37-message .message=${answer(`Look:\n\n${longCode(40)}`, { reasoning: 'hmm', parts: [{ type: 'reasoning', text: 'hmm' }, { type: 'text', text: `Look:\n\n${longCode(40)}` }] })}></agent37-message>
      <agent37-message
        .retryable=${true}
        .message=${answer('', { status: 'failed', error: new Agent37Error({ code: 'quota_exhausted', message: 'Error code: 402 - out of credits' }) })}
      ></agent37-message>
      <agent37-message .message=${answer('Partial', { status: 'interrupted' })}></agent37-message>
    </div>`);
    const found: { name: string; rect: DOMRect }[] = [];
    const visit = (root: ParentNode) => {
      for (const element of root.querySelectorAll('*')) {
        if (element.matches('button, summary')) found.push({ name: element.getAttribute('part') ?? element.textContent!.trim(), rect: element.getBoundingClientRect() });
        if (element.shadowRoot) visit(element.shadowRoot);
      }
    };
    for (const m of page.querySelectorAll('agent37-message')) await settleMessage(m);
    await page.querySelector<Agent37Composer>('agent37-composer')!.updateComplete;
    visit(page);
    return found;
  }

  it('Send, Copy, Copy answer, Expand, Retry, Resume and Details are at least 44 px each way on a coarse pointer', async () => {
    await emulateMedia({ pointer: 'coarse', 'any-pointer': 'coarse' });
    expect(matchMedia('(pointer: coarse)').matches).to.equal(true);
    const found = await controls();
    expect(found.map((c) => c.name).sort()).to.deep.equal(
      ['Details', 'Thinking', 'copy-answer-button', 'copy-button', 'expand-button', 'resume-button', 'retry-button', 'send-button'].sort(),
    );
    for (const { name, rect } of found) {
      expect(rect.height, `${name} height`).to.be.at.least(44);
      expect(rect.width, `${name} width`).to.be.at.least(44);
    }
  });

  it('keeps its compact size for a fine pointer', async () => {
    await emulateMedia({ pointer: 'fine', 'any-pointer': 'fine' });
    const found = await controls();
    const small = found.filter((c) => c.rect.height < 44).map((c) => c.name);
    expect(small).to.include.members(['send-button', 'copy-button', 'copy-answer-button', 'retry-button']);
  });
});
