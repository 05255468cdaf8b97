// Every example of the CommonMark spec, streamed in random small chunks, must end in the same DOM as
// rendering the whole text at once: the streaming path (kept blocks, re-lexed tail, per-frame
// coalescing, the final reconcile) may never leave a trace.
import { expect, waitUntil } from '@open-wc/testing';
import type { Agent37Markdown } from '../../src/markdown/agent37-markdown.js';
import { seededRandom } from '../../src/simulator/seeded-random.js';
import { prefixes, renderMarkdown, renderedHtml, settled } from './markdown-dom.js';

interface Example {
  number: number;
  section: string;
  markdown: string;
}

// The extraction of commonmark-spec's index.js (which reads spec.txt with fs, so it cannot run here),
// with the spec runner's → for tab.
function specExamples(spec: string): Example[] {
  const examples: Example[] = [];
  let section = '';
  const tests = spec.replace(/\r\n?/g, '\n').replace(/^<!-- END TESTS -->(.|[\n])*/m, '');
  for (const match of tests.matchAll(/^`{32} example\n([\s\S]*?)^\.\n([\s\S]*?)^`{32}$|^#{1,6} *(.*)$/gm)) {
    if (match[3] !== undefined) section = match[3];
    else examples.push({ number: examples.length + 1, section, markdown: match[1]!.replace(/→/g, '\t') });
  }
  return examples;
}

function markdownElement(container: HTMLElement, streaming: boolean): Agent37Markdown {
  const element = document.createElement('agent37-markdown');
  element.streaming = streaming;
  container.append(element);
  return element;
}

describe('CommonMark spec examples streamed in random chunks', () => {
  let examples: Example[] = [];

  before(async () => {
    const response = await fetch('/node_modules/commonmark-spec/spec.txt');
    examples = specExamples(await response.text());
    // load the highlighter first so both renders highlight synchronously
    const warm = await renderMarkdown('```js\nlet x;\n```');
    const block = warm.shadowRoot!.querySelector('agent37-code-block')!;
    await waitUntil(() => block.shadowRoot!.querySelector('.hljs-keyword'), 'the highlighter did not load', { timeout: 10_000 });
  });

  it('reads all the examples of the spec', () => {
    expect(examples.length).to.equal(652);
  });

  for (const seed of [1, 2]) {
    it(`ends in the one-shot DOM for every example (seed ${seed})`, async function () {
      this.timeout(180_000);
      const container = document.createElement('div');
      document.body.append(container);
      try {
        const runs = examples.map((example) => ({
          example,
          streamed: markdownElement(container, true),
          oneShot: markdownElement(container, false),
          steps: prefixes(example.markdown, seededRandom(seed * 100_000 + example.number)),
        }));
        for (const run of runs) run.oneShot.text = run.example.markdown;
        const rounds = Math.max(...runs.map((run) => run.steps.length));
        for (let round = 0; round < rounds; round++) {
          const pending: Array<Promise<unknown>> = [];
          for (const run of runs) {
            const text = run.steps[round];
            if (text === undefined) continue;
            run.streamed.text = text;
            pending.push(run.streamed.updateComplete);
          }
          await Promise.all(pending);
        }
        for (const run of runs) run.streamed.streaming = false;
        await Promise.all(runs.flatMap((run) => [settled(run.streamed), settled(run.oneShot)]));

        const different = runs
          .filter((run) => renderedHtml(run.streamed) !== renderedHtml(run.oneShot))
          .map((run) => ({ number: run.example.number, section: run.example.section, streamed: renderedHtml(run.streamed), oneShot: renderedHtml(run.oneShot) }));
        expect(different.slice(0, 3)).to.deep.equal([]);
        expect(different.length).to.equal(0);
      } finally {
        container.remove();
      }
    });
  }
});
