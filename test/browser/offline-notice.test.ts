/**
 * The chat's standalone "could not reach the server" notice goes by itself once the browser is back
 * online (its `online` event), in real Chromium and Firefox against the test stack; other notices stay.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import type { Agent37ErrorEvent } from '../../src/events.js';
import { failOnLitWarnings, mountChat, settle, shadow, shownErrors, uniqueName, until } from './element-harness.js';

failOnLitWarnings();

/** A fetch that fails the way a dropped network does while `offline()` says so, and passes requests on otherwise. */
function switchableNetwork(offline: (url: string, init?: RequestInit) => boolean): typeof fetch {
  return (input, init) => (offline(String(input), init) ? Promise.reject(new TypeError('Failed to fetch')) : fetch(input, init));
}

describe('<agent37-chat>: the offline notice', () => {
  it('"could not reach its server" (token endpoint unreachable) goes once the browser is back online, and comes back on the next failure', async () => {
    let down = true;
    const codes: string[] = [];
    const onError = (e: Event) => codes.push((e as Agent37ErrorEvent).detail.error.code);
    document.addEventListener('agent37-error', onError);
    try {
      const el = await fixture<Agent37Chat>(html`<agent37-chat
        style="height: 480px"
        .fetch=${switchableNetwork(() => down)}
        token-url=${`/api/agent37/token?user=${uniqueName('u')}`}
        persist-key=${uniqueName('k')}
      ></agent37-chat>`);
      await until(() => shownErrors(el).length > 0, 'the notice');
      expect(codes).to.deep.equal(['token_unreachable']);
      expect(shownErrors(el)).to.deep.equal(['The chat could not reach its server. Check your connection and try again.']);

      window.dispatchEvent(new Event('online'));
      await settle(el);
      expect(shownErrors(el)).to.deep.equal([]);

      // still down: the next attempt says so again
      expect(await el.send('anyone there? [no-tools]')).to.equal(false);
      await settle(el);
      expect(shownErrors(el)).to.have.length(1);
      window.dispatchEvent(new Event('online'));
      await settle(el);
      expect(shownErrors(el)).to.deep.equal([]);

      // back for real: the message goes out
      down = false;
      expect(await el.send('anyone there now? [no-tools] [no-reasoning]')).to.equal(true);
      expect(shownErrors(el)).to.deep.equal([]);
    } finally {
      document.removeEventListener('agent37-error', onError);
    }
  });

  it('a failed send (network_error on the message) is cleared by the online event too', async () => {
    const { el } = await mountChat();
    let down = true;
    el.fetch = switchableNetwork((url, init) => down && url.endsWith('/v1/responses') && init?.method === 'POST');
    const codes: string[] = [];
    const onError = (e: Event) => codes.push((e as Agent37ErrorEvent).detail.error.code);
    el.addEventListener('agent37-error', onError);
    try {
      expect(await el.send('hello? [no-tools]')).to.equal(false);
      await until(() => shownErrors(el).length > 0, 'the notice');
      expect(codes).to.include('network_error');
      window.dispatchEvent(new Event('online'));
      await settle(el);
      expect(shownErrors(el)).to.deep.equal([]);
      down = false;
    } finally {
      el.removeEventListener('agent37-error', onError);
    }
  });

  it('other notices stay: a message over the size cap is still refused after an online event', async () => {
    const { el } = await mountChat();
    expect(await el.send('x'.repeat(2_100_000))).to.equal(false);
    await settle(el);
    const [refused] = shownErrors(el);
    expect(refused).to.be.a('string');
    window.dispatchEvent(new Event('online'));
    await settle(el);
    expect(shownErrors(el)).to.deep.equal([refused]);
    expect(shadow(el).querySelector('agent37-notice')).to.not.equal(null);
  });
});
