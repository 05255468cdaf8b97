/**
 * The page and its server on two origins, in real Chromium over real HTTP: web-test-runner serves
 * this page, and the test stack's second server (its own port, so another origin; the same host
 * name, so the same site and the page's cookies reach it) runs the token endpoint and the relay,
 * each allowing this page's origin (test/support/test-stack.ts).
 *
 * What it proves: the browser's own CORS checks pass for an allowed page, with the visitor's cookie
 * on the token request when `token-credentials="include"`, through to an answer streamed over SSE;
 * they block an origin that is not allowed, and a wildcard with cookies; and the visitor reads plain
 * words for each. Cross-site cookie rules (SameSite=None, third-party cookie blocking) are the
 * browser's and the site's, not the widget's, and are not what this tests.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import type { Agent37ErrorEvent } from '../../src/events.js';
import {
  failOnLitWarnings,
  lastAnswer,
  messageElements,
  sendFromComposer,
  settle,
  shownErrors,
  shownText,
  uniqueName,
  until,
  untilAnswerEnds,
} from './element-harness.js';

failOnLitWarnings();

const UNREACHABLE = 'The chat could not reach its server. Check your connection and try again.';
const SIGN_IN = 'Sign in to chat.';

interface SeenRequest {
  url: string;
  method: string;
  credentials: RequestCredentials | undefined;
  authorization: string | null;
}

/** The stack's second server, e.g. http://localhost:40123 (this page is http://localhost:<another port>). */
let serverOrigin: string;

before(async () => {
  const response = await fetch('/__stack/cross-origin');
  serverOrigin = ((await response.json()) as { origin: string }).origin;
  expect(new URL(serverOrigin).origin).to.not.equal(location.origin);
  expect(new URL(serverOrigin).hostname).to.equal(location.hostname);
});

afterEach(() => {
  document.cookie = 'visitor=; path=/; max-age=0';
});

/** Signs the visitor in the way a site does: its own session cookie on this host (any port). */
function signIn(visitor: string): void {
  document.cookie = `visitor=${encodeURIComponent(visitor)}; path=/; SameSite=Lax`;
}

/** A chat whose token-url is on the other origin; records every request it makes and every agent37-error. */
async function mountCrossOrigin(tokenPath: string, credentials?: string) {
  const seen: SeenRequest[] = [];
  const recording: typeof fetch = (input, init) => {
    const url = new URL(String(input), location.href).href;
    const authorization = new Headers(init?.headers).get('authorization');
    seen.push({ url, method: init?.method ?? 'GET', credentials: init?.credentials, authorization });
    if (!url.endsWith('/v1/responses')) return fetch(input, init);
    // slow enough to see the answer mid-stream; and a header the relay's preflight must allow (a forwarded one)
    const headers = new Headers(init?.headers);
    headers.set('x-agent37-sim-pace', '40');
    return fetch(input, { ...init, headers });
  };
  const errors: string[] = [];
  const onError = (e: Event) => errors.push((e as Agent37ErrorEvent).detail.error.code);
  // before the element exists: its token request starts as it connects
  document.addEventListener('agent37-error', onError);
  try {
    const el = await fixture<Agent37Chat>(html`<agent37-chat
      style="height: 480px; width: 640px"
      .fetch=${recording}
      token-url=${`${serverOrigin}${tokenPath}`}
      token-credentials=${ifDefined(credentials)}
      persist-key=${uniqueName('k')}
    ></agent37-chat>`);
    return { el, seen, errors, stop: () => document.removeEventListener('agent37-error', onError) };
  } catch (error) {
    document.removeEventListener('agent37-error', onError);
    throw error;
  }
}

/** The `sub` of a bearer token: whom the token endpoint minted it for. */
function subjectOf(authorization: string | null): string | undefined {
  const payload = authorization?.replace(/^Bearer\s+/i, '').split('.')[1];
  if (!payload) return undefined;
  return (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string }).sub;
}

describe('<agent37-chat>: page and server on different origins', () => {
  it('with token-credentials="include" gets its token with the visitor\'s cookie and streams an answer through the other origin\'s relay', async () => {
    const visitor = uniqueName('visitor');
    signIn(visitor);
    const { el, seen, errors, stop } = await mountCrossOrigin('/api/agent37/token', 'include');
    try {
      await until(() => el.shadowRoot!.querySelector('.restoring') === null, 'the chat to finish restoring', 15_000);
      expect(shownErrors(el)).to.deep.equal([]);
      const tokenRequests = seen.filter((r) => r.url === `${serverOrigin}/api/agent37/token`);
      expect(tokenRequests.map((r) => [r.method, r.credentials])).to.deep.equal([['POST', 'include']]);

      await sendFromComposer(el, 'hello from another origin [no-tools] [no-reasoning]');
      // streamed: text on screen while the answer is still coming
      await until(() => {
        const answer = messageElements(el).at(-1);
        return lastAnswer(el)?.status === 'streaming' && answer !== undefined && shownText(answer).length > 0;
      }, 'streamed text while the answer runs', 15_000);
      const answer = await untilAnswerEnds(el, 30_000);
      expect(answer.status).to.equal('complete');
      expect(shownText(messageElements(el).at(-1)!)).to.contain('Here is a short overview of');
      expect(shownErrors(el)).to.deep.equal([]);
      expect(errors).to.deep.equal([]);

      // every relay call went to the other origin, with a token minted for the cookie's visitor
      const relayCalls = seen.filter((r) => r.url.includes('/api/agent37/v1/'));
      expect(relayCalls.some((r) => r.method === 'POST' && r.url === `${serverOrigin}/api/agent37/v1/responses`)).to.equal(true);
      expect(relayCalls.every((r) => r.url.startsWith(`${serverOrigin}/`))).to.equal(true);
      expect([...new Set(relayCalls.map((r) => subjectOf(r.authorization)))]).to.deep.equal([visitor]);
      // the exact answer: what the instance stored for the turn, read back through the same relay
      const session = await fetch(`${serverOrigin}/api/agent37/v1/sessions/${el.sessionId}`, { headers: { authorization: relayCalls[0]!.authorization! } });
      expect(session.status).to.equal(200);
      const { history } = (await session.json()) as { history: { role: string; content: string }[] };
      expect(answer.text).to.equal(history.at(-1)!.content);
      await expect(el).to.be.accessible();
    } finally {
      stop();
    }
  });

  it('an origin the token endpoint does not allow is blocked by CORS, and the visitor reads that the chat could not reach its server', async () => {
    signIn(uniqueName('visitor'));
    const { el, seen, errors, stop } = await mountCrossOrigin('/api/agent37-other-origin/token', 'include');
    try {
      await until(() => shownErrors(el).length > 0, 'the error', 15_000);
      await settle(el);
      expect(shownErrors(el)).to.deep.equal([UNREACHABLE]);
      expect(errors).to.deep.equal(['token_unreachable']);
      expect(seen.map((r) => r.url)).to.deep.equal([`${serverOrigin}/api/agent37-other-origin/token`]);
      await expect(el).to.be.accessible();
    } finally {
      stop();
    }
  });

  it("a token endpoint allowing '*' never hands a signed-in visitor's token to a page that sends cookies", async () => {
    signIn(uniqueName('visitor'));
    const withCookies = await mountCrossOrigin('/api/agent37-any-origin/token', 'include');
    try {
      await until(() => shownErrors(withCookies.el).length > 0, 'the error', 15_000);
      expect(shownErrors(withCookies.el)).to.deep.equal([UNREACHABLE]);
      expect(withCookies.errors).to.deep.equal(['token_unreachable']);
    } finally {
      withCookies.stop();
    }
    // without cookies the answer is readable: nobody is signed in
    const without = await mountCrossOrigin('/api/agent37-any-origin/token');
    try {
      await until(() => shownErrors(without.el).length > 0, 'the error', 15_000);
      expect(shownErrors(without.el)).to.deep.equal([SIGN_IN]);
    } finally {
      without.stop();
    }
  });

  for (const credentials of ['omit', undefined, 'bogus']) {
    it(`a 401 from the token endpoint (token-credentials ${credentials === undefined ? 'unset' : `"${credentials}"`}: no cookie sent) asks the visitor to sign in`, async () => {
      signIn(uniqueName('visitor'));
      const { el, seen, errors, stop } = await mountCrossOrigin('/api/agent37/token', credentials);
      try {
        await until(() => shownErrors(el).length > 0, 'the error', 15_000);
        await settle(el);
        expect(shownErrors(el)).to.deep.equal([SIGN_IN]);
        expect(errors).to.deep.equal(['token_error']);
        // an unknown value is the default
        expect(seen.map((r) => r.credentials)).to.deep.equal([credentials === 'omit' ? 'omit' : 'same-origin']);
        expect(el.tokenCredentials).to.equal(credentials ?? 'same-origin');
      } finally {
        stop();
      }
    });
  }
});
