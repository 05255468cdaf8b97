/**
 * Every word the sub-elements show or read out comes from the chat's Localizer (src/i18n): a
 * provider hands them one whose every string is marked (`⟦copyAnswer⟧`), in German for numbers and
 * dates, and no English is left anywhere in the rendered states, text or names. A new Localizer
 * (another language) re-renders them, task list labels of finished markdown blocks included.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { ContextProvider } from '@lit/context';
import type { Agent37Composer } from '../../src/components/agent37-composer.js';
import type { Agent37Message } from '../../src/components/agent37-message.js';
import type { Agent37Notice } from '../../src/components/agent37-notice.js';
import { Agent37Error } from '../../src/contract/errors.js';
import { localizerContext } from '../../src/i18n/localizer-context.js';
import { Localizer } from '../../src/i18n/localizer.js';
import { EN, type StringOverrides } from '../../src/i18n/strings.js';
import type { Agent37CodeBlock } from '../../src/markdown/agent37-code-block.js';
import type { Agent37Markdown } from '../../src/markdown/agent37-markdown.js';
import type { AssistantMessage, ChatMessage } from '../../src/state/conversation-types.js';
import { failOnLitWarnings, until } from './element-harness.js';

failOnLitWarnings();

/** Every key as `⟦key⟧`, placeholders kept so they still fill in; plurals likewise. */
function marked(tag = ''): StringOverrides {
  const entries = Object.entries(EN).map(([key, value]) => {
    const holes = (typeof value === 'string' ? value : value.other).match(/\{\w+\}/g)?.join(' ') ?? '';
    const text = `⟦${tag}${key}${holes ? ` ${holes}` : ''}⟧`;
    return [key, typeof value === 'string' ? text : { other: text }];
  });
  return Object.fromEntries(entries) as StringOverrides;
}

/** The English of the catalogue, cut at its placeholders, and the English Intl would write (units, times). */
const ENGLISH = [
  ...Object.values(EN)
    .flatMap((value) => (typeof value === 'string' ? [value] : Object.values(value)))
    .flatMap((text) => text.split(/\{\w+\}/))
    .map((piece) => piece.trim())
    .filter((piece) => /[a-z]{3}/i.test(piece)),
  ' sec',
  'min ',
  'now',
  ' ago',
  'token',
];

const NOW = Date.now();
const quota = new Agent37Error({ code: 'quota_exhausted', message: 'Fehlercode 402' });
const longCode = `\`\`\`js\n${Array.from({ length: 40 }, (_, i) => `x${i}();`).join('\n')}\n\`\`\``;

function answer(text: string, o: Partial<AssistantMessage> = {}): AssistantMessage {
  return { role: 'assistant', id: `a${Math.random()}`, text, reasoning: '', steps: [], parts: text ? [{ type: 'text', text }] : [], status: 'complete', ...o };
}

/** The states to look through: every string of the message, its notices, steps, code blocks and markdown, and the composer. */
const MESSAGES: ChatMessage[] = [
  { role: 'user', id: 'u', text: 'Frage', createdAt: NOW - 5 * 60_000 },
  answer(`Antwort\n\n- [x] eins\n- [ ] zwei\n\n${longCode}`, {
    createdAt: NOW,
    usage: { input_tokens: 1200, output_tokens: 34, cost_usd: 0.0123 },
    reasoning: 'Gedanken',
    parts: [
      { type: 'reasoning', text: 'Gedanken' },
      { type: 'tool', step: { tool: 't', label: 'Suche', status: 'completed', duration_ms: 1300 } },
      { type: 'tool', step: { tool: 't', label: 'Lesen', status: 'failed', error: 'Zeitüberschreitung' } },
      { type: 'text', text: `Antwort\n\n- [x] eins\n- [ ] zwei\n\n${longCode}` },
    ],
  }),
  answer('Antw', { status: 'streaming', reasoning: 'Denke', parts: [{ type: 'reasoning', text: 'Denke' }, { type: 'tool', step: { tool: 't', label: 'Suche', status: 'running' } }] }),
  answer('', { status: 'streaming' }),
  answer('', { status: 'streaming', reasoning: 'Denke', parts: [{ type: 'reasoning', text: 'Denke' }] }),
  answer('Halb\n\n```\nx()\n```', { status: 'stopped' }),
  answer('Halb', { status: 'reconnecting' }),
  answer('Halb', { status: 'offline' }),
  answer('', { status: 'waiting', error: new Agent37Error({ code: 'rate_limited', message: 'zu viele', retryAfterMs: 5_000 }) }),
  answer('Halb', { status: 'interrupted', error: new Agent37Error({ code: 'network_error', message: 'Netz' }) }),
  answer('', { status: 'failed', error: quota }),
  answer('', { status: 'failed' }),
  answer(''),
];

async function render(localizer: Localizer) {
  const page = await fixture<HTMLElement>(html`<div>
    ${MESSAGES.map((m) => html`<agent37-message .message=${m} .showUsage=${true} .retryable=${true}></agent37-message>`)}
    <agent37-notice standalone .error=${new Agent37Error({ code: 'network_error', message: 'Netz' })}></agent37-notice>
    <agent37-notice .error=${new Agent37Error({ code: 'some_new_code', message: 'Rohtext' })}></agent37-notice>
    <agent37-composer></agent37-composer>
    <agent37-composer .busy=${true}></agent37-composer>
  </div>`);
  const provider = new ContextProvider(page, { context: localizerContext, initialValue: localizer });
  // the provider came after the elements asked: they ask again once connected anew
  for (const child of [...page.children]) page.append(child);
  await settled(page);
  return { page, provider };
}

function elementsOf(root: ParentNode): Element[] {
  const found: Element[] = [];
  for (const element of root.querySelectorAll('*')) {
    found.push(element);
    if (element.shadowRoot) found.push(...elementsOf(element.shadowRoot));
  }
  return found;
}

async function settled(page: HTMLElement): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    for (const element of elementsOf(page)) await (element as Partial<Agent37Message>).updateComplete;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

/** Every text node (not the styles) and every name, title and placeholder, through shadow roots. */
function wordsOf(page: HTMLElement): string[] {
  const words: string[] = [];
  const visit = (root: Node) => {
    for (const node of (root as ParentNode).childNodes ?? []) {
      if (node.nodeType === Node.TEXT_NODE && node.textContent!.trim()) words.push(node.textContent!.trim());
      if (!(node instanceof Element) || node instanceof HTMLStyleElement) continue;
      for (const name of ['aria-label', 'title', 'placeholder']) if (node.getAttribute(name)) words.push(node.getAttribute(name)!);
      if (node.shadowRoot) visit(node.shadowRoot);
      visit(node);
    }
  };
  visit(page);
  return words;
}

describe('sub-elements in the chat’s language', () => {
  it('show no English: every word comes from the Localizer', async () => {
    const { page } = await render(new Localizer('de', EN, marked()));
    // the feedback states too: copied, code copied, the long block expanded
    Object.defineProperty(navigator.clipboard, 'writeText', { configurable: true, value: async () => {} });
    try {
      const answered = page.querySelectorAll<Agent37Message>('agent37-message')[1]!;
      answered.shadowRoot!.querySelector<HTMLButtonElement>('[part="copy-answer-button"]')!.click();
      const markdown = answered.shadowRoot!.querySelector<Agent37Markdown>('agent37-markdown')!;
      const block = markdown.shadowRoot!.querySelector<Agent37CodeBlock>('agent37-code-block')!;
      block.shadowRoot!.querySelector<HTMLButtonElement>('[part="copy-button"]')!.click();
      block.shadowRoot!.querySelector<HTMLButtonElement>('[part="expand-button"]')!.click();
      await until(() => block.shadowRoot!.querySelector('[role="status"]')!.textContent !== '', 'the copy feedback');
      await settled(page);
      const words = wordsOf(page);
      // the marks name their keys (`⟦errorUnknown⟧`): those names are not English shown
      const english = words.filter((word) => ENGLISH.some((piece) => word.replace(/⟦[\w:]+/g, '⟦').includes(piece)));
      expect(english, 'English left').to.deep.equal([]);
      const keys = new Set(words.flatMap((word) => [...word.matchAll(/⟦(\w+)/g)].map((m) => m[1])));
      expect([...keys].sort()).to.include.members(
        [
          'placeholder', 'sendMessage', 'send', 'stopAnswering', 'stop',
          'thinking', 'thinkingLive', 'agentWorking', 'stopped', 'reconnecting', 'offline',
          'copyAnswer', 'copied', 'answerCopied', 'tokens', 'usage',
          'steps', 'stepRunning', 'stepFailed',
          'copyCode', 'codeCopied', 'showLess', 'taskDone', 'taskNotDone',
          'resume', 'retry', 'details', 'checkConnection',
          'errorBusyRetrying', 'errorConnectionLost', 'errorQuota', 'errorAgentDown', 'errorEmptyAnswer', 'errorUnknown',
        ].sort(),
      );
      // numbers and dates in the Localizer's language
      expect(words.find((w) => w.startsWith('⟦usage'))).to.match(/^⟦usage ⟦tokens 1\.234⟧ 0,0123\s\$⟧$/);
      expect(words).to.include('vor 5 Minuten');
      expect(words.some((w) => /^1,3\sSek\.$/.test(w)), 'a duration in German').to.equal(true);
    } finally {
      delete (navigator.clipboard as { writeText?: unknown }).writeText;
    }
  });

  it('follow a change of language, finished markdown blocks included', async () => {
    const { page, provider } = await render(new Localizer('de', EN, marked()));
    provider.setValue(new Localizer('fr', EN, marked('fr:')));
    await settled(page);
    const words = wordsOf(page);
    expect(words.filter((w) => w.includes('⟦') && !w.includes('⟦fr:'))).to.deep.equal([]);
    const composer = page.querySelector<Agent37Composer>('agent37-composer')!;
    expect(composer.shadowRoot!.querySelector('textarea')!.getAttribute('aria-label')).to.equal('⟦fr:placeholder⟧');
    const notice = page.querySelector<Agent37Notice>('agent37-notice')!;
    expect(notice.shadowRoot!.textContent).to.contain('⟦fr:checkConnection⟧');
    expect(words).to.include.members(['⟦fr:taskDone⟧', '⟦fr:taskNotDone⟧']);
  });
});
