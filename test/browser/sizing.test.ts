/**
 * How tall <agent37-chat> is, in real Chromium and Firefox against the test stack: with no height
 * from the page, 600 px (at most the viewport), scrolling inside and never growing with the answers;
 * with a height from the page (its own, or its parent's through `height: 100%`), exactly that. The
 * message box stays in view either way.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import { failOnLitWarnings, logOf, shadow, uniqueName, until, untilAnswerEnds } from './element-harness.js';

failOnLitWarnings();

after(async () => {
  await setViewport({ width: 800, height: 600 });
});

/** A chat on the test stack inside `container` (a template with a `.slot` element), or bare. */
async function mount(container?: (chat: unknown) => ReturnType<typeof html>): Promise<Agent37Chat> {
  const chat = html`<agent37-chat token-url=${`/api/agent37/token?user=${uniqueName('u')}`} persist-key=${uniqueName('k')}></agent37-chat>`;
  const root = await fixture<HTMLElement>(container ? container(chat) : html`<div>${chat}</div>`);
  const el = root.querySelector('agent37-chat')!;
  await until(() => shadow(el).querySelector('.restoring') === null, 'the chat to finish restoring');
  return el;
}

const heightOf = (el: Element) => Math.round(el.getBoundingClientRect().height);

/** The message box is inside the chat, at its bottom, and on screen once the chat is (never below its end). */
function expectComposerInView(el: Agent37Chat) {
  el.scrollIntoView({ block: 'nearest' });
  const chat = shadow(el).querySelector('.chat')!.getBoundingClientRect();
  const composer = shadow(el).querySelector('agent37-composer')!.getBoundingClientRect();
  expect(composer.height).to.be.greaterThan(30);
  expect(Math.abs(chat.bottom - composer.bottom)).to.be.at.most(1.5);
  expect(composer.bottom).to.be.at.most(document.documentElement.clientHeight + 0.5);
}

async function longAnswer(el: Agent37Chat) {
  for (const question of ['tell me everything [no-tools]', 'and more [no-tools]']) {
    expect(await el.send(question)).to.equal(true);
    await untilAnswerEnds(el);
  }
  const log = logOf(el);
  expect(log.scrollHeight, 'the conversation is taller than the log').to.be.greaterThan(log.clientHeight + 200);
}

describe('<agent37-chat> size', () => {
  it('with no height from the page: 600 px, and still 600 px after long answers, scrolling inside, the message box in view', async () => {
    await setViewport({ width: 1000, height: 900 });
    const el = await mount();
    expect(heightOf(el)).to.equal(600);
    expectComposerInView(el);
    await longAnswer(el);
    expect(heightOf(el)).to.equal(600);
    const log = logOf(el);
    expect(Math.abs(log.scrollHeight - log.clientHeight - log.scrollTop), 'scrolled to the latest').to.be.at.most(2);
    expectComposerInView(el);
  });

  it('with no height from the page on a short viewport: the viewport\'s height', async () => {
    await setViewport({ width: 800, height: 450 });
    const el = await mount();
    expect(heightOf(el)).to.equal(document.documentElement.clientHeight);
    await longAnswer(el);
    expect(heightOf(el)).to.equal(document.documentElement.clientHeight);
    expectComposerInView(el);
  });

  it('fills a parent of 400 px through height: 100%, after long answers too', async () => {
    await setViewport({ width: 1000, height: 900 });
    const el = await mount((chat) => html`<div style="height: 400px">${chat}</div>`);
    expect(heightOf(el)).to.equal(400);
    await longAnswer(el);
    expect(heightOf(el)).to.equal(400);
    expectComposerInView(el);
  });

  it('fills a parent of 900 px (taller than the default)', async () => {
    await setViewport({ width: 1000, height: 1000 });
    const el = await mount((chat) => html`<div style="height: 900px">${chat}</div>`);
    expect(heightOf(el)).to.equal(900);
    expect(heightOf(shadow(el).querySelector('.chat')!)).to.equal(900);
    expectComposerInView(el);
  });

  it('takes a height set on the element itself, and a flex parent\'s', async () => {
    await setViewport({ width: 1000, height: 900 });
    const own = await mount((chat) => html`<div>${chat}</div>`);
    own.style.height = '350px';
    expect(heightOf(shadow(own).querySelector('.chat')!)).to.equal(350);
    const flexed = await mount((chat) => html`<div style="display: flex; flex-direction: column; height: 500px"><header style="height: 100px"></header>${chat}</div>`);
    flexed.style.flex = '1';
    flexed.style.minHeight = '0';
    expect(heightOf(shadow(flexed).querySelector('.chat')!)).to.equal(400);
    expectComposerInView(flexed);
  });
});
