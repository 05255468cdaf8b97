/**
 * Right to left inside answers: the layout mirrors (the visitor's bubble at the inline end, lines of
 * reasoning and quotes at the inline start, the Send arrow pointing the way the text runs), each
 * paragraph reads in its own text's direction, and code keeps reading left to right and starts at
 * its first character.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { Agent37Composer } from '../../src/components/agent37-composer.js';
import type { Agent37Message } from '../../src/components/agent37-message.js';
import type { Agent37CodeBlock } from '../../src/markdown/agent37-code-block.js';
import type { Agent37Markdown } from '../../src/markdown/agent37-markdown.js';
import type { AssistantMessage, UserMessage } from '../../src/state/conversation-types.js';
import { actionButtonOf, failOnLitWarnings, mountChat, shadow, uniqueName } from './element-harness.js';

failOnLitWarnings();

const LONG_LINE = `const greeting = "${'مرحبا '.repeat(6)}"; console.log(greeting, ${'1234567890'.repeat(6)});`;
const ANSWER = `نص عربي قبل الشيفرة.\n\nSome English, then code.\n\n\`\`\`js\n${LONG_LINE}\nreturn greeting;\n\`\`\`\n\n> اقتباس\n\n- بند\n\n| عمود طويل جدا جدا جدا | Notes about these values |\n| --- | --- |\n| ٣٠ ثانية | 30 s |`;

function answer(text: string): AssistantMessage {
  return {
    role: 'assistant',
    id: uniqueName('a'),
    text,
    reasoning: 'تفكير',
    steps: [],
    parts: [
      { type: 'reasoning', text: 'تفكير' },
      { type: 'text', text },
    ],
    status: 'complete',
  };
}

const question: UserMessage = { role: 'user', id: 'q', text: 'سؤال قصير' };

async function mount(dir: 'ltr' | 'rtl') {
  const page = await fixture<HTMLElement>(html`<div dir=${dir} style="width: 360px">
    <agent37-message .message=${question}></agent37-message>
    <agent37-message .message=${answer(ANSWER)}></agent37-message>
    <agent37-composer></agent37-composer>
  </div>`);
  const [asked, answered] = [...page.querySelectorAll<Agent37Message>('agent37-message')];
  await asked!.updateComplete;
  await answered!.updateComplete;
  const markdown = shadow(answered!).querySelector<Agent37Markdown>('agent37-markdown')!;
  await markdown.updateComplete;
  const block = shadow(markdown).querySelector<Agent37CodeBlock>('agent37-code-block')!;
  await block.updateComplete;
  const composer = page.querySelector<Agent37Composer>('agent37-composer')!;
  await composer.updateComplete;
  return { page, asked: asked!, answered: answered!, markdown, block, composer };
}

for (const dir of ['rtl', 'ltr'] as const) {
  describe(`dir="${dir}"`, () => {
    it('a code block reads left to right, and its long line starts at its first character', async () => {
      const { block } = await mount(dir);
      const pre = shadow(block).querySelector('pre')!;
      const style = getComputedStyle(pre);
      expect(pre.scrollWidth, 'the line is wider than the block').to.be.greaterThan(pre.clientWidth);
      expect(pre.scrollLeft).to.equal(0);
      // the first character is in view, at the block's left edge (inside its padding)
      const code = pre.querySelector('code')!;
      const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
      let first = walker.nextNode();
      while (first && !first.textContent!.trim()) first = walker.nextNode();
      expect(first!.textContent![0]).to.equal('c');
      const range = document.createRange();
      range.setStart(first!, 0);
      range.setEnd(first!, 1);
      const box = pre.getBoundingClientRect();
      const char = range.getBoundingClientRect();
      expect(char.left).to.be.within(box.left, box.left + parseFloat(style.paddingLeft) + 1);
      // the line ends with its own punctuation, not moved to the front by the bidi algorithm
      expect(code.textContent!.split('\n')[0]).to.equal(LONG_LINE);
      expect([style.direction, style.textAlign, style.unicodeBidi]).to.deep.equal(['ltr', 'left', 'isolate']);
    });

    it(`the layout follows the direction: the visitor’s bubble at the inline end, reasoning and quote lines at the inline start, the code block’s Copy at the inline end`, async () => {
      const { asked, answered, markdown, block } = await mount(dir);
      const host = asked.getBoundingClientRect();
      const bubble = shadow(asked).querySelector('[part="bubble"]')!.getBoundingClientRect();
      if (dir === 'rtl') expect(bubble.left - host.left).to.be.below(1);
      else expect(host.right - bubble.right).to.be.below(1);
      expect(bubble.width).to.be.below(host.width / 2);

      const start = dir === 'rtl' ? 'Right' : 'Left';
      const end = dir === 'rtl' ? 'Left' : 'Right';
      const reasoning = getComputedStyle(shadow(answered).querySelector('details[part="reasoning"]')!);
      expect([reasoning[`border${start}Width`], reasoning[`border${end}Width`]]).to.deep.equal(['2px', '0px']);
      const quote = getComputedStyle(shadow(markdown).querySelector('blockquote')!);
      expect([quote[`border${start}Width`], quote[`border${end}Width`]]).to.deep.equal(['3px', '0px']);
      const list = getComputedStyle(shadow(markdown).querySelector('ul')!);
      expect(parseFloat(list[`padding${start}`])).to.be.greaterThan(0);
      expect(list[`padding${end}`]).to.equal('0px');

      const language = shadow(block).querySelector('[part="code-language"]')!.getBoundingClientRect();
      const copy = shadow(block).querySelector('[part="copy-button"]')!.getBoundingClientRect();
      if (dir === 'rtl') expect(copy.right).to.be.below(language.left);
      else expect(copy.left).to.be.above(language.right);
    });

    it('each paragraph and table cell reads in the direction of its own text, whatever the page’s', async () => {
      const { markdown } = await mount(dir);
      const paragraphs = [...shadow(markdown).querySelectorAll('.body > p')].map((p) => [p.textContent, getComputedStyle(p).direction]);
      expect(paragraphs).to.deep.equal([
        ['نص عربي قبل الشيفرة.', 'rtl'],
        ['Some English, then code.', 'ltr'],
      ]);
      // cells too, each aligned at the page's start side
      const side = (td: Element) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        const text = range.getBoundingClientRect();
        const box = td.getBoundingClientRect();
        return text.left - box.left < box.right - text.right ? 'left' : 'right';
      };
      const cells = [...shadow(markdown).querySelectorAll('td')].map((td) => [td.textContent, getComputedStyle(td).direction, side(td)]);
      const start = dir === 'rtl' ? 'right' : 'left';
      expect(cells).to.deep.equal([
        ['٣٠ ثانية', 'rtl', start],
        ['30 s', 'ltr', start],
      ]);
    });

    it('the Send arrow points the way the text runs; Stop is not mirrored', async () => {
      const { composer } = await mount(dir);
      const svg = () => getComputedStyle(shadow(composer).querySelector('svg')!).transform;
      expect(svg()).to.equal(dir === 'rtl' ? 'matrix(-1, 0, 0, 1, 0, 0)' : 'none');
      composer.busy = true;
      await composer.updateComplete;
      expect(svg()).to.equal('none');
    });
  });
}

describe('a chat with dir="rtl"', () => {
  it('mirrors the Send arrow inside it, and back when the page turns to ltr', async () => {
    const { el } = await mountChat({ attributes: { dir: 'rtl' } });
    const arrow = () => getComputedStyle(actionButtonOf(el).querySelector('svg')!).transform;
    expect(arrow()).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
    el.setAttribute('dir', 'ltr');
    expect(arrow()).to.equal('none');
  });
});

describe('an English list in a right-to-left page', () => {
  it("reads each item in its own text's direction: the full stop ends the item, at its right", async () => {
    const page = await fixture<HTMLElement>(html`<div dir="rtl" style="width: 480px">
      <agent37-message .message=${answer('- Read the reference.\n- بند عربي.')}></agent37-message>
    </div>`);
    const message = page.querySelector<Agent37Message>('agent37-message')!;
    await message.updateComplete;
    const markdown = shadow(message).querySelector<Agent37Markdown>('agent37-markdown')!;
    await markdown.updateComplete;
    const [english, arabic] = [...shadow(markdown).querySelectorAll('li')];
    const textOf = (li: Element) => [...li.childNodes].find((node) => node.nodeType === Node.TEXT_NODE && node.textContent!.trim())!;
    const charBox = (li: Element, at: number) => {
      const range = document.createRange();
      range.setStart(textOf(li), at);
      range.setEnd(textOf(li), at + 1);
      return range.getBoundingClientRect();
    };
    const englishText = textOf(english!).textContent!;
    expect(englishText).to.equal('Read the reference.');
    expect(charBox(english!, englishText.length - 1).left, 'the full stop after "reference"').to.be.above(charBox(english!, 0).left);
    // an Arabic item still ends at its left
    const arabicText = textOf(arabic!).textContent!;
    expect(charBox(arabic!, arabicText.length - 1).left).to.be.below(charBox(arabic!, 0).left);
  });
});
