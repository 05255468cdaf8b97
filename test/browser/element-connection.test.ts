/**
 * What a visitor sees when the connection gives trouble, against the relay and simulator with
 * faults: "Reconnecting…", then "Connection lost." with a Resume button that finishes the answer,
 * "You are offline" while the browser is, and a Retry-After wait counted down in plain words.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import type { TokenGrant } from '../../src/contract/gateway.js';
import type { Agent37ErrorEvent } from '../../src/events.js';
import { client, isAttach, isPost } from '../support/client-harness.js';
import {
  failOnLitWarnings,
  RecordingFetch,
  lastAnswer,
  messageElements,
  mountChat,
  sendFromComposer,
  settle,
  shadow,
  shownErrors,
  uniqueName,
  until,
  untilAnswerEnds,
} from './element-harness.js';


failOnLitWarnings();

describe('<agent37-chat>: connection trouble', () => {
  it('shows Reconnecting…, then "Connection lost." with Resume, and Resume finishes the exact answer', async () => {
    const net = new RecordingFetch()
      .add({ when: isPost, fault: 'drop-after-events=3', pace: '40', times: 1 })
      .add({ when: isAttach, fault: 'drop-after-events=1' });
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

  it('going offline mid-answer says so at once; back online, the answer finishes', async () => {
    const net = new RecordingFetch().add({ when: isPost, fault: 'stall-seconds=30,stall-after-events=2', times: 1 });
    const { el, user } = await mountChat({ net });
    await sendFromComposer(el, 'what if my wifi drops? [no-tools]');
    // created, then one reasoning delta, then silence: once reasoning shows, nothing more arrives
    await until(() => Boolean(lastAnswer(el)?.reasoning), 'the first events');
    window.dispatchEvent(new Event('offline'));
    await settle(el);
    const status = () => shadow(messageElements(el).at(-1)!).querySelector('[part="status"]')?.textContent?.trim();
    expect(status()).to.equal('You are offline. The answer goes on once you are back online.');
    expect(shownErrors(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();

    window.dispatchEvent(new Event('online'));
    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    expect(status()).to.equal(undefined);
    expect(net.count('GET', '/stream')).to.equal(1);
    expect(net.posts()).to.equal(1);
    const stored = await client('/api/agent37', { user }).api.getSession(el.sessionId!);
    expect(answer.text).to.equal(stored.history.at(-1)!.content);
  });

  it('an answer cut off by a token the relay refuses says the server did not accept the sign-in (one agent37-error), and Resume finishes it once tokens are good again', async () => {
    const user = uniqueName('u');
    const net = new RecordingFetch().add({ when: isPost, fault: 'drop-after-events=3', pace: '40', times: 1 });
    let signedIn = true;
    const el = await fixture<Agent37Chat>(html`<agent37-chat
      style="height: 480px; width: 640px"
      persist-key=${uniqueName('k')}
      .fetch=${net.fetch}
      .reconnect=${{ baseMs: 20, capMs: 50, giveUpAfterMs: 1500 }}
    ></agent37-chat>`);
    // a grant that looks spent, so every request asks again and sees whether the visitor is signed in
    el.getToken = async () => {
      const response = await fetch(`/api/agent37/token?user=${user}${signedIn ? '' : '&ttl=-60'}`, { method: 'POST' });
      return { ...((await response.json()) as TokenGrant), expires_at: Date.now() - 1 };
    };
    const errors: Agent37ErrorEvent[] = [];
    el.addEventListener('agent37-error', (e) => errors.push(e));
    el.addEventListener('agent37-response-created', () => (signedIn = false));

    await sendFromComposer(el, 'tell me a story [no-tools]');
    await until(() => lastAnswer(el)?.status === 'interrupted', 'the answer to be interrupted', 15_000);
    await settle(el);
    expect(lastAnswer(el)!.error?.code).to.equal('unauthorized');
    expect(shownErrors(el)).to.deep.equal(['The chat server did not accept the sign-in. Try again in a moment, or let the site know if this keeps happening. Resume']);
    expect(errors.map((e) => e.detail.error.code)).to.deep.equal(['unauthorized']);
    await expect(el).to.be.accessible();

    signedIn = true;
    const answerEl = messageElements(el).at(-1)!;
    shadow(shadow(answerEl).querySelector('agent37-notice')!).querySelector<HTMLButtonElement>('[part="resume-button"]')!.click();
    expect((await untilAnswerEnds(el)).status).to.equal('complete');
    expect(shownErrors(el)).to.deep.equal([]);
    expect(errors).to.have.length(1);
    expect(net.posts(), 'the message was never sent twice').to.equal(1);
  });

  it('a 429 with Retry-After says when it tries again, then answers', async () => {
    const net = new RecordingFetch().add({ when: isPost, fault: 'status=429,retry-after=2', times: 1 });
    const { el } = await mountChat({ net });
    await sendFromComposer(el, 'busy? [no-tools] [no-reasoning]');
    await until(() => lastAnswer(el)?.status === 'waiting', 'the wait');
    await settle(el);
    const [shown] = shownErrors(el);
    expect(shown).to.match(/^The agent is busy\. Trying again in (1 second|2 seconds)…$/);
    expect(el.messages[0]).to.include({ role: 'user', text: 'busy? [no-tools] [no-reasoning]' });
    await expect(el).to.be.accessible();

    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    expect(net.posts()).to.equal(2);
    expect(shownErrors(el)).to.deep.equal([]);
  });
});
