/**
 * The host page's styles stay out of <agent37-chat>, in real Chromium and Firefox against the test
 * stack: a hostile stylesheet (a Tailwind-like preflight, an uppercase, centred, italic, spaced-out
 * body, `*` rules and rules on the element itself) changes nothing of what the visitor reads in the
 * chat: messages, the answer's text and code, the message box. The same on a page whose chat server
 * is on another origin. Direction comes from `dir` alone, and the colour scheme from `theme`.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import {
  emulateColorScheme,
  failOnLitWarnings,
  logOf,
  messageElements,
  mountChat,
  settle,
  shadow,
  textareaOf,
  uniqueName,
  until,
  untilAnswerEnds,
} from './element-harness.js';

failOnLitWarnings();

const HOSTILE_CSS = `
  *, ::before, ::after { box-sizing: border-box; border-width: 0; border-style: solid; border-color: #e5e7eb; margin: 0; padding: 0; }
  html { line-height: 1.5; -webkit-text-size-adjust: 100%; tab-size: 4; font-family: ui-sans-serif, system-ui; }
  button, input, textarea, select { font: inherit; color: inherit; margin: 0; padding: 0; background-color: transparent; text-transform: none; }
  button { cursor: pointer; }
  img, svg, video { display: block; max-width: 100%; height: auto; }
  ol, ul { list-style: none; }
  h1, h2, h3, h4, h5, h6 { font-size: inherit; font-weight: inherit; }
  pre, code { font-family: monospace; font-size: 1em; }
  body { text-transform: uppercase; text-align: center; font-style: italic; letter-spacing: 3px; word-spacing: 8px; line-height: 3; color: red; font-family: serif; }
  * { text-transform: uppercase; font-style: italic; letter-spacing: 3px; word-spacing: 8px; text-align: center; text-indent: 2em; text-shadow: 1px 1px 0 lime; white-space: pre; font-weight: 800; font-variant: small-caps; color: red; direction: rtl; }
  agent37-chat { font: italic 900 30px/4 cursive; text-align: right; color: blue; direction: rtl; border-width: 0; background: yellow; }
`;

/** The computed properties that must not move, per element the visitor reads. */
const TEXT_PROPERTIES = [
  'text-transform',
  'font-style',
  'font-weight',
  'font-variant-caps',
  'font-family',
  'font-size',
  'letter-spacing',
  'word-spacing',
  'line-height',
  'text-align',
  'text-indent',
  'text-shadow',
  'white-space',
  'color',
  'direction',
] as const;

/** Every element of `root`, through shadow roots. */
function deepElements(root: ParentNode): Element[] {
  const found: Element[] = [];
  for (const node of root.querySelectorAll('*')) {
    found.push(node);
    if (node.shadowRoot) found.push(...deepElements(node.shadowRoot));
  }
  return found;
}

/** What the visitor reads: the user's bubble, the answer's paragraph, code block, table cell, the message box, the header. */
function readables(el: Agent37Chat): Record<string, Element> {
  const [question, answer] = messageElements(el);
  const inAnswer = deepElements(shadow(answer!));
  const first = (selector: string) => {
    const found = inAnswer.find((node) => node.matches(selector));
    expect(found, selector).to.not.equal(undefined);
    return found!;
  };
  return {
    userBubble: shadow(question!).querySelector('[part="bubble"]')!,
    paragraph: first('p'),
    heading: first('h2'),
    tableCell: first('td'),
    code: first('pre code, pre'),
    codeHeader: first('[part="code-header"]'),
    textarea: textareaOf(el),
    title: shadow(el).querySelector('.header__title')!,
    newConversation: shadow(el).querySelector('[part="new-conversation-button"]')!,
  };
}

function snapshot(el: Agent37Chat): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, node] of Object.entries(readables(el))) {
    const style = getComputedStyle(node);
    out[name] = Object.fromEntries(TEXT_PROPERTIES.map((p) => [p, style.getPropertyValue(p)]));
  }
  const frame = getComputedStyle(shadow(el).querySelector('.chat')!);
  out['frame'] = {
    border: `${frame.borderTopWidth} ${frame.borderTopStyle} ${frame.borderTopColor}`,
    radius: frame.borderTopLeftRadius,
    background: frame.backgroundColor,
    boxSizing: frame.boxSizing,
  };
  const send = shadow(shadow(el).querySelector('agent37-composer')!).querySelector('button')!.getBoundingClientRect();
  out['sendButton'] = { size: `${Math.round(send.width)}×${Math.round(send.height)}` };
  return out;
}

async function chatWithAnswer(): Promise<Agent37Chat> {
  const { el } = await mountChat();
  expect(await el.send('show me some code [no-tools] [no-reasoning]')).to.equal(true);
  await untilAnswerEnds(el);
  await until(() => deepElements(shadow(messageElements(el)[1]!)).some((node) => node.matches('pre')), 'the code block');
  await settle(el);
  return el;
}

function addStylesheet(text: string): HTMLStyleElement {
  const style = document.createElement('style');
  style.textContent = text;
  document.head.append(style);
  return style;
}

let clean: Record<string, Record<string, string>>;

describe('<agent37-chat> on a page with hostile styles', () => {
  before(async () => {
    // what the chat looks like on a page that styles nothing
    const el = await chatWithAnswer();
    clean = snapshot(el);
  });

  it('the clean page gives the chat its own typography (the baseline is sound)', () => {
    expect(clean['paragraph']!['text-transform']).to.equal('none');
    expect(clean['paragraph']!['font-style']).to.equal('normal');
    expect(clean['paragraph']!['direction']).to.equal('ltr');
    expect(clean['code']!['font-family']).to.match(/monospace/);
    expect(clean['frame']!['border']).to.match(/^1px solid/);
  });

  it('a Tailwind-like preflight, an uppercase, centred, italic body and `*` rules change nothing in messages, code or the message box', async () => {
    const style = addStylesheet(HOSTILE_CSS);
    try {
      const el = await chatWithAnswer();
      // the page's rules do reach the page (the stylesheet is live)
      expect(getComputedStyle(document.body).textTransform).to.equal('uppercase');
      const hostile = snapshot(el);
      expect(hostile).to.deep.equal(clean);
      // and in the words of the issue
      for (const name of ['paragraph', 'code', 'textarea', 'userBubble']) {
        const style = getComputedStyle(readables(el)[name]!);
        expect([style.textTransform, style.fontStyle, style.letterSpacing, style.wordSpacing, style.textIndent], name).to.deep.equal(['none', 'normal', 'normal', '0px', '0px']);
        expect(style.textAlign, name).to.be.oneOf(['start', 'left']);
      }
      // the composer still sits at the bottom of the chat, in view
      const chat = shadow(el).querySelector('.chat')!.getBoundingClientRect();
      const composer = shadow(el).querySelector('agent37-composer')!.getBoundingClientRect();
      expect(Math.round(chat.bottom - composer.bottom)).to.be.at.most(1);
      await expect(el).to.be.accessible();
    } finally {
      style.remove();
    }
  });

  it('the same with the chat server on another origin (token endpoint and relay there)', async () => {
    const { origin } = (await (await fetch('/__stack/cross-origin')).json()) as { origin: string };
    expect(origin).to.not.equal(location.origin);
    const visitor = uniqueName('visitor');
    document.cookie = `visitor=${encodeURIComponent(visitor)}; path=/; SameSite=Lax`;
    const style = addStylesheet(HOSTILE_CSS);
    try {
      const el = await fixture<Agent37Chat>(html`<agent37-chat
        style="height: 480px; width: 640px"
        token-url=${`${origin}/api/agent37/token`}
        token-credentials="include"
        persist-key=${uniqueName('k')}
      ></agent37-chat>`);
      await until(() => shadow(el).querySelector('.restoring') === null, 'the chat to finish restoring', 15_000);
      expect(await el.send('show me some code from afar [no-tools] [no-reasoning]')).to.equal(true);
      await untilAnswerEnds(el, 30_000);
      await until(() => deepElements(shadow(messageElements(el)[1]!)).some((node) => node.matches('pre')), 'the code block');
      await settle(el);
      expect(snapshot(el)).to.deep.equal(clean);
    } finally {
      style.remove();
      document.cookie = 'visitor=; path=/; max-age=0';
    }
  });
});

/** Where the visitor's bubble sits in the log, and whether the header's title comes before its button. */
function layoutOf(el: Agent37Chat) {
  const log = logOf(el).getBoundingClientRect();
  const bubble = shadow(messageElements(el)[0]!).querySelector('[part="bubble"]')!.getBoundingClientRect();
  const title = shadow(el).querySelector('.header__title')!.getBoundingClientRect();
  const button = shadow(el).querySelector('[part="new-conversation-button"]')!.getBoundingClientRect();
  return {
    bubbleSide: bubble.left - log.left < log.right - bubble.right ? 'left' : 'right',
    titleSide: title.left < button.left ? 'left' : 'right',
  };
}

async function chatIn(container: HTMLElement): Promise<Agent37Chat> {
  const { el } = await mountChat();
  container.append(el);
  expect(await el.send('a short question [no-tools] [no-reasoning]')).to.equal(true);
  await untilAnswerEnds(el);
  return el;
}

describe('<agent37-chat>: direction comes from dir only', () => {
  it('dir="rtl" on an ancestor mirrors the layout: the visitor on the left, the title on the right, Jump to latest centred', async () => {
    const page = await fixture<HTMLDivElement>(html`<div dir="rtl" lang="ar"></div>`);
    const el = await chatIn(page);
    expect(getComputedStyle(shadow(el).querySelector('.chat')!).direction).to.equal('rtl');
    expect(layoutOf(el)).to.deep.equal({ bubbleSide: 'left', titleSide: 'right' });

    // a long answer, then scroll up: the jump button shows, centred
    expect(await el.send('tell me everything [no-tools] [no-reasoning]')).to.equal(true);
    await untilAnswerEnds(el);
    const log = logOf(el);
    await until(() => log.scrollHeight > log.clientHeight + 100, 'a conversation taller than the log');
    log.scrollTop = 0;
    const jump = () => shadow(el).querySelector('[part="jump-button"]');
    await until(() => jump() !== null, 'Jump to latest');
    const body = shadow(el).querySelector('.body')!.getBoundingClientRect();
    const button = jump()!.getBoundingClientRect();
    expect(Math.abs((button.left + button.right) / 2 - (body.left + body.right) / 2)).to.be.below(1.5);
    expect(button.left).to.be.greaterThan(body.left);
  });

  it('without dir, the page\'s CSS direction and lang leave it left-to-right', async () => {
    const style = addStylesheet('body { direction: rtl; } agent37-chat { direction: rtl; }');
    document.body.lang = 'ar';
    try {
      const page = await fixture<HTMLDivElement>(html`<div style="direction: rtl"></div>`);
      const el = await chatIn(page);
      expect(getComputedStyle(shadow(el).querySelector('.chat')!).direction).to.equal('ltr');
      expect(layoutOf(el)).to.deep.equal({ bubbleSide: 'right', titleSide: 'left' });
    } finally {
      style.remove();
      document.body.removeAttribute('lang');
    }
  });

  it('dir="ltr" on the element inside a right-to-left page keeps it left-to-right', async () => {
    const page = await fixture<HTMLDivElement>(html`<div dir="rtl"></div>`);
    const el = await chatIn(page);
    el.dir = 'ltr';
    await settle(el);
    expect(layoutOf(el)).to.deep.equal({ bubbleSide: 'right', titleSide: 'left' });
  });
});

describe('<agent37-chat>: theme', () => {
  const chatBackground = (el: Agent37Chat) => getComputedStyle(shadow(el).querySelector('.chat')!).backgroundColor;
  const WHITE = 'rgb(255, 255, 255)';
  const DARK = 'rgb(21, 23, 28)';

  it('is light by default, even when the system is dark; its code blocks too', async () => {
    await emulateColorScheme('dark');
    const el = await chatWithAnswer();
    expect(el.getAttribute('theme')).to.equal('light');
    expect(chatBackground(el)).to.equal(WHITE);
    const code = deepElements(shadow(messageElements(el)[1]!)).find((node) => node.localName === 'agent37-code-block')!;
    expect(getComputedStyle(code).backgroundColor).to.equal('rgb(238, 240, 243)');
    await expect(el).to.be.accessible();
  });

  it('theme="auto" follows the system', async () => {
    const { el } = await mountChat({ attributes: { theme: 'auto' } });
    await emulateColorScheme('dark');
    expect(chatBackground(el)).to.equal(DARK);
    await emulateColorScheme('light');
    expect(chatBackground(el)).to.equal(WHITE);
  });

  it('theme="dark" is dark under a light system, code blocks included; a page colour-scheme rule does not change it', async () => {
    const style = addStylesheet(':root, * { color-scheme: light; }');
    try {
      await emulateColorScheme('light');
      const el = await chatWithAnswer();
      el.theme = 'dark';
      await settle(el);
      expect(chatBackground(el)).to.equal(DARK);
      const code = deepElements(shadow(messageElements(el)[1]!)).find((node) => node.localName === 'agent37-code-block')!;
      expect(getComputedStyle(code).backgroundColor).to.equal('rgb(28, 31, 38)');
      await expect(el).to.be.accessible();
    } finally {
      style.remove();
    }
  });
});
