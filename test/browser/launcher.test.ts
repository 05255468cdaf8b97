/**
 * `mode="launcher"` in real Chromium and Firefox against the test stack: a round button fixed in a
 * bottom corner opens the chat in a floating, non-modal panel (full-screen on a phone); focus goes in
 * and comes back; the open state is kept per persist-key; an unread dot tells of an answer that
 * finished while the panel was closed; a page's own button can stand in for the round one.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import { Agent37CloseEvent, Agent37OpenEvent } from '../../src/events.js';
import { emulateMedia, failOnLitWarnings, mountChat, shadow, textareaOf, uniqueName, until, untilAnswerEnds, type MountOptions } from './element-harness.js';

failOnLitWarnings();

const WIDTH = 1024;
const HEIGHT = 768;
const EDGE = 20;
const SIZE = 56;

beforeEach(async () => {
  await setViewport({ width: WIDTH, height: HEIGHT });
});

after(async () => {
  await setViewport({ width: 800, height: 600 });
});

function mountLauncher(o: MountOptions = {}) {
  return mountChat({ ...o, attributes: { mode: 'launcher', ...o.attributes } });
}

const launcherOf = (el: Agent37Chat) => shadow(el).querySelector<HTMLButtonElement>('[part="launcher-button"]')!;
const panelOf = (el: Agent37Chat) => shadow(el).querySelector<HTMLElement>('[part="panel"]')!;
const closeButtonOf = (el: Agent37Chat) => shadow(el).querySelector<HTMLButtonElement>('[part="close-button"]')!;
const unreadDotOf = (el: Agent37Chat) => shadow(el).querySelector('[part="unread-dot"]');

/** Shown, and done animating in. */
function panelShown(el: Agent37Chat): boolean {
  const style = getComputedStyle(panelOf(el));
  return style.visibility === 'visible' && style.opacity === '1';
}

function panelHidden(el: Agent37Chat): boolean {
  return getComputedStyle(panelOf(el)).visibility === 'hidden';
}

/** What has focus, through the shadow roots. */
function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

function viewport() {
  return { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight };
}

/** The agent37-open / agent37-close events heard on the document (they bubble and compose). */
function recordOpenClose() {
  const heard: Event[] = [];
  const listener = (e: Event) => heard.push(e);
  document.addEventListener('agent37-open', listener);
  document.addEventListener('agent37-close', listener);
  return {
    heard,
    types: () => heard.map((e) => e.type),
    stop() {
      document.removeEventListener('agent37-open', listener);
      document.removeEventListener('agent37-close', listener);
    },
  };
}

describe('<agent37-chat mode="launcher">', () => {
  it('is a round button fixed at the bottom-right corner, the panel hidden; the element takes no room in the page', async () => {
    const { el } = await mountLauncher();
    const button = launcherOf(el);
    const rect = button.getBoundingClientRect();
    const { width, height } = viewport();
    expect(Math.round(rect.right)).to.equal(width - EDGE);
    expect(Math.round(rect.bottom)).to.equal(height - EDGE);
    expect([Math.round(rect.width), Math.round(rect.height)]).to.deep.equal([SIZE, SIZE]);
    expect(getComputedStyle(button).borderRadius).to.equal('50%');
    expect(getComputedStyle(button).position === 'fixed' || getComputedStyle(button.parentElement!.parentElement!).position === 'fixed').to.equal(true);
    expect(Number(getComputedStyle(shadow(el).querySelector('.corner')!).zIndex)).to.be.greaterThan(1_000_000);
    expect(panelHidden(el)).to.equal(true);
    expect(button.getAttribute('aria-label')).to.equal('Open chat');
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    expect(button.getAttribute('aria-controls')).to.equal(panelOf(el).id);
    // no box of its own in the page (what it shows is fixed to the viewport)
    expect(getComputedStyle(el).display).to.equal('contents');
  });

  it('position="bottom-left" moves the button and the panel to the other corner', async () => {
    const { el } = await mountLauncher({ attributes: { position: 'bottom-left' } });
    const rect = launcherOf(el).getBoundingClientRect();
    expect(Math.round(rect.left)).to.equal(EDGE);
    expect(Math.round(rect.bottom)).to.equal(viewport().height - EDGE);
    el.open();
    await until(() => panelShown(el), 'the panel to open');
    const panel = panelOf(el).getBoundingClientRect();
    expect(Math.round(panel.left)).to.equal(EDGE);
  });

  it('opens a panel of 400 × 640 px above the button, a labelled non-modal dialog, focus in the message box', async () => {
    const { el } = await mountLauncher({ attributes: { heading: 'Support' } });
    launcherOf(el).click();
    await until(() => panelShown(el), 'the panel to open');
    const panel = panelOf(el);
    const rect = panel.getBoundingClientRect();
    const { width, height } = viewport();
    expect([Math.round(rect.width), Math.round(rect.height)]).to.deep.equal([400, 640]);
    expect(Math.round(rect.right)).to.equal(width - EDGE);
    // above the button, with a gap
    expect(rect.bottom).to.be.at.most(launcherOf(el).getBoundingClientRect().top - 8);
    expect(Math.round(rect.bottom)).to.equal(height - EDGE - SIZE - 16);
    expect(panel.getAttribute('role')).to.equal('dialog');
    expect(panel.getAttribute('aria-modal')).to.equal('false');
    const title = shadow(el).getElementById(panel.getAttribute('aria-labelledby')!);
    expect(title?.textContent?.trim()).to.equal('Support');
    expect(deepActiveElement()).to.equal(textareaOf(el));
    expect(launcherOf(el).getAttribute('aria-expanded')).to.equal('true');
    expect(launcherOf(el).getAttribute('aria-label')).to.equal('Close chat');
    // the composer is in view inside the panel
    const composer = shadow(el).querySelector('agent37-composer')!.getBoundingClientRect();
    expect(composer.bottom).to.be.at.most(rect.bottom + 0.5);
    expect(composer.height).to.be.greaterThan(30);
  });

  it('with the chat disabled, opening puts focus on the panel itself', async () => {
    const { el } = await mountLauncher({ attributes: { disabled: '' } });
    el.open();
    await until(() => deepActiveElement() === panelOf(el), 'focus on the panel');
    await sendKeys({ press: 'Escape' });
    await until(() => panelHidden(el), 'the panel to close');
    expect(deepActiveElement()).to.equal(launcherOf(el));
  });

  it('the panel is capped by a small viewport', async () => {
    await setViewport({ width: 700, height: 500 });
    const { el } = await mountLauncher();
    el.open();
    await until(() => panelShown(el), 'the panel to open');
    const rect = panelOf(el).getBoundingClientRect();
    expect(Math.round(rect.width)).to.equal(400);
    expect(Math.round(rect.height)).to.equal(viewport().height - 2 * EDGE - SIZE - 16);
    expect(rect.top).to.be.at.least(EDGE - 0.5);
  });

  it('closes with the close button, Escape and the launcher; focus comes back to the launcher each time', async () => {
    const { el } = await mountLauncher();
    const button = launcherOf(el);

    button.click();
    await until(() => deepActiveElement() === textareaOf(el), 'focus in the message box');
    closeButtonOf(el).click();
    await until(() => panelHidden(el), 'the panel to close');
    expect(deepActiveElement()).to.equal(button);
    expect(button.getAttribute('aria-expanded')).to.equal('false');

    button.click();
    await until(() => deepActiveElement() === textareaOf(el), 'focus in the message box');
    await sendKeys({ press: 'Escape' });
    await until(() => panelHidden(el), 'the panel to close on Escape');
    expect(deepActiveElement()).to.equal(button);

    button.click();
    await until(() => panelShown(el), 'the panel to open');
    button.click();
    await until(() => panelHidden(el), 'the panel to close from the launcher');
    expect(closeButtonOf(el).getAttribute('aria-label')).to.equal('Close chat');
  });

  it('the close button is in the header, and only in launcher mode', async () => {
    const { el } = await mountLauncher();
    expect(closeButtonOf(el).closest('[part="header"]')).to.not.equal(null);
    el.mode = 'inline';
    await el.updateComplete;
    expect(closeButtonOf(el)).to.equal(null);
    expect(launcherOf(el)).to.equal(null);
    expect(shadow(el).querySelector('[role="dialog"]')).to.equal(null);
  });

  it('open(), close() and toggle() open and close it and fire agent37-open / agent37-close; nothing while already so', async () => {
    const { el } = await mountLauncher();
    const events = recordOpenClose();
    try {
      const opened = oneEvent(el, 'agent37-open');
      el.open();
      expect(await opened).to.be.an.instanceOf(Agent37OpenEvent);
      await until(() => panelShown(el), 'the panel to open');
      el.open();
      const closed = oneEvent(el, 'agent37-close');
      el.close();
      const event = await closed;
      expect(event).to.be.an.instanceOf(Agent37CloseEvent);
      expect([event.bubbles, event.composed]).to.deep.equal([true, true]);
      await until(() => panelHidden(el), 'the panel to close');
      el.close();
      el.toggle();
      await until(() => panelShown(el), 'toggle to open');
      el.toggle();
      await until(() => panelHidden(el), 'toggle to close');
      expect(events.types()).to.deep.equal(['agent37-open', 'agent37-close', 'agent37-open', 'agent37-close']);
    } finally {
      events.stop();
    }
  });

  it('close() from code leaves focus where the visitor has it', async () => {
    const { el } = await mountLauncher();
    const outside = await fixture<HTMLInputElement>(html`<input aria-label="Search the site" />`);
    el.open();
    await until(() => panelShown(el), 'the panel to open');
    outside.focus();
    el.close();
    await until(() => panelHidden(el), 'the panel to close');
    expect(document.activeElement).to.equal(outside);
  });

  it('in inline mode the methods do nothing', async () => {
    const { el } = await mountChat();
    const events = recordOpenClose();
    try {
      el.open();
      el.toggle();
      el.close();
      await el.updateComplete;
      expect(events.heard).to.deep.equal([]);
      expect(shadow(el).querySelector('[part="panel"], [part="launcher-button"]')).to.equal(null);
    } finally {
      events.stop();
    }
  });

  it('keeps the open state per persist-key across a reload (without an event or taking focus); another key starts closed', async () => {
    const persistKey = uniqueName('k');
    const first = await mountLauncher({ persistKey });
    first.el.open();
    await until(() => panelShown(first.el), 'the panel to open');
    first.el.remove();

    const outside = await fixture<HTMLInputElement>(html`<input aria-label="Search the site" />`);
    outside.focus();
    const events = recordOpenClose();
    try {
      const again = await mountLauncher({ persistKey, user: first.user });
      await until(() => panelShown(again.el), 'the panel to be open again');
      expect(events.heard).to.deep.equal([]);
      expect(document.activeElement).to.equal(outside);
      expect(launcherOf(again.el).getAttribute('aria-expanded')).to.equal('true');

      const other = await mountLauncher({ user: first.user });
      expect(panelHidden(other.el)).to.equal(true);

      again.el.close();
      await until(() => panelHidden(again.el), 'the panel to close');
      again.el.remove();
      const third = await mountLauncher({ persistKey, user: first.user });
      expect(panelHidden(third.el)).to.equal(true);
    } finally {
      events.stop();
    }
  });

  it('with storage blocked, it still opens and closes (the state kept in memory)', async () => {
    const { getItem, setItem, removeItem } = Storage.prototype;
    const blocked = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    Storage.prototype.getItem = blocked;
    Storage.prototype.setItem = blocked;
    Storage.prototype.removeItem = blocked;
    try {
      const { el } = await mountLauncher();
      el.open();
      await until(() => panelShown(el), 'the panel to open');
      el.close();
      await until(() => panelHidden(el), 'the panel to close');
    } finally {
      Object.assign(Storage.prototype, { getItem, setItem, removeItem });
    }
  });

  it('an answer that finished while the panel was closed puts an unread dot on the launcher, and its name says so; opening clears it', async () => {
    const { el } = await mountLauncher();
    expect(unreadDotOf(el)).to.equal(null);
    expect(await el.send('hello while closed [no-tools] [no-reasoning]')).to.equal(true);
    await untilAnswerEnds(el);
    await until(() => unreadDotOf(el) !== null, 'the unread dot');
    expect(launcherOf(el).getAttribute('aria-label')).to.equal('Open chat, new answer');
    expect(getComputedStyle(unreadDotOf(el)!).display).to.not.equal('none');
    await expect(el).to.be.accessible();

    el.open();
    await el.updateComplete;
    expect(unreadDotOf(el)).to.equal(null);
    expect(launcherOf(el).getAttribute('aria-label')).to.equal('Close chat');

    // an answer read as it comes: no dot
    await until(() => panelShown(el), 'the panel to open');
    expect(await el.send('and one while open [no-tools] [no-reasoning]')).to.equal(true);
    await untilAnswerEnds(el);
    el.close();
    await el.updateComplete;
    expect(unreadDotOf(el)).to.equal(null);
    expect(launcherOf(el).getAttribute('aria-label')).to.equal('Open chat');
  });

  it('a slotted launcher replaces the round one: its clicks open and close the panel, it gets aria-expanded and focus back', async () => {
    const el = await fixture<Agent37Chat>(html`<agent37-chat mode="launcher" persist-key=${uniqueName('k')}>
      <button slot="launcher" type="button">Chat with us</button>
    </agent37-chat>`);
    const own = el.querySelector('button')!;
    const slot = shadow(el).querySelector<HTMLSlotElement>('slot[name="launcher"]')!;
    expect(slot.assignedElements()).to.deep.equal([own]);
    // the round button is the fallback, not shown
    expect(launcherOf(el).getClientRects().length).to.equal(0);
    expect(own.getAttribute('aria-expanded')).to.equal('false');

    own.click();
    await until(() => panelShown(el), 'the panel to open');
    expect(own.getAttribute('aria-expanded')).to.equal('true');
    expect(deepActiveElement()).to.equal(textareaOf(el));
    await sendKeys({ press: 'Escape' });
    await until(() => panelHidden(el), 'the panel to close');
    expect(document.activeElement).to.equal(own);
    expect(own.getAttribute('aria-expanded')).to.equal('false');
  });

  it('on a viewport 480 px wide or less, the panel is full-screen', async () => {
    await setViewport({ width: 400, height: 700 });
    const { el } = await mountLauncher();
    el.open();
    await until(() => panelShown(el), 'the panel to open');
    const rect = panelOf(el).getBoundingClientRect();
    const { width, height } = viewport();
    expect([rect.left, rect.top, Math.round(rect.width), Math.round(rect.height)]).to.deep.equal([0, 0, width, height]);
    // the close button is on screen
    const close = closeButtonOf(el).getBoundingClientRect();
    expect(close.right).to.be.at.most(width);
    expect(close.top).to.be.at.least(0);
    await expect(el).to.be.accessible();
  });

  it('leaves the page usable around the open panel: no backdrop, no focus trap', async () => {
    const page = await fixture<HTMLDivElement>(html`<div><button type="button" style="position: fixed; top: 10px; left: 10px">Site menu</button></div>`);
    const { el } = await mountLauncher();
    const siteButton = page.querySelector('button')!;
    let clicks = 0;
    siteButton.addEventListener('click', () => (clicks += 1));
    el.open();
    await until(() => panelShown(el), 'the panel to open');
    const at = siteButton.getBoundingClientRect();
    expect(document.elementFromPoint(at.left + 5, at.top + 5)).to.equal(siteButton);
    siteButton.click();
    siteButton.focus();
    expect(clicks).to.equal(1);
    expect(document.activeElement).to.equal(siteButton);
    expect(panelShown(el), 'still open').to.equal(true);
  });

  it('animates opening and closing (opacity and a small move) only under prefers-reduced-motion: no-preference', async () => {
    const { el } = await mountLauncher();
    const transition = () => {
      const style = getComputedStyle(panelOf(el));
      return { property: style.transitionProperty, longest: Math.max(...style.transitionDuration.split(',').map((d) => parseFloat(d))) };
    };
    try {
      await emulateMedia({ 'prefers-reduced-motion': 'no-preference' });
      expect(transition().property).to.contain('opacity');
      expect(transition().property).to.contain('transform');
      expect(transition().longest).to.be.greaterThan(0);
      expect(getComputedStyle(panelOf(el)).transform, 'closed: moved a little').to.not.equal('none');
      await emulateMedia({ 'prefers-reduced-motion': 'reduce' });
      expect(transition().longest).to.equal(0);
      // and it still opens and closes at once
      el.open();
      await until(() => panelShown(el), 'the panel to open');
      el.close();
      await until(() => panelHidden(el), 'the panel to close');
    } finally {
      await emulateMedia({ 'prefers-reduced-motion': '' });
    }
  });

  it('is accessible (axe) closed and open, in light and dark', async () => {
    for (const theme of ['light', 'dark']) {
      const { el } = await mountLauncher({ attributes: { theme } });
      await expect(el).to.be.accessible();
      el.open();
      await until(() => panelShown(el), 'the panel to open');
      await expect(el).to.be.accessible();
    }
  });

  it('works from the keyboard alone: Tab to the launcher, Enter opens, type and Enter sends, Escape closes', async () => {
    const before = await fixture<HTMLInputElement>(html`<input aria-label="Search the site" />`);
    const { el } = await mountLauncher();
    before.focus();
    await sendKeys({ press: 'Tab' });
    expect(deepActiveElement()).to.equal(launcherOf(el));
    await sendKeys({ press: 'Enter' });
    await until(() => launcherOf(el).getAttribute('aria-expanded') === 'true', 'Enter to open the panel');
    await until(() => deepActiveElement() === textareaOf(el), 'focus in the message box');
    await sendKeys({ type: 'typed on the keyboard [no-tools] [no-reasoning]' });
    await sendKeys({ press: 'Enter' });
    await until(() => el.messages.some((m) => m.role === 'user' && m.text === 'typed on the keyboard [no-tools] [no-reasoning]'), 'the message to be sent');
    await untilAnswerEnds(el);
    await sendKeys({ press: 'Escape' });
    await until(() => panelHidden(el), 'the panel to close');
    expect(deepActiveElement()).to.equal(launcherOf(el));
  });

  it('switched from inline to launcher and back, it still follows a growing answer, and a page rule cannot give the launcher host a box', async () => {
    const style = document.createElement('style');
    style.textContent = 'agent37-chat { display: block !important; transform: translateZ(0); }';
    document.head.append(style);
    try {
      const { el } = await mountChat();
      el.mode = 'launcher';
      await el.updateComplete;
      el.open();
      await until(() => panelShown(el), 'the panel to open');
      // the panel is fixed to the viewport, not trapped in a transformed host box
      const panel = panelOf(el).getBoundingClientRect();
      expect(WIDTH - panel.right).to.be.closeTo(EDGE, 2);
      await el.send('a long one please [chars=3000]');
      await untilAnswerEnds(el);
      const log = shadow(el).querySelector<HTMLElement>('[role="log"]')!;
      await until(() => log.scrollHeight - log.scrollTop - log.clientHeight < 40, 'the log to follow the answer to its end');
      el.mode = 'inline';
      await el.updateComplete;
      await el.send('and another [chars=3000]');
      await untilAnswerEnds(el);
      const inlineLog = shadow(el).querySelector<HTMLElement>('[role="log"]')!;
      await until(() => inlineLog.scrollHeight - inlineLog.scrollTop - inlineLog.clientHeight < 40, 'the inline log to follow too');
    } finally {
      style.remove();
    }
  });
});
