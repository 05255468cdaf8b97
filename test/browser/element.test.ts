/**
 * <agent37-chat> in real Chromium and Firefox against the relay and the simulator over HTTP (the test
 * stack): what a visitor sees and can do, what the page hears, and what is kept across a reload.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import { Agent37Error } from '../../src/contract/errors.js';
import type { Agent37ErrorEvent, Agent37ResponseCompletedEvent } from '../../src/events.js';
import { createPersistence, persistenceDbName } from '../../src/state/persistence.js';
import { client, isPost } from '../support/client-harness.js';
import {
  failOnLitWarnings,
  RecordingFetch,
  actionButtonOf,
  composerOf,
  lastAnswer,
  logOf,
  messageElements,
  mountChat,
  sendFromComposer,
  settle,
  shadow,
  shownErrors,
  shownText,
  textareaOf,
  typeText,
  until,
  untilAnswerEnds,
} from './element-harness.js';


const EVENT_NAMES = ['agent37-send', 'agent37-session-change', 'agent37-response-created', 'agent37-response-completed', 'agent37-error'] as const;

/** Every public event the element fires, in order, heard on the document (they bubble and compose). */
function recordEvents(): { names: string[]; events: Event[]; stop(): void } {
  const names: string[] = [];
  const events: Event[] = [];
  const listener = (e: Event) => {
    names.push(e.type);
    events.push(e);
  };
  for (const name of EVENT_NAMES) document.addEventListener(name, listener);
  return {
    names,
    events,
    stop: () => {
      for (const name of EVENT_NAMES) document.removeEventListener(name, listener);
    },
  };
}

failOnLitWarnings();

describe('<agent37-chat>: a conversation', () => {
  it('shows the greeting on an empty conversation, then the visitor message at once and the streamed answer', async () => {
    const { el } = await mountChat({ attributes: { greeting: 'Ask me about the weather.' } });
    expect(shadow(el).querySelector('[part="greeting"]')?.textContent?.trim()).to.equal('Ask me about the weather.');

    await sendFromComposer(el, 'hello there [no-tools]');
    // the visitor's message is there before the server answered, and the box is empty again
    expect(el.messages[0]).to.include({ role: 'user', text: 'hello there [no-tools]' });
    expect(textareaOf(el).value).to.equal('');
    expect(shadow(el).querySelector('[part="greeting"]')).to.equal(null);

    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    expect(answer.text.length).to.be.greaterThan(100);
    const [userEl, answerEl] = messageElements(el);
    expect(shadow(userEl!).querySelector('[part="bubble"]')?.textContent?.trim()).to.equal('hello there [no-tools]');
    expect(answerEl!.getAttribute('part')).to.equal('message assistant-message');
    expect(answer.text).to.contain('Here is a short overview of');
    expect(shownText(answerEl!)).to.contain('Here is a short overview of');
  });

  it('stores the session id the first answer created in IndexedDB, named from api_base and persist-key', async () => {
    const { el, persistKey } = await mountChat();
    expect(el.sessionId).to.equal(null);
    await sendFromComposer(el, 'remember me [no-tools] [no-reasoning]');
    await untilAnswerEnds(el);
    expect(el.sessionId).to.match(/^[0-9a-f]{32}$/);

    const apiBase = `${location.origin}/api/agent37`;
    const databases = (await indexedDB.databases()).map((d) => d.name);
    expect(databases).to.include(persistenceDbName(apiBase, persistKey));
    const stored = await createPersistence(apiBase, persistKey).load();
    expect(stored.sessionId).to.equal(el.sessionId);
    expect(stored.responseId, 'no turn in flight').to.equal(null);
  });

  it('a reload (a new element with the same persist-key) shows the same history and continues the session', async () => {
    const first = await mountChat();
    await sendFromComposer(first.el, 'first question [no-tools]');
    const firstAnswer = await untilAnswerEnds(first.el);
    const sessionId = first.el.sessionId;
    first.el.remove();

    const events = recordEvents();
    const again = await mountChat({ user: first.user, persistKey: first.persistKey });
    await until(() => again.el.messages.length === 2, 'the history');
    events.stop();
    expect(events.names, 'loading the stored conversation is no event').to.deep.equal([]);
    expect(again.el.sessionId).to.equal(sessionId);
    expect(again.el.messages.map((m) => [m.role, m.text])).to.deep.equal([
      ['user', 'first question [no-tools]'],
      ['assistant', firstAnswer.text],
    ]);
    await settle(again.el);
    expect(shownText(messageElements(again.el)[1]!).length).to.be.greaterThan(50);

    const created = oneEvent(again.el, 'agent37-response-created');
    await sendFromComposer(again.el, 'second question [no-tools]');
    expect((await created).detail.sessionId).to.equal(sessionId);
    await untilAnswerEnds(again.el);
    expect(again.el.sessionId).to.equal(sessionId);
    expect(again.el.messages.map((m) => m.role)).to.deep.equal(['user', 'assistant', 'user', 'assistant']);

    // another persist-key on the same origin never sees this conversation
    const other = await mountChat({ user: first.user });
    expect(other.el.messages).to.deep.equal([]);
    expect(other.el.sessionId).to.equal(null);
  });

  it('Stop cancels the turn on the server and keeps the partial answer, marked stopped', async () => {
    const net = new RecordingFetch().add({ when: isPost, pace: '150' });
    const { el } = await mountChat({ net });
    const completed = oneEvent(el, 'agent37-response-completed');
    await sendFromComposer(el, 'a long one please [no-tools] [no-reasoning]');
    await until(() => (lastAnswer(el)?.text.length ?? 0) > 0, 'the first words');
    const stop = actionButtonOf(el);
    expect(stop.getAttribute('part')).to.equal('stop-button');
    expect(stop.getAttribute('aria-label')).to.equal('Stop answering');
    stop.click();

    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('stopped');
    expect(answer.text.length).to.be.greaterThan(0);
    expect(net.count('POST', /\/cancel$/)).to.equal(1);
    const event = (await completed) as Agent37ResponseCompletedEvent;
    expect(event.detail.status).to.equal('stopped');
    expect(event.detail.text).to.equal(answer.text);
    const answerEl = messageElements(el)[1]!;
    expect(shadow(answerEl).querySelector('[part="status"]')?.textContent?.trim()).to.equal('Stopped');
    expect(shownText(answerEl)).to.not.equal('');
    // Send is back in Stop's place
    expect(actionButtonOf(el).getAttribute('part')).to.equal('send-button');
  });

  it('New conversation starts a fresh session and leaves the old one on the server', async () => {
    const { el, user } = await mountChat();
    await sendFromComposer(el, 'old conversation [no-tools] [no-reasoning]');
    await untilAnswerEnds(el);
    const oldSession = el.sessionId!;
    const changed = oneEvent(el, 'agent37-session-change');
    const button = shadow(el).querySelector<HTMLButtonElement>('[part="new-conversation-button"]')!;
    expect(button.textContent?.trim()).to.equal('New conversation');
    button.click();
    expect((await changed).detail.sessionId).to.equal(null);
    await settle(el);
    expect(el.messages).to.deep.equal([]);
    expect(el.sessionId).to.equal(null);
    expect(shadow(el).querySelector('[part="greeting"]')).to.not.equal(null);
    await until(() => shadow(composerOf(el)).activeElement === textareaOf(el), 'focus in the message box');

    await sendFromComposer(el, 'new conversation [no-tools] [no-reasoning]');
    await untilAnswerEnds(el);
    expect(el.sessionId).to.match(/^[0-9a-f]{32}$/);
    expect(el.sessionId).to.not.equal(oldSession);
    const old = await client('/api/agent37', { user }).api.getSession(oldSession);
    expect(old.history.map((h) => h.content)[0]).to.equal('old conversation [no-tools] [no-reasoning]');
  });
});

describe('<agent37-chat>: steps and reasoning', () => {
  it('shows tool steps with labels and durations, and the reasoning collapsed under "Thinking"', async () => {
    const { el } = await mountChat();
    await sendFromComposer(el, 'plan my week [tool-fail]');
    const answer = await untilAnswerEnds(el);
    expect(answer.reasoning.length).to.be.greaterThan(10);
    expect(answer.steps.length).to.be.greaterThan(0);
    const answerEl = messageElements(el)[1]!;

    const reasoning = shadow(answerEl).querySelector<HTMLDetailsElement>('details[part="reasoning"]')!;
    expect(reasoning.open, 'collapsed').to.equal(false);
    expect(reasoning.querySelector('summary')!.textContent?.trim()).to.equal('Thinking');
    expect(reasoning.querySelector('.reasoning__text')!.textContent).to.equal(answer.reasoning);

    // text between tools splits the steps into several lists, in the order they ran
    const lists = [...shadow(answerEl).querySelectorAll('agent37-tool-steps')];
    const items = lists.flatMap((steps) => [...shadow(steps).querySelectorAll('li')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim()));
    expect(items).to.have.length(answer.steps.length);
    answer.steps.forEach((step, i) => {
      expect(items[i]).to.contain(step.label);
      if (step.status === 'failed') expect(items[i]).to.contain('failed');
      else expect(items[i]).to.match(/\d(\.\d)?\s?sec$/);
    });
    expect(answer.steps.some((s) => s.status === 'failed')).to.equal(true);
  });

  it('shows a running step with a spinner while it runs', async () => {
    const net = new RecordingFetch().add({ when: isPost, pace: '120' });
    const { el } = await mountChat({ net });
    await sendFromComposer(el, 'use a tool [no-reasoning]');
    await until(() => lastAnswer(el)?.steps.some((s) => s.status === 'running') ?? false, 'a running step');
    await settle(el);
    const steps = shadow(messageElements(el)[1]!).querySelector('agent37-tool-steps')!;
    const running = shadow(steps).querySelector('.step--running')!;
    expect(running.querySelector('.spinner')).to.not.equal(null);
    expect(running.textContent).to.match(/…\s*\(running\)/);
    await el.cancel();
    await untilAnswerEnds(el);
  });

  it('show-reasoning="false" hides the reasoning entirely (tool steps stay)', async () => {
    const { el } = await mountChat({ attributes: { 'show-reasoning': 'false' } });
    await sendFromComposer(el, 'think hard');
    const answer = await untilAnswerEnds(el);
    expect(answer.reasoning.length, 'the agent did reason').to.be.greaterThan(10);
    const answerEl = messageElements(el)[1]!;
    expect(shadow(answerEl).querySelector('[part="reasoning"]')).to.equal(null);
    expect(shadow(answerEl).textContent).to.not.contain(answer.reasoning.slice(0, 30));
    expect(shadow(answerEl).querySelector('agent37-tool-steps')).to.not.equal(null);
  });
});

describe('<agent37-chat>: what is not sent', () => {
  it('agent37-send preventDefault() sends nothing and keeps the text', async () => {
    const { el, net } = await mountChat();
    const seen: string[] = [];
    el.addEventListener('agent37-send', (e) => {
      seen.push(e.detail.text);
      e.preventDefault();
    });
    await sendFromComposer(el, 'keep this to myself');
    expect(await el.send('nor this')).to.equal(false);
    await settle(el);
    expect(seen).to.deep.equal(['keep this to myself', 'nor this']);
    expect(el.messages).to.deep.equal([]);
    expect(textareaOf(el).value).to.equal('keep this to myself');
    expect(net.posts()).to.equal(0);
  });

  it('an empty or blank message is not sent and stays in the box', async () => {
    const { el, net } = await mountChat();
    const events = recordEvents();
    try {
      await sendFromComposer(el, '   \n  ');
      await sendFromComposer(el, '');
      expect(await el.send(' ')).to.equal(false);
      await settle(el);
      expect(textareaOf(el).value).to.equal('');
      await typeText(el, '  ');
      actionButtonOf(el).click();
      await settle(el);
      expect(textareaOf(el).value).to.equal('  ');
      expect(el.messages).to.deep.equal([]);
      expect(events.names).to.deep.equal([]);
      expect(net.posts()).to.equal(0);
      expect(shownErrors(el)).to.deep.equal([]);
    } finally {
      events.stop();
    }
  });

  it('a message sent while the chat is still loading shows at once, and is sent once it has loaded', async () => {
    const { el, net } = await mountChat({ tokenDelayMs: 3000 });
    const sentAt = performance.now();
    await sendFromComposer(el, 'are you awake? [no-tools] [no-reasoning]');
    await settle(el);
    expect(messageElements(el).map((m) => shadow(m).querySelector('[part="bubble"]')?.textContent)).to.deep.equal(['are you awake? [no-tools] [no-reasoning]']);
    expect(textareaOf(el).value).to.equal('');
    expect(shadow(el).querySelector('.restoring')).to.equal(null);
    expect(performance.now() - sentAt, 'shown before the token came back').to.be.below(3000);
    expect(net.posts()).to.equal(0);
    await expect(el).to.be.accessible();

    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    expect(el.messages.map((m) => m.role)).to.deep.equal(['user', 'assistant']);
    expect(el.messages[0]).to.include({ text: 'are you awake? [no-tools] [no-reasoning]' });
    expect(net.posts()).to.equal(1);
  });

  it('a message sent while loading that the chat then refuses goes back into the box', async () => {
    const { el } = await mountChat({ tokenDelayMs: 800, ttl: -60 });
    await sendFromComposer(el, 'hello?');
    await settle(el);
    expect(el.messages.map((m) => m.text)).to.deep.equal(['hello?']);
    await until(() => shownErrors(el).length > 0, 'the error', 15_000);
    await settle(el);
    expect(shownErrors(el)).to.deep.equal(['The chat server did not accept the sign-in. Try again in a moment, or let the site know if this keeps happening.']);
    expect(textareaOf(el).value).to.equal('hello?');
    expect(el.messages).to.deep.equal([]);
  });

  it('New conversation while a message is still on its way says nothing went wrong and gives the text back', async () => {
    const { el, net } = await mountChat({ tokenDelayMs: 800 });
    const events = recordEvents();
    try {
      await sendFromComposer(el, 'never mind');
      await el.newConversation();
      await until(() => textareaOf(el).value === 'never mind', 'the text back in the box');
      await settle(el);
      expect(shownErrors(el)).to.deep.equal([]);
      expect(el.messages).to.deep.equal([]);
      expect(events.names).to.deep.equal(['agent37-send']);
      expect(net.posts()).to.equal(0);
    } finally {
      events.stop();
    }
  });

  it('a message over the 2 MB request cap is refused before sending, with a clear message, and stays in the box', async () => {
    const { el, net } = await mountChat();
    const huge = 'a'.repeat(2 * 1024 * 1024 + 1);
    const error = oneEvent(el, 'agent37-error');
    let sends = 0;
    el.addEventListener('agent37-send', () => (sends += 1));
    await sendFromComposer(el, huge);
    const event = (await error) as Agent37ErrorEvent;
    expect(event.detail.error).to.be.instanceOf(Agent37Error);
    expect(event.detail.error.code).to.equal('payload_too_large');
    await settle(el);
    expect(shownErrors(el)).to.deep.equal(['This message is too long to send (limit 2 MB).']);
    expect(textareaOf(el).value.length).to.equal(huge.length);
    expect(el.messages).to.deep.equal([]);
    expect(sends).to.equal(0);
    expect(net.posts()).to.equal(0);
  });
});

describe('<agent37-chat>: errors in plain words', () => {
  it('a failed turn says the agent could not answer, and the page hears agent37-error', async () => {
    const { el } = await mountChat();
    const error = oneEvent(el, 'agent37-error');
    await sendFromComposer(el, 'please break [fail] [no-tools]');
    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('failed');
    expect(((await error) as Agent37ErrorEvent).detail.error.code).to.equal('agent_error');
    await settle(el);
    expect(shownErrors(el)).to.deep.equal(['The agent could not answer. Try again in a moment. Retry']);
    // the next message goes out normally
    await sendFromComposer(el, 'try again [no-tools] [no-reasoning]');
    expect((await untilAnswerEnds(el)).status).to.equal('complete');
  });

  it('a message the server refused (409 session_busy) is explained and put back in the box', async () => {
    const net = new RecordingFetch().add({ when: isPost, fault: 'status=409', times: 1 });
    const { el } = await mountChat({ net });
    const error = oneEvent(el, 'agent37-error');
    await sendFromComposer(el, 'are you there?');
    expect(((await error) as Agent37ErrorEvent).detail.error.code).to.equal('session_busy');
    await until(() => shownErrors(el).length > 0, 'the error');
    expect(shownErrors(el)).to.deep.equal(['The agent is still answering your previous message.']);
    expect(textareaOf(el).value).to.equal('are you there?');
    expect(el.messages.filter((m) => m.role === 'user')).to.deep.equal([]);
    expect(net.posts(), 'never re-sent').to.equal(1);
  });

  it('a token the relay keeps refusing (expired even when fresh) says the server did not accept the sign-in', async () => {
    const { el } = await mountChat({ ttl: -60 });
    await sendFromComposer(el, 'hello?');
    await until(() => shownErrors(el).length > 0, 'the error', 15_000);
    expect(shownErrors(el)).to.deep.equal(['The chat server did not accept the sign-in. Try again in a moment, or let the site know if this keeps happening.']);
    expect(textareaOf(el).value).to.equal('hello?');
  });

  it('without token-url it says it is not set up, and sends nothing', async () => {
    const el = await fixture<Agent37Chat>(html`<agent37-chat style="height: 400px"></agent37-chat>`);
    expect(await el.send('hello')).to.equal(false);
    await settle(el);
    expect(shownErrors(el)).to.deep.equal(['This chat is not set up yet: the page must give it a token-url.']);
  });
});

describe('<agent37-chat>: events', () => {
  it('fires send, session-change, response-created, response-completed in that order, with their details', async () => {
    const { el } = await mountChat();
    const events = recordEvents();
    try {
      el.model = 'some-model';
      el.greeting = 'changed';
      el.persistKey = el.persistKey;
      await settle(el);
      expect(events.names, 'nothing for a property set').to.deep.equal([]);

      expect(await el.send('events please [no-tools] [no-reasoning]')).to.equal(true);
      const answer = await untilAnswerEnds(el);
      await until(() => events.names.length >= 4, 'the events');
      expect(events.names).to.deep.equal(['agent37-send', 'agent37-session-change', 'agent37-response-created', 'agent37-response-completed']);
      const [send, session, created, completed] = events.events as [any, any, any, any];
      for (const e of events.events) {
        expect(e.bubbles && e.composed, e.type).to.equal(true);
        expect(e.target).to.equal(el);
      }
      expect(send.cancelable).to.equal(true);
      expect(send.detail).to.deep.equal({ text: 'events please [no-tools] [no-reasoning]' });
      expect(session.detail).to.deep.equal({ sessionId: el.sessionId });
      expect(created.detail.sessionId).to.equal(el.sessionId);
      expect(created.detail.responseId).to.equal(answer.responseId);
      expect(completed.detail.text).to.equal(answer.text);
      expect(completed.detail.status).to.equal('complete');
      expect(completed.detail.usage).to.have.property('output_tokens').that.is.a('number');

      // the second message of a session changes no session
      events.names.length = 0;
      await el.send('again [no-tools] [no-reasoning]');
      await untilAnswerEnds(el);
      await until(() => events.names.length >= 3, 'the events');
      expect(events.names).to.deep.equal(['agent37-send', 'agent37-response-created', 'agent37-response-completed']);
    } finally {
      events.stop();
    }
  });
});

describe('<agent37-chat>: keyboard', () => {
  it('Enter sends, Shift+Enter adds a line, and nothing is sent while an input method composes', async () => {
    const { el, net } = await mountChat();
    textareaOf(el).focus();
    await sendKeys({ type: 'first line' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: 'second line' });
    await composerOf(el).updateComplete;
    expect(textareaOf(el).value).to.equal('first line\nsecond line');
    expect(el.messages).to.deep.equal([]);

    textareaOf(el).dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true }));
    await settle(el);
    expect(el.messages).to.deep.equal([]);
    expect(net.posts()).to.equal(0);

    await sendKeys({ press: 'Enter' });
    await until(() => el.messages.length > 0, 'the message');
    expect(el.messages[0]).to.include({ role: 'user', text: 'first line\nsecond line' });
    expect(textareaOf(el).value).to.equal('');
    await untilAnswerEnds(el);
  });

  it('every control is reachable with Tab and shows a visible focus ring', async () => {
    const { el } = await mountChat();
    await sendFromComposer(el, 'something with a table and code [no-tools]');
    await untilAnswerEnds(el);
    const newConversation = shadow(el).querySelector<HTMLButtonElement>('[part="new-conversation-button"]')!;
    newConversation.focus();
    const reached: string[] = [];
    // Through the header, the conversation (and the answer's own controls: code Copy buttons,
    // scrolling tables), to the message box and Send.
    for (let i = 0; i < 30; i++) {
      const focused = deepActiveElement();
      reached.push(focused?.getAttribute('part') ?? focused?.tagName.toLowerCase() ?? 'none');
      if (focused) expect(getComputedStyle(focused).outlineStyle, `focus ring on ${reached.at(-1)}`).to.not.equal('none');
      // never Tab past the page's last control: Firefox would leave its window unfocused for the files after this one
      if (reached.at(-1) === 'send-button') break;
      await sendKeys({ press: 'Tab' });
    }
    expect(reached.slice(0, 2)).to.deep.equal(['new-conversation-button', 'messages']);
    expect(reached.slice(-2)).to.deep.equal(['input', 'send-button']);
  });
});

describe('<agent37-chat>: scrolling', () => {
  it('follows the answer, and offers "Jump to latest" once the visitor scrolled up', async () => {
    const net = new RecordingFetch().add({ when: isPost, pace: '10' });
    const { el } = await mountChat({ net });
    await sendFromComposer(el, 'a long answer [chars=30000] [no-tools] [no-reasoning]');
    const log = logOf(el);
    await until(() => log.scrollHeight > log.clientHeight + 200, 'the answer to overflow');
    await settle(el);
    expect(log.scrollHeight - log.scrollTop - log.clientHeight, 'pinned to the bottom').to.be.lessThan(40);
    expect(shadow(el).querySelector('[part="jump-button"]')).to.equal(null);

    log.scrollTop = 0;
    await until(() => shadow(el).querySelector('[part="jump-button"]') !== null, 'the Jump to latest button');
    const height = log.scrollHeight;
    await until(() => log.scrollHeight > height + 50 || lastAnswer(el)?.status === 'complete', 'more text');
    expect(log.scrollTop, 'stays where the visitor is reading').to.be.lessThan(5);

    const jump = shadow(el).querySelector<HTMLButtonElement>('[part="jump-button"]')!;
    expect(jump.textContent?.trim()).to.equal('Jump to latest');
    jump.click();
    await settle(el);
    expect(log.scrollHeight - log.scrollTop - log.clientHeight).to.be.lessThan(40);
    expect(shadow(el).querySelector('[part="jump-button"]')).to.equal(null);
    await el.cancel();
    await untilAnswerEnds(el);
  });
});

function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}
