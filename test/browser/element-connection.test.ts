/**
 * What a visitor sees when the connection gives trouble, against the relay and simulator with
 * faults: "Reconnecting…", then "Connection lost." with a Resume button that finishes the answer,
 * and a Retry-After wait counted down in plain words.
 */
import { expect } from '@open-wc/testing';
import { client, isAttach, isPost } from '../support/client-harness.js';
import {
  RecordingFetch,
  lastAnswer,
  messageElements,
  mountChat,
  sendFromComposer,
  settle,
  shadow,
  shownErrors,
  until,
  untilAnswerEnds,
  watchLitWarnings,
} from './element-harness.js';

declare function describe(name: string, body: () => void): void;
declare function it(name: string, body: () => Promise<void>): void;
declare function beforeEach(body: () => void): void;
declare function afterEach(body: () => void): void;

let lit: ReturnType<typeof watchLitWarnings>;
beforeEach(() => {
  lit = watchLitWarnings();
});
afterEach(() => {
  lit.stop();
  expect(lit.warnings, 'Lit dev-mode warnings').to.deep.equal([]);
});

describe('<agent37-chat>: connection trouble', () => {
  it('shows Reconnecting…, then "Connection lost." with Resume, and Resume finishes the exact answer', async () => {
    const net = new RecordingFetch()
      .add({ when: isPost, fault: 'drop-after-events=3', pace: '40', times: 1 })
      .add({ when: isAttach, fault: 'status=500' });
    const { el, user } = await mountChat({ net });
    el.reconnect = { baseMs: 20, capMs: 50, giveUpAfterMs: 1500 };
    await el.updateComplete;

    const seen = new Map<string, string>();
    const watching = setInterval(() => {
      const answer = lastAnswer(el);
      if (!answer || seen.has(answer.status)) return;
      const status = shadow(messageElements(el).at(-1)!).querySelector('[part="status"]')?.textContent?.trim() ?? '';
      seen.set(answer.status, status);
    }, 5);
    try {
      await sendFromComposer(el, 'tell me about reconnecting [no-tools]');
      await until(() => lastAnswer(el)?.status === 'interrupted', '"Connection lost"', 15_000);
    } finally {
      clearInterval(watching);
    }
    expect(seen.get('reconnecting')).to.equal('Reconnecting…');
    await settle(el);
    expect(shownErrors(el)).to.deep.equal(['Connection lost. Resume']);
    const answerEl = messageElements(el).at(-1)!;
    const resume = shadow(shadow(answerEl).querySelector('agent37-notice')!).querySelector<HTMLButtonElement>('[part="resume-button"]')!;
    expect(resume.textContent?.trim()).to.equal('Resume');
    await expect(el).to.be.accessible();

    net.clearRules();
    const attachesBefore = net.count('GET', '/stream');
    resume.click();
    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    expect(net.count('GET', '/stream')).to.be.greaterThan(attachesBefore);
    expect(net.posts(), 'the message was never sent twice').to.equal(1);
    expect(shownErrors(el)).to.deep.equal([]);
    const stored = await client('/api/agent37', { user }).api.getSession(el.sessionId!);
    expect(answer.text).to.equal(stored.history.at(-1)!.content);
  });

  it('a 429 with Retry-After says when it tries again, then answers', async () => {
    const net = new RecordingFetch().add({ when: isPost, fault: 'status=429,retry-after=2', times: 1 });
    const { el } = await mountChat({ net });
    await sendFromComposer(el, 'busy? [no-tools] [no-reasoning]');
    await until(() => lastAnswer(el)?.status === 'waiting', 'the wait');
    await settle(el);
    const [shown] = shownErrors(el);
    expect(shown).to.match(/^The agent is busy\. Trying again in [12] s…$/);
    expect(el.messages[0]).to.include({ role: 'user', text: 'busy? [no-tools] [no-reasoning]' });
    await expect(el).to.be.accessible();

    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    expect(net.posts()).to.equal(2);
    expect(shownErrors(el)).to.deep.equal([]);
  });
});
