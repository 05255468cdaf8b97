// demo/csp.html is served with a strict CSP (web-test-runner.config.mjs adds the header): streaming an
// answer through <agent37-markdown> there, highlighter chunk included, must cause zero violations.
import { expect, waitUntil } from '@open-wc/testing';
import type { CspDemoResult } from '../../demo/csp.js';

type DemoWindow = Window & { cspDemo?: Promise<CspDemoResult> };

describe('strict CSP demo', () => {
  it('is served under a strict policy', async () => {
    const policy = (await fetch('/demo/csp.html')).headers.get('content-security-policy') ?? '';
    expect(policy).to.contain("require-trusted-types-for 'script'");
    expect(policy).to.contain("script-src 'self'");
    expect(policy).to.contain("style-src 'self'");
    expect(policy).not.to.contain('unsafe-inline');
    expect(policy).not.to.contain('unsafe-eval');
  });

  it('streams an answer with zero CSP violations', async function () {
    this.timeout(60_000);
    const frame = document.createElement('iframe');
    frame.src = '/demo/csp.html';
    frame.style.width = '800px';
    frame.style.height = '600px';
    document.body.append(frame);
    try {
      const demo = () => frame.contentWindow as DemoWindow | null;
      await waitUntil(() => demo()?.cspDemo, 'the demo never started', { timeout: 20_000 });
      const result = await demo()!.cspDemo!;
      expect(result.violations).to.deep.equal([]);
      expect(result.highlighted).to.equal(true);
      expect(result.text).to.contain('Deploying the relay');
      expect(result.text).to.contain('<b>raw HTML</b>');
      const markdown = frame.contentDocument!.querySelector('agent37-markdown')!;
      const hrefs = [...markdown.shadowRoot!.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'));
      expect(hrefs).to.deep.equal(['https://example.com/guide', 'mailto:support@example.com', 'https://cdn.example.com/d.png']);

      // the policy is live in the frame: an HTML sink is refused (a TypeError from the frame's realm,
      // worded differently by each engine) and reported
      const seen: string[] = [];
      frame.contentDocument!.addEventListener('securitypolicyviolation', (event) => seen.push(event.violatedDirective));
      const sink = frame.contentDocument!.createElement('div');
      let thrown: unknown;
      try {
        sink.innerHTML = '<b>sink</b>';
      } catch (error) {
        thrown = error;
      }
      expect((thrown as Error | undefined)?.name, 'what the sink threw').to.equal('TypeError');
      expect(sink.childNodes.length).to.equal(0);
      await waitUntil(() => seen.length > 0, 'the Trusted Types violation was not reported');
      expect(seen).to.include('require-trusted-types-for');
    } finally {
      frame.remove();
    }
  });
});
