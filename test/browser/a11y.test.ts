/**
 * Accessibility of <agent37-chat> with axe (chai-a11y-axe) on each visual state, light and dark,
 * against the real relay and simulator: empty, streaming, finished, error.
 */
import { expect } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import { isPost } from '../support/client-harness.js';
import {
  emulateColorScheme,
  failOnLitWarnings,
  RecordingFetch,
  lastAnswer,
  logOf,
  messageElements,
  mountChat,
  sendFromComposer,
  settle,
  shadow,
  shownErrors,
  until,
  untilAnswerEnds,
} from './element-harness.js';


failOnLitWarnings();

function logAttributes(el: Agent37Chat) {
  const log = logOf(el);
  return { role: log.getAttribute('role'), live: log.getAttribute('aria-live'), busy: log.getAttribute('aria-busy'), label: log.getAttribute('aria-label') };
}

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
