/**
 * `agent37-chat/react` rendered on a server (Next.js-style server rendering): importing it in Node
 * loads nothing of the element, so `customElements` stays undefined (lit's Node build would add a
 * stand-in registry), and renderToString writes the bare tag, the element's props left for the
 * browser to set as properties.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

assert.equal(typeof globalThis.customElements, 'undefined', 'Node has no custom element registry to begin with');
const { Agent37Chat } = await import('../../src/react/index.js');

test('importing the wrapper leaves customElements undefined', () => {
  assert.equal(typeof globalThis.customElements, 'undefined');
});

test('renders the bare tag: element props are not written out as attributes', () => {
  const html = renderToString(
    createElement(Agent37Chat, {
      tokenUrl: '/api/agent37/token',
      persistKey: 'user-42',
      heading: 'Support',
      disabled: true,
      metadata: { plan: 'pro' },
      getToken: async () => ({ token: 't', expires_at: 0, api_base: '/api/agent37' }),
      onSend: () => {},
      onResponseCompleted: () => {},
    }),
  );
  assert.equal(html, '<agent37-chat></agent37-chat>');
});

test("renders React's own props and the slotted children", () => {
  const html = renderToString(
    createElement(
      Agent37Chat,
      { id: 'support', className: 'chat', style: { height: '480px' }, persistKey: 'user-42' },
      createElement('strong', { slot: 'header' }, 'Support'),
    ),
  );
  assert.match(html, /^<agent37-chat[\s>]/);
  assert.equal(html, '<agent37-chat id="support" class="chat" style="height:480px"><strong slot="header">Support</strong></agent37-chat>');
});

test('still nothing is defined after rendering', () => {
  assert.equal(typeof globalThis.customElements, 'undefined');
});
