// Streams an answer into <agent37-markdown> on a page served under a strict Content Security Policy
// (test/browser/csp.test.ts serves it with `require-trusted-types-for 'script'`, no unsafe-inline, no
// unsafe-eval) and records every CSP violation. `window.cspDemo` resolves with the outcome.
import '../src/markdown/define.js';

export interface CspDemoResult {
  violations: string[];
  /** the rendered answer's text */
  text: string;
  /** the code block was highlighted (the highlighter chunk loaded under the policy) */
  highlighted: boolean;
}

declare global {
  interface Window {
    cspDemo: Promise<CspDemoResult>;
  }
}

const ANSWER = `## Deploying the relay

Model output is **untrusted**, so this page renders it with Lit templates only: no \`innerHTML\`.

1. Mint a token on your server.
2. Relay the stream through your origin.
3. Render the answer — safely, even <b>raw HTML</b> and [a script link](javascript:alert(1)).

| Step | Where | Takes |
| :--- | :---: | ----: |
| token | server | 2 ms |
| relay | edge | 5 ms |

\`\`\`ts
export async function handler(request: Request): Promise<Response> {
  const user = await authenticate(request);
  return user ? mint(user) : new Response(null, { status: 401 });
}
\`\`\`

- [x] strict CSP
- [ ] inline scripts

Read [the guide](https://example.com/guide) or mail <support@example.com>. ![diagram](https://cdn.example.com/d.png)
`;

const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => {
  violations.push(`${event.violatedDirective}: ${event.blockedURI || event.sample}`);
});

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 4));

async function streamAnswer(): Promise<CspDemoResult> {
  const element = document.querySelector('agent37-markdown')!;
  element.streaming = true;
  for (let end = 0; end < ANSWER.length; ) {
    end = Math.min(ANSWER.length, end + 6);
    element.text = ANSWER.slice(0, end);
    await nextTask();
  }
  element.streaming = false;
  await element.updateComplete;
  const block = element.shadowRoot!.querySelector('agent37-code-block');
  // the highlighter is a separate chunk; give it up to 10 s
  const deadline = performance.now() + 10_000;
  while (!block?.shadowRoot?.querySelector('.hljs-keyword') && performance.now() < deadline) await nextTask();
  document.querySelector('#status')!.textContent = violations.length ? `${violations.length} CSP violations` : 'Done, no CSP violations';
  return {
    violations: [...violations],
    text: element.shadowRoot!.textContent ?? '',
    highlighted: Boolean(block?.shadowRoot?.querySelector('.hljs-keyword')),
  };
}

window.cspDemo = streamAnswer();
