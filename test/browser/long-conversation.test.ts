/**
 * A long stored conversation (src/components/message-window.ts): it opens on its newest messages,
 * scrolled to the bottom; older ones come in above as the visitor scrolls up, without the view
 * moving; every message can be reached; a new message is followed as before. Seeded through the
 * relay and simulator of the test stack, as another visit of the same visitor would have left it.
 */
import { expect } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import type { Agent37Message } from '../../src/components/agent37-message.js';
import { createPersistence } from '../../src/state/persistence.js';
import { client, isPost } from '../support/client-harness.js';
import {
  RecordingFetch,
  failOnLitWarnings,
  lastAnswer,
  logOf,
  messageElements,
  mountChat,
  sendFromComposer,
  settle,
  shadow,
  shownText,
  uniqueName,
  until,
  untilAnswerEnds,
} from './element-harness.js';

failOnLitWarnings();

/** Turns in the seeded conversation: two messages each, several times what the chat renders at first. */
const TURNS = 45;

interface Seeded {
  user: string;
  persistKey: string;
  sessionId: string;
}

/** A conversation of `turns` finished turns, stored as the visitor's (persist-key) conversation. */
async function seedConversation(turns: number): Promise<Seeded> {
  const { api, tokens, user } = client('/api/agent37');
  let sessionId: string | null = null;
  for (let i = 0; i < turns; i++) {
    const response = await api.createResponse({ input: `Question ${i + 1}: how do I keep a long chat fast?`, stream: true, ...(sessionId ? { session_id: sessionId } : {}) });
    const events = await response.text();
    sessionId ??= /"session_id":"([0-9a-f]+)"/.exec(events)![1]!;
  }
  const persistKey = uniqueName('long');
  await createPersistence((await tokens.get()).api_base, persistKey).save({ sessionId, responseId: null });
  return { user, persistKey, sessionId: sessionId! };
}

/** The seeded conversation on the page, restored, with at least `TURNS` turns (the tests that send add more). */
async function mountLong(seeded: Seeded, net?: RecordingFetch): Promise<Agent37Chat> {
  const { el } = await mountChat({ user: seeded.user, persistKey: seeded.persistKey, ...(net ? { net } : {}) });
  await until(() => el.messages.length >= TURNS * 2, 'the whole conversation');
  await settle(el);
  return el;
}

function atBottom(el: Agent37Chat): boolean {
  const log = logOf(el);
  return log.scrollHeight - log.scrollTop - log.clientHeight <= 2;
}

/** The message each rendered element shows, by id. */
const renderedIds = (el: Agent37Chat) => messageElements(el).map((m) => m.message?.id);

function topOf(element: Element): number {
  return element.getBoundingClientRect().top;
}

/** Scrolls to the top again and again until the conversation's first message is rendered (each page brought by the scroll itself). */
async function scrollUntilFirstShown(el: Agent37Chat): Promise<void> {
  const first = el.messages[0]!.id;
  await until(() => {
    logOf(el).scrollTop = 0;
    return messageElements(el)[0]?.message?.id === first;
  }, 'the first message to be rendered', 20_000);
  await settle(el);
}

describe('a long conversation', function () {
  // seeding takes a few seconds on a slow machine
  this.timeout(60_000);
  let seeded: Seeded;

  before(async () => {
    seeded = await seedConversation(TURNS);
  });

  it('restores with its newest messages rendered and the log scrolled to the bottom', async () => {
    const el = await mountLong(seeded);
    const rendered = messageElements(el);
    expect(rendered.length, 'fewer messages rendered than the conversation holds').to.be.above(0).and.below(el.messages.length);
    // the newest ones, in order, up to the last answer
    expect(renderedIds(el)).to.deep.equal(el.messages.slice(-rendered.length).map((m) => m.id));
    const last = rendered.at(-1)!;
    expect(last.message).to.equal(el.messages.at(-1));
    expect(shownText(last)).to.contain('Tip: keep the connection open');
    await until(() => atBottom(el), 'the log at the bottom');
    expect(logOf(el).getAttribute('role')).to.equal('log');
    expect(shadow(el).querySelector('[part="jump-button"]'), 'no Jump to latest at the bottom').to.equal(null);
  });

  it('brings older messages in above as the visitor scrolls up, the view staying where it was', async () => {
    const el = await mountLong(seeded);
    const before = messageElements(el).length;
    const log = logOf(el);
    const anchor = messageElements(el)[0]!;
    // the visitor scrolls to the first rendered message: it is at the top of the view
    log.scrollTop = 0;
    const shownAt = topOf(anchor);
    await until(() => messageElements(el).length > before, 'older messages to come in');
    await settle(el);
    expect(anchor.isConnected).to.equal(true);
    expect(Math.abs(topOf(anchor) - shownAt), 'the message in view moved by').to.be.at.most(2);
    expect(log.scrollTop, 'scrolled down by what came in above').to.be.above(0);
    // older ones, right before it, in order
    expect(renderedIds(el)).to.deep.equal(el.messages.slice(-messageElements(el).length).map((m) => m.id));
    expect(shadow(el).querySelector('[part="jump-button"]'), 'Jump to latest once scrolled up').to.not.equal(null);
  });

  it('lets the visitor reach every message, then jump back to the latest', async () => {
    const el = await mountLong(seeded);
    await scrollUntilFirstShown(el);
    expect(renderedIds(el)).to.deep.equal(el.messages.map((m) => m.id));
    const first = messageElements(el)[0]!;
    expect(first.message!.text).to.equal('Question 1: how do I keep a long chat fast?');
    expect(shadow(first).querySelector('[part="bubble"]')!.textContent).to.contain('Question 1:');

    shadow(el).querySelector<HTMLButtonElement>('[part="jump-button"]')!.click();
    await until(() => atBottom(el), 'the log back at the bottom');
    await settle(el);
    expect(atBottom(el)).to.equal(true);
    expect(shadow(el).querySelector('[part="jump-button"]')).to.equal(null);
  });

  it('sends while only the newest messages are rendered, and follows the answer at the bottom', async () => {
    // a slower answer, so there is a stream to follow
    const net = new RecordingFetch().add({ when: isPost, pace: '10' });
    const el = await mountLong(seeded, net);
    const before = messageElements(el).length;
    const total = el.messages.length;
    expect(before).to.be.below(total);

    await sendFromComposer(el, 'One more question, please.');
    // at the bottom while the answer is still growing: following it
    await until(() => lastAnswer(el)?.status === 'streaming' && lastAnswer(el)!.text.length > 200 && atBottom(el), 'the log to follow the stream', 20_000);
    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    await until(() => atBottom(el), 'the log at the bottom once the answer ends');
    const rendered = messageElements(el);
    // the window grew by the two new messages and kept its start
    expect(rendered.length).to.equal(before + 2);
    expect(rendered.at(-2)!.message?.role).to.equal('user');
    expect(shownText(rendered.at(-1) as Agent37Message)).to.contain('Tip: keep the connection open');
    expect(el.messages.length).to.equal(total + 2);
  });

  it('sends after scrolling up to older messages: back to the bottom, following the answer', async () => {
    const el = await mountLong(seeded);
    const before = messageElements(el).length;
    logOf(el).scrollTop = 0;
    await until(() => messageElements(el).length > before, 'older messages to come in');
    await settle(el);

    await sendFromComposer(el, 'And a last one.');
    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    await until(() => atBottom(el), 'the log at the bottom');
    expect(messageElements(el).at(-1)!.message).to.equal(el.messages.at(-1));
    expect(shadow(el).querySelector('[part="jump-button"]')).to.equal(null);
  });

  it('starts again from the newest messages after a new conversation and on opening the long one again', async () => {
    const el = await mountLong(seeded);
    const window = messageElements(el).length;
    await scrollUntilFirstShown(el);
    expect(messageElements(el).length).to.equal(el.messages.length);

    await el.newConversation();
    await until(() => el.messages.length === 0, 'an empty conversation');
    await el.openConversation(seeded.sessionId);
    await until(() => el.sessionId === seeded.sessionId && el.messages.length >= TURNS * 2, 'the long conversation again');
    await settle(el);
    expect(messageElements(el).length).to.equal(window);
    expect(messageElements(el).at(-1)!.message).to.equal(el.messages.at(-1));
    await until(() => atBottom(el), 'the log at the bottom');
  });

  it('renders every message of a conversation shorter than the window, with nothing above them', async () => {
    const short = await seedConversation(3);
    const { el } = await mountChat({ user: short.user, persistKey: short.persistKey });
    await until(() => el.messages.length === 6, 'the conversation');
    await settle(el);
    expect(renderedIds(el)).to.deep.equal(el.messages.map((m) => m.id));
    expect(shadow(el).querySelector('.messages__older')).to.equal(null);
  });
});
