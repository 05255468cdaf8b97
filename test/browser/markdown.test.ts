import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { Agent37Markdown } from '../../src/markdown/agent37-markdown.js';
import type { Agent37CodeBlock } from '../../src/markdown/agent37-code-block.js';
import { renderedHtml, renderMarkdown, settled } from './markdown-dom.js';

const shadow = (element: Agent37Markdown) => element.shadowRoot!;
const textOf = (element: Agent37Markdown) => shadow(element).textContent!.replace(/\s+/g, ' ').trim();
const highlighterRequested = () => performance.getEntriesByType('resource').some((entry) => entry.name.includes('code-highlighter'));
// an observer sees every request, also past the resource timing buffer's 250 entries
const requested: string[] = [];
new PerformanceObserver((list) => requested.push(...list.getEntries().map((entry) => entry.name))).observe({ type: 'resource', buffered: true });
/** The highlight.js grammars the page has fetched so far (each is a module of its own). */
const grammarsRequested = () => new Set(requested.flatMap((name) => /\/highlight\.js\/es\/languages\/([\w-]+)\.js/.exec(name)?.[1] ?? []));

describe('agent37-markdown', () => {
  // first on purpose: nothing has rendered a code block in this page yet
  it('loads the syntax highlighter only when the first code block with a language renders', async () => {
    await renderMarkdown('# Title\n\nNo code here, only `inline code`.\n\n    indented, no language');
    expect(highlighterRequested()).to.equal(false);

    const element = await renderMarkdown('```js\nconst answer = 42;\n```');
    await waitUntil(highlighterRequested, 'the highlighter chunk was never requested', { timeout: 10_000 });
    const block = shadow(element).querySelector('agent37-code-block')!;
    await waitUntil(() => block.shadowRoot!.querySelector('.hljs-keyword'), 'the code was never highlighted', { timeout: 10_000 });
    expect(block.shadowRoot!.querySelector('.hljs-keyword')!.textContent).to.equal('const');
    expect(block.shadowRoot!.querySelector('pre')!.textContent).to.equal('const answer = 42;');
  });

  it('renders GFM: headings, emphasis, lists, task lists, tables, strikethrough, quotes, rules', async () => {
    const element = await renderMarkdown(
      [
        '## Plan',
        '',
        'Some **bold**, *em*, ~~gone~~ and `code`.',
        '',
        '1. one',
        '2. two',
        '',
        '- [x] done',
        '- [ ] to do',
        '',
        '| Name | Qty |',
        '| :--- | --: |',
        '| pear | 3 |',
        '',
        '> quoted',
        '',
        '---',
      ].join('\n'),
    );
    const root = shadow(element);
    expect(root.querySelector('h2')!.textContent).to.equal('Plan');
    expect(root.querySelector('strong')!.textContent).to.equal('bold');
    expect(root.querySelector('em')!.textContent).to.equal('em');
    expect(root.querySelector('del')!.textContent).to.equal('gone');
    expect(root.querySelector('p code')!.textContent).to.equal('code');
    expect([...root.querySelectorAll('ol > li')].map((li) => li.textContent)).to.deep.equal(['one', 'two']);
    const boxes = [...root.querySelectorAll<HTMLInputElement>('li.task > input[type=checkbox]')];
    expect(boxes.map((box) => [box.checked, box.disabled])).to.deep.equal([
      [true, true],
      [false, true],
    ]);
    const table = root.querySelector('.table-scroll > table[part=table]')!;
    expect([...table.querySelectorAll('th')].map((th) => th.textContent)).to.deep.equal(['Name', 'Qty']);
    expect([...table.querySelectorAll('td')].map((td) => [td.textContent, td.className])).to.deep.equal([
      ['pear', 'align-left'],
      ['3', 'align-right'],
    ]);
    expect(root.querySelector('blockquote')!.textContent!.trim()).to.equal('quoted');
    expect(root.querySelector('hr')).to.exist;
  });

  it('shows raw HTML, block and inline, as text', async () => {
    const element = await renderMarkdown('<div onclick="x()">block <b>html</b></div>\n\nInline <b>bold</b> and <img src=x onerror=alert(1)>.');
    const root = shadow(element);
    expect(root.querySelector('.body div, b, img')).to.equal(null);
    expect(root.querySelector('.html')!.textContent).to.equal('<div onclick="x()">block <b>html</b></div>');
    expect(textOf(element)).to.contain('Inline <b>bold</b> and <img src=x onerror=alert(1)>.');
  });

  it('decodes character references in text, and only there', async () => {
    const element = await renderMarkdown('&amp; &copy; &#35; &#x22; &ngE; &bogus; &#0; \\&amp; `&amp;`\n\n```\n&lt;\n```');
    const paragraph = shadow(element).querySelector('p')!;
    expect(paragraph.textContent).to.equal('& © # " \u2267\u0338 &bogus; \uFFFD &amp; &amp;');
    const code = shadow(element).querySelector('agent37-code-block')!;
    expect(code.shadowRoot!.querySelector('pre')!.textContent).to.equal('&lt;');
  });

  describe('link policy', () => {
    const allowed: Array<[string, string]> = [
      ['[a](https://example.com/x)', 'https://example.com/x'],
      ['[a](http://example.com)', 'http://example.com/'],
      ['[a](mailto:me@example.com)', 'mailto:me@example.com'],
      ['[a](HTTPS://EXAMPLE.com/P)', 'https://example.com/P'],
      ['[a](https://example.com/?q=1&amp;r=2)', 'https://example.com/?q=1&r=2'],
      ['<https://example.com/a?b&amp;c>', 'https://example.com/a?b&amp;c'],
      ['see https://example.com/auto now', 'https://example.com/auto'],
      ['see www.example.com now', 'http://www.example.com/'],
      ['write me@example.com', 'mailto:me@example.com'],
      ['[a][r]\n\n[r]: https://example.com/ref', 'https://example.com/ref'],
    ];
    for (const [source, href] of allowed) {
      it(`links ${JSON.stringify(source)} to ${href}, in a new tab without referrer`, async () => {
        const element = await renderMarkdown(source);
        const anchors = shadow(element).querySelectorAll('a');
        expect(anchors.length).to.equal(1);
        expect(anchors[0]!.getAttribute('href')).to.equal(href);
        expect(anchors[0]!.getAttribute('target')).to.equal('_blank');
        expect(anchors[0]!.getAttribute('rel')).to.equal('noopener noreferrer');
      });
    }

    const refused = [
      '[a](javascript:alert(1))',
      '[a](JaVaScRiPt:alert(1))',
      '[a](java&#x09;script:alert(1))',
      '[a](&#106;avascript:alert(1))',
      '[a](javascript&colon;alert(1))',
      '[a](java%0ascript:alert(1))',
      '[a](vbscript:msgbox(1))',
      '[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '[a](file:///etc/passwd)',
      '[a](ftp://example.com/f)',
      '[a](/relative/path)',
      '[a](#fragment)',
      '[a](//example.com/protocol-relative)',
      '[a](https://bank.example@evil.example/login)',
      '[a](<java\\\nscript:alert(1)>)',
      '[a][r]\n\n[r]: javascript:alert(1)',
      '<javascript:alert(1)>',
    ];
    for (const source of refused) {
      it(`renders ${JSON.stringify(source)} as text`, async () => {
        const element = await renderMarkdown(source);
        expect(shadow(element).querySelector('a')).to.equal(null);
        expect(textOf(element)).to.contain('a');
      });
    }
  });

  describe('image policy', () => {
    const origins = ['https://img.example.com'];
    const cases: Array<[string, string[], 'img' | 'link' | 'text', string]> = [
      ['![cat](https://img.example.com/cat.png)', origins, 'img', 'https://img.example.com/cat.png'],
      ['![cat](https://img.example.com/cat.png)', [], 'link', 'https://img.example.com/cat.png'],
      ['![cat](https://other.example.com/cat.png)', origins, 'link', 'https://other.example.com/cat.png'],
      ['![cat](http://img.example.com/cat.png)', origins, 'link', 'http://img.example.com/cat.png'],
      ['![cat](https://img.example.com.evil.example/cat.png)', origins, 'link', 'https://img.example.com.evil.example/cat.png'],
      ['![cat](https://img.example.com:8443/cat.png)', origins, 'link', 'https://img.example.com:8443/cat.png'],
      ['![cat](data:image/png;base64,iVBORw0KGgo=)', ['data:', 'null', ...origins], 'text', ''],
      ['![cat](javascript:alert(1))', origins, 'text', ''],
      ['![cat](/cat.png)', origins, 'text', ''],
      ['![cat][i]\n\n[i]: https://img.example.com/ref.png', origins, 'img', 'https://img.example.com/ref.png'],
    ];
    for (const [source, allowed, shape, url] of cases) {
      it(`renders ${JSON.stringify(source)} with origins ${JSON.stringify(allowed)} as ${shape}`, async () => {
        const element = await renderMarkdown(source, allowed);
        const root = shadow(element);
        const img = root.querySelector('img');
        const anchor = root.querySelector('a');
        if (shape === 'img') {
          expect(anchor).to.equal(null);
          expect(img!.getAttribute('src')).to.equal(url);
          expect(img!.getAttribute('alt')).to.equal('cat');
          expect(img!.getAttribute('referrerpolicy')).to.equal('no-referrer');
          expect(img!.getAttribute('loading')).to.equal('lazy');
        } else if (shape === 'link') {
          expect(img).to.equal(null);
          expect(anchor!.getAttribute('href')).to.equal(url);
          expect(anchor!.textContent).to.equal('cat');
        } else {
          expect(img).to.equal(null);
          expect(anchor).to.equal(null);
          expect(textOf(element)).to.equal('cat');
        }
      });
    }

    it('reads the image-origins attribute', async () => {
      const element = await fixture<Agent37Markdown>(
        html`<agent37-markdown image-origins="https://a.example.com https://img.example.com/" .text=${'![cat](https://img.example.com/c.png)'}></agent37-markdown>`,
      );
      expect(element.imageOrigins).to.deep.equal(['https://a.example.com', 'https://img.example.com/']);
      expect(shadow(element).querySelector('img')!.getAttribute('src')).to.equal('https://img.example.com/c.png');
    });
  });

  describe('streaming', () => {
    it('keeps finished blocks and gives the open block no link target and no image until it is finished', async () => {
      const element = await fixture<Agent37Markdown>(
        html`<agent37-markdown streaming .imageOrigins=${['https://img.example.com']}></agent37-markdown>`,
      );
      element.text = '# Title\n\nFirst paragraph.\n\n';
      await element.updateComplete;
      const heading = shadow(element).querySelector('h1')!;
      const first = shadow(element).querySelector('p')!;

      element.text += 'See [the docs](https://example.com/docs) and ![a chart](https://img.example.com/chart.png';
      await element.updateComplete;
      let open = shadow(element).querySelectorAll('p')[1]!;
      expect(open.querySelector('a')!.hasAttribute('href')).to.equal(false);
      expect(open.querySelector('img')).to.equal(null);
      expect(open.textContent).to.contain('![a chart](https://img.example.com/chart.png');

      element.text += ')';
      await element.updateComplete;
      open = shadow(element).querySelectorAll('p')[1]!;
      expect(open.querySelector('img')).to.equal(null);
      expect(open.textContent).to.contain('a chart');

      element.text += '\n\nThird';
      await element.updateComplete;
      const done = shadow(element).querySelectorAll('p')[1]!;
      expect(done.querySelector('a')!.getAttribute('href')).to.equal('https://example.com/docs');
      expect(done.querySelector('img')!.getAttribute('src')).to.equal('https://img.example.com/chart.png');
      expect(shadow(element).querySelector('h1')).to.equal(heading);
      expect(shadow(element).querySelector('p')).to.equal(first);

      element.streaming = false;
      await settled(element);
      const oneShot = await renderMarkdown(element.text, ['https://img.example.com']);
      expect(renderedHtml(element)).to.equal(renderedHtml(oneShot));
      expect(shadow(element).querySelector('p')).to.equal(first);
    });

    it('renders once per animation frame however many deltas arrive', async () => {
      let renders = 0;
      class CountingMarkdown extends Agent37Markdown {
        protected override render() {
          renders += 1;
          return super.render();
        }
      }
      customElements.define('counting-markdown', CountingMarkdown);
      const element = await fixture<CountingMarkdown>(html`<counting-markdown streaming></counting-markdown>`);
      const before = renders;
      for (const delta of ['Hel', 'lo ', 'wor', 'ld, ', 'one ', 'frame']) element.text += delta;
      await element.updateComplete;
      expect(renders - before).to.equal(1);
      expect(shadow(element).querySelector('p')!.textContent).to.equal('Hello world, one frame');
    });

    it('reconciles with a full parse when streaming ends (a later reference definition)', async () => {
      const element = await fixture<Agent37Markdown>(html`<agent37-markdown streaming></agent37-markdown>`);
      const text = 'See [the guide][g].\n\nMore text.\n\nAnd more.\n\n[g]: https://example.com/guide\n';
      for (let end = 1; end <= text.length; end += 3) {
        element.text = text.slice(0, end);
        await element.updateComplete;
      }
      element.text = text;
      await element.updateComplete;
      expect(shadow(element).querySelector('a')).to.equal(null);
      element.streaming = false;
      await element.updateComplete;
      expect(shadow(element).querySelector('a')!.getAttribute('href')).to.equal('https://example.com/guide');
    });
  });

  describe('code blocks', () => {
    it('shows the language and copies the code, with feedback', async () => {
      const element = await renderMarkdown('```python\nprint("hi")\n```');
      const block = shadow(element).querySelector<Agent37CodeBlock>('agent37-code-block')!;
      const root = block.shadowRoot!;
      expect(root.querySelector('[part=code-language]')!.textContent).to.equal('python');
      const button = root.querySelector<HTMLButtonElement>('button[part=copy-button]')!;
      expect(button.getAttribute('aria-label')).to.equal('Copy code');
      expect(button.textContent!.trim()).to.equal('Copy');

      const written: string[] = [];
      Object.defineProperty(navigator.clipboard, 'writeText', { configurable: true, value: async (text: string) => void written.push(text) });
      try {
        button.click();
        await waitUntil(() => button.textContent!.trim() === 'Copied', 'no "Copied" feedback');
        expect(written).to.deep.equal(['print("hi")']);
        expect(root.querySelector('[role=status]')!.textContent).to.equal('Code copied to the clipboard');

        Object.defineProperty(navigator.clipboard, 'writeText', { configurable: true, value: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) });
        button.click();
        await waitUntil(() => button.textContent!.trim() === 'Copy failed', 'no failure feedback');
      } finally {
        delete (navigator.clipboard as { writeText?: unknown }).writeText;
      }
    });

    it('loads the grammar of each block\'s language alone, by name or alias in any case; unknown languages stay plain', async () => {
      const before = grammarsRequested();
      const element = await renderMarkdown('```Rust\nfn main() {}\n```\n\n```rb\ndef x; end\n```\n\n```brainfuck\n+[-->-[>>+>-----<<]<--<---]\n```');
      const blocks = [...shadow(element).querySelectorAll<Agent37CodeBlock>('agent37-code-block')];
      const keyword = (block: Agent37CodeBlock) => block.shadowRoot!.querySelector('.hljs-keyword')?.textContent;
      await waitUntil(() => keyword(blocks[0]!) && keyword(blocks[1]!), 'the rust and ruby blocks were never highlighted', { timeout: 10_000 });
      expect([keyword(blocks[0]!), keyword(blocks[1]!)]).to.deep.equal(['fn', 'def']);
      expect(blocks[2]!.shadowRoot!.querySelector('pre')!.innerHTML.replace(/<!--.*?-->/g, '')).to.equal('<code>+[--&gt;-[&gt;&gt;+&gt;-----&lt;&lt;]&lt;--&lt;---]</code>');
      expect([...grammarsRequested()].filter((name) => !before.has(name)).sort()).to.deep.equal(['ruby', 'rust']);
    });

    it('loads the grammar a shell session hands its commands to', async () => {
      const element = await renderMarkdown('```console\n$ export GREETING="hi"\n```');
      const block = shadow(element).querySelector<Agent37CodeBlock>('agent37-code-block')!;
      // the prompt is the shell grammar's; the command inside is bash's
      await waitUntil(() => block.shadowRoot!.querySelector('.hljs-built_in'), 'the command was never highlighted', { timeout: 10_000 });
      expect(block.shadowRoot!.querySelector('.hljs-meta')!.textContent).to.equal('$ ');
      expect(block.shadowRoot!.querySelector('.hljs-built_in')!.textContent).to.equal('export');
      expect(grammarsRequested()).to.include.keys('shell', 'bash');
    });

    const rich =
      '# Answer\n\nRead [the docs](https://example.com).\n\n- [x] done\n- [ ] to do\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n' +
      '| c | d |\n|---|---|\n| 3 | 4 |\n\n```ts\n// typed\nconst x: number = 1; const s = "text";\n```\n\n```\nplain\n```\n\n> quoted `code`\n\n<b>raw</b>\n';
    for (const scheme of ['light', 'dark'] as const) {
      it(`is accessible in a ${scheme} page, with code, tables and links`, async () => {
        const page = await fixture<HTMLElement>(
          html`<div style="color-scheme: ${scheme}; color: ${scheme === 'dark' ? '#e8eaef' : '#1f2328'}; background: ${scheme === 'dark' ? '#15171c' : '#fff'}">
            <agent37-markdown .text=${rich}></agent37-markdown>
          </div>`,
        );
        const element = page.querySelector('agent37-markdown')!;
        await settled(element);
        const block = shadow(element).querySelector('agent37-code-block')!;
        await waitUntil(() => block.shadowRoot!.querySelector('.hljs-string'), 'the code was never highlighted', { timeout: 10_000 });
        await expect(page).to.be.accessible();
      });
    }
  });
});
