// <agent37-markdown> gets its renderer (marked and the templates) and the full table of character
// references as chunks of their own. This file imports nothing of the element until its first test
// runs, so that test meets the page as a visitor's first answer does: the renderer not in yet (it can
// only arrive in a later task, the element renders in this one).
import { expect } from '@open-wc/testing';
import type { Agent37Markdown } from '../../src/markdown/agent37-markdown.js';

interface Render {
  html: string;
  text: string;
  rendererIn: boolean;
  tableIn: boolean;
  /** the first plain paragraph's look, when there is one */
  plain?: { whiteSpace: string; userSelect: string; sameFont: boolean };
}

type RecordingMarkdown = Agent37Markdown & { renders: Render[] };

let modules:
  | {
      markdown: typeof import('../../src/markdown/agent37-markdown.js');
      entities: typeof import('../../src/markdown/html-entities.js');
      dom: typeof import('./markdown-dom.js');
    }
  | undefined;
let rendererIn = false;

/** Imports the element (the first call starts the renderer's chunk) and defines <recording-markdown>. */
async function load() {
  if (modules) return modules;
  const dom = await import('./markdown-dom.js');
  const markdown = await import('../../src/markdown/agent37-markdown.js');
  const entities = await import('../../src/markdown/html-entities.js');
  void markdown.markdownRendererLoaded().then(() => {
    rendererIn = true;
  });
  // notes what every render left in the shadow root
  class Recording extends markdown.Agent37Markdown {
    renders: Render[] = [];
    protected override updated(changed: Map<PropertyKey, unknown>): void {
      super.updated(changed);
      const paragraph = this.shadowRoot!.querySelector('p.plain');
      const style = paragraph && getComputedStyle(paragraph);
      this.renders.push({
        html: dom.renderedHtml(this),
        text: this.shadowRoot!.textContent!,
        rendererIn,
        tableIn: entities.entityTableLoaded(),
        ...(style ? { plain: { whiteSpace: style.whiteSpace, userSelect: style.userSelect, sameFont: style.fontFamily === getComputedStyle(this).fontFamily } } : {}),
      });
    }
  }
  customElements.define('recording-markdown', Recording);
  modules = { markdown, entities, dom };
  return modules;
}

function recordingMarkdown(text: string): RecordingMarkdown {
  const element = document.createElement('recording-markdown') as RecordingMarkdown;
  element.text = text;
  document.body.append(element);
  return element;
}

describe('agent37-markdown, lazily loaded', () => {
  afterEach(() => {
    for (const element of document.querySelectorAll('recording-markdown')) element.remove();
  });

  // first on purpose: the renderer's chunk has not been requested before this test
  it('shows the text as plain paragraphs until the renderer is in, then renders it as markdown', async () => {
    const { dom } = await load();
    const text = '**Bold** move, see [the docs](https://example.com/docs).\n\n  Second paragraph,\nits second line\n\n\n- an item\n';
    const element = recordingMarkdown(text);
    await element.updateComplete;

    const [first, ...later] = element.renders;
    expect(first!.rendererIn).to.equal(false);
    expect(first!.html).to.equal(
      '<div class="body" part="body">' +
        '<p class="plain">**Bold** move, see [the docs](https://example.com/docs).</p>' +
        '<p class="plain">  Second paragraph,\nits second line</p>' +
        '<p class="plain">- an item</p></div>',
    );
    expect(first!.plain).to.deep.equal({ whiteSpace: 'pre-wrap', userSelect: 'auto', sameFont: true });

    // updateComplete waited for the renderer: the last render is the markdown, as if it had been there all along
    expect(later.at(-1)?.rendererIn).to.equal(true);
    const oneShot = await dom.renderMarkdown(text);
    expect(dom.renderedHtml(element)).to.equal(dom.renderedHtml(oneShot));
    expect(element.shadowRoot!.querySelector('strong')!.textContent).to.equal('Bold');
    expect(element.shadowRoot!.querySelector('a')!.getAttribute('href')).to.equal('https://example.com/docs');
  });

  it('leaves an uncommon character reference as written until the full table is in, then decodes it', async () => {
    const { markdown, entities } = await load();
    await markdown.markdownRendererLoaded();
    expect(entities.entityTableLoaded(), 'nothing loaded the table yet').to.equal(false);

    const common = recordingMarkdown('Only common ones: &amp; &copy; &mdash; &#x2665;');
    await common.updateComplete;
    expect(entities.entityTableLoaded(), 'common references do not load the table').to.equal(false);

    const uncommon = recordingMarkdown('Ben &amp; Jerry &hearts; ice cream, &frac34; full, &bogus;');
    await uncommon.updateComplete;
    const seen = uncommon.renders.map(({ tableIn, text }) => ({ tableIn, text }));
    expect(seen[0]).to.deep.equal({ tableIn: false, text: 'Ben & Jerry &hearts; ice cream, &frac34; full, &bogus;' });
    expect(seen.at(-1)).to.deep.equal({ tableIn: true, text: 'Ben & Jerry ♥ ice cream, ¾ full, &bogus;' });

    // an element that left nothing undecoded does not render again when the table arrives
    await common.updateComplete;
    expect(common.renders.length).to.equal(1);
    expect(common.shadowRoot!.querySelector('p')!.textContent).to.equal('Only common ones: & © — ♥');
  });
});
