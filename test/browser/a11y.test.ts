/**
 * Accessibility of <agent37-chat> with axe (chai-a11y-axe) on each visual state, light and dark,
 * against the real relay and simulator: empty, streaming, finished (with its time, usage and Copy
 * answer), long code blocks folded and expanded, error.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import type { Agent37CodeBlock } from '../../src/markdown/agent37-code-block.js';
import type { Agent37Markdown } from '../../src/markdown/agent37-markdown.js';
import type { AssistantMessage } from '../../src/state/conversation-types.js';
import { isPost } from '../support/client-harness.js';
import {
  emulateColorScheme,
  failOnLitWarnings,
  RecordingFetch,
  lastAnswer,
  logOf,
  messageElements,
  mountChat as mountBare,
  sendFromComposer,
  settle,
  shadow,
  shownErrors,
  until,
  untilAnswerEnds,
  type MountOptions,
} from './element-harness.js';


failOnLitWarnings();

function logAttributes(el: Agent37Chat) {
  const log = logOf(el);
  return { role: log.getAttribute('role'), live: log.getAttribute('aria-live'), busy: log.getAttribute('aria-busy'), label: log.getAttribute('aria-label') };
}

// theme="auto", so the chat follows the emulated system scheme
const mountChat = (o: MountOptions = {}) => mountBare({ ...o, attributes: { theme: 'auto', ...o.attributes } });

for (const scheme of ['light', 'dark'] as const) {
  describe(`<agent37-chat> accessibility (${scheme})`, () => {
    it('empty conversation', async () => {
      await emulateColorScheme(scheme);
      const { el } = await mountChat();
      expect(shadow(el).querySelector('[part="greeting"]')).to.not.equal(null);
      expect(logAttributes(el)).to.deep.equal({ role: 'log', live: 'polite', busy: 'false', label: 'Conversation' });
      await expect(el).to.be.accessible();
    });

    it('while an answer streams (the log is aria-busy)', async () => {
      await emulateColorScheme(scheme);
      const net = new RecordingFetch().add({ when: isPost, pace: '150' });
      const { el } = await mountChat({ net });
      await sendFromComposer(el, 'stream slowly please');
      await until(() => (lastAnswer(el)?.text.length ?? 0) > 0 && (lastAnswer(el)?.steps.length ?? 0) > 0, 'text and steps');
      await settle(el);
      expect(logAttributes(el).busy).to.equal('true');
      await expect(el).to.be.accessible();
      await el.cancel();
      await untilAnswerEnds(el);
    });

    it('finished answer, reasoning opened', async () => {
      await emulateColorScheme(scheme);
      const { el } = await mountChat();
      await sendFromComposer(el, 'tell me everything');
      await untilAnswerEnds(el);
      const details = shadow(messageElements(el)[1]!).querySelector('details')!;
      details.open = true;
      expect(logAttributes(el).busy).to.equal('false');
      await expect(el).to.be.accessible();
    });

    it('finished answer with its time, usage and Copy answer, just copied', async () => {
      await emulateColorScheme(scheme);
      const { el } = await mountChat({ attributes: { theme: scheme } });
      await sendFromComposer(el, 'code and a table please [no-tools]');
      await untilAnswerEnds(el);
      const answered = messageElements(el)[1]!;
      answered.showUsage = true;
      await answered.updateComplete;
      expect(shadow(answered).querySelector('[part="usage"]')).to.not.equal(null);
      expect(shadow(messageElements(el)[0]!).querySelector('[part="timestamp"]')).to.not.equal(null);
      Object.defineProperty(navigator.clipboard, 'writeText', { configurable: true, value: async () => {} });
      try {
        const copy = shadow(answered).querySelector<HTMLButtonElement>('[part="copy-answer-button"]')!;
        copy.click();
        await until(() => copy.textContent!.trim() === 'Copied', '"Copied"');
        await expect(el).to.be.accessible();
      } finally {
        delete (navigator.clipboard as { writeText?: unknown }).writeText;
      }
    });

    it('long code blocks, one folded and one expanded', async () => {
      const code = `\`\`\`ts\n${Array.from({ length: 40 }, (_, i) => `const value${i} = ${i}; // line ${i + 1}`).join('\n')}\n\`\`\``;
      const text = `Two blocks:\n\n${code}\n\n${code}`;
      const message: AssistantMessage = { role: 'assistant', id: 'a', text, reasoning: '', steps: [], parts: [{ type: 'text', text }], status: 'complete' };
      const page = await fixture<HTMLElement>(
        html`<div style="color-scheme: ${scheme}; color: ${scheme === 'dark' ? '#e8eaef' : '#1f2328'}; background: ${scheme === 'dark' ? '#15171c' : '#fff'}">
          <agent37-message .message=${message}></agent37-message>
        </div>`,
      );
      const element = page.querySelector('agent37-message')!;
      await element.updateComplete;
      const markdown = shadow(element).querySelector<Agent37Markdown>('agent37-markdown')!;
      await markdown.updateComplete;
      const blocks = [...shadow(markdown).querySelectorAll<Agent37CodeBlock>('agent37-code-block')];
      for (const block of blocks) await block.updateComplete;
      shadow(blocks[1]!).querySelector<HTMLButtonElement>('[part="expand-button"]')!.click();
      await blocks[1]!.updateComplete;
      expect(shadow(blocks[1]!).querySelector('[part="expand-button"]')!.getAttribute('aria-expanded')).to.equal('true');
      await expect(page).to.be.accessible();
    });

    it('error shown in the conversation', async () => {
      await emulateColorScheme(scheme);
      const { el } = await mountChat();
      await sendFromComposer(el, 'this will fail [fail]');
      await untilAnswerEnds(el);
      await settle(el);
      expect(shownErrors(el)).to.have.length(1);
      await expect(el).to.be.accessible();
    });
  });
}
