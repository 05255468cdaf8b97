/**
 * The page's side of <agent37-chat>: attributes and properties reach the request and the render,
 * getToken replaces token-url, theme (light by default, auto follows the system), slots, and
 * leaving the page never cancels a turn.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import type { TokenGrant } from '../../src/contract/gateway.js';
import { isPost } from '../support/client-harness.js';
import {
  emulateColorScheme,
  failOnLitWarnings,
  RecordingFetch,
  lastAnswer,
  messageElements,
  mountChat,
  sendFromComposer,
  settle,
  shadow,
  uniqueName,
  until,
  untilAnswerEnds,
} from './element-harness.js';


failOnLitWarnings();

/** A fetch that keeps the JSON body of every POST /v1/responses. */
function bodyRecorder(net: RecordingFetch): { fetch: typeof fetch; bodies: Record<string, unknown>[] } {
  const bodies: Record<string, unknown>[] = [];
  return {
    bodies,
    fetch: (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (init?.method === 'POST' && url.endsWith('/v1/responses') && typeof init.body === 'string') bodies.push(JSON.parse(init.body));
      return net.fetch(input, init);
    },
  };
}

describe('<agent37-chat>: properties', () => {
  it('agent, model, provider, reasoning-effort and metadata go with every message', async () => {
    const net = new RecordingFetch();
    const recorder = bodyRecorder(net);
    const user = uniqueName('u');
    const el = await fixture<Agent37Chat>(html`<agent37-chat
      style="height: 400px"
      .fetch=${recorder.fetch}
      .metadata=${{ page: 'pricing' }}
      token-url=${`/api/agent37/token?user=${user}`}
      persist-key=${uniqueName('k')}
      agent="hermes"
      model="demo-model"
      provider="demo-provider"
      reasoning-effort="low"
    ></agent37-chat>`);
    await el.send('with options [no-tools] [no-reasoning]');
    await untilAnswerEnds(el);
    await el.send('and again [no-tools] [no-reasoning]');
    await untilAnswerEnds(el);
    expect(recorder.bodies).to.have.length(2);
    expect(recorder.bodies[0]).to.deep.equal({
      agent: 'hermes',
      model: 'demo-model',
      provider: 'demo-provider',
      reasoning_effort: 'low',
      metadata: { page: 'pricing' },
      input: 'with options [no-tools] [no-reasoning]',
      stream: true,
    });
    expect(recorder.bodies[1]).to.include({ session_id: el.sessionId, input: 'and again [no-tools] [no-reasoning]', model: 'demo-model' });
  });

  it('getToken can replace token-url', async () => {
    const user = uniqueName('u');
    const calls: (TokenGrant | null)[] = [];
    const el = await fixture<Agent37Chat>(html`<agent37-chat style="height: 400px" persist-key=${uniqueName('k')}></agent37-chat>`);
    el.getToken = async (previous) => {
      calls.push(previous);
      const response = await fetch(`/api/agent37/token?user=${user}`, { method: 'POST' });
      return (await response.json()) as TokenGrant;
    };
    await until(() => calls.length > 0, 'getToken to be asked');
    expect(calls[0]).to.equal(null);
    expect(await el.send('via getToken [no-tools] [no-reasoning]')).to.equal(true);
    expect((await untilAnswerEnds(el)).status).to.equal('complete');
  });

  it('a page that hands over a new getToken, fetch and reconnect object on every render never restarts the chat', async () => {
    const user = uniqueName('u');
    const first = new RecordingFetch().add({ when: isPost, pace: '40' });
    const second = new RecordingFetch();
    const tokenCalls: string[] = [];
    const tokenFrom = (name: string) => async (): Promise<TokenGrant> => {
      tokenCalls.push(name);
      const response = await fetch(`/api/agent37/token?user=${user}`, { method: 'POST' });
      // looks spent, so every request asks the page again
      return { ...((await response.json()) as TokenGrant), expires_at: Date.now() - 1 };
    };
    const el = await fixture<Agent37Chat>(html`<agent37-chat style="height: 400px" persist-key=${uniqueName('k')}></agent37-chat>`);
    const render = (name: string, net: RecordingFetch) => {
      el.getToken = tokenFrom(name);
      el.fetch = (input, init) => net.fetch(input, init);
      el.reconnect = { baseMs: 20, capMs: 50 };
    };
    render('first', first);
    const created: string[] = [];
    const completed: string[] = [];
    el.addEventListener('agent37-response-created', (e) => created.push(e.detail.responseId));
    el.addEventListener('agent37-response-completed', (e) => completed.push(e.detail.text));

    expect(await el.send('tell me a story [no-tools] [no-reasoning]')).to.equal(true);
    await until(() => (lastAnswer(el)?.text.length ?? 0) > 0, 'the answer to start');
    render('second', second);
    await el.updateComplete;
    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    expect(created).to.have.length(1);
    expect(completed).to.deep.equal([answer.text]);
    expect(first.posts() + second.posts(), 'one POST').to.equal(1);

    // the page's current functions are the ones called from then on
    const before = tokenCalls.length;
    expect(await el.send('and another [no-tools] [no-reasoning]')).to.equal(true);
    await untilAnswerEnds(el);
    expect(second.posts()).to.equal(1);
    expect(tokenCalls.slice(before)).to.include('second').and.not.include('first');
    expect(created).to.have.length(2);
  });

  it('image-origins reach the markdown renderer as a list, and placeholder labels the box', async () => {
    const { el } = await mountChat({ attributes: { 'image-origins': 'https://img.example.com  https://cdn.example.org', placeholder: 'Ask about your order' } });
    await el.send('images? [no-tools] [no-reasoning]');
    await untilAnswerEnds(el);
    const markdown = shadow(messageElements(el)[1]!).querySelector('agent37-markdown')!;
    expect(markdown.imageOrigins).to.deep.equal(['https://img.example.com', 'https://cdn.example.org']);
    const textarea = shadow(shadow(el).querySelector('agent37-composer')!).querySelector('textarea')!;
    expect(textarea.placeholder).to.equal('Ask about your order');
    expect(textarea.getAttribute('aria-label')).to.equal('Ask about your order');
  });

  it('disabled turns the box and the buttons off', async () => {
    const { el, net } = await mountChat({ attributes: { disabled: '' } });
    const composer = shadow(el).querySelector('agent37-composer')!;
    await composer.updateComplete;
    const textarea = shadow(composer).querySelector('textarea')!;
    const button = shadow(composer).querySelector('button')!;
    expect(textarea.disabled).to.equal(true);
    expect(button.disabled).to.equal(true);
    textarea.value = 'hello';
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    await settle(el);
    expect(net.posts()).to.equal(0);
    el.disabled = false;
    await settle(el);
    await composer.updateComplete;
    expect(textarea.disabled).to.equal(false);
  });

  it('greeting and header slots replace the texts', async () => {
    const el = await fixture<Agent37Chat>(html`<agent37-chat style="height: 400px" persist-key=${uniqueName('k')}>
      <strong slot="header">Support</strong>
      <p slot="greeting">Welcome! Ask about <em>anything</em>.</p>
    </agent37-chat>`);
    const headerSlot = shadow(el).querySelector<HTMLSlotElement>('slot[name="header"]')!;
    const greetingSlot = shadow(el).querySelector<HTMLSlotElement>('slot[name="greeting"]')!;
    expect(headerSlot.assignedElements().map((e) => e.textContent)).to.deep.equal(['Support']);
    expect(greetingSlot.assignedElements().map((e) => e.textContent)).to.deep.equal(['Welcome! Ask about anything.']);
  });

  it('is light by default whatever the system says; theme="auto" follows the system, theme="dark" is dark', async () => {
    const el = await fixture<Agent37Chat>(html`<agent37-chat style="height: 300px" persist-key=${uniqueName('k')}></agent37-chat>`);
    // the chat's own box: the page's rules on the element cannot repaint it
    const background = () => getComputedStyle(shadow(el).querySelector('.chat')!).backgroundColor;
    await emulateColorScheme('light');
    const light = background();
    expect(light).to.equal('rgb(255, 255, 255)');
    await emulateColorScheme('dark');
    expect(background(), 'the default under a dark system').to.equal(light);
    expect(el.theme).to.equal('light');
    el.theme = 'auto';
    await el.updateComplete;
    expect(el.getAttribute('theme')).to.equal('auto');
    const dark = background();
    expect(dark).to.equal('rgb(21, 23, 28)');
    await emulateColorScheme('light');
    expect(background(), 'auto under a light system').to.equal(light);
    el.theme = 'dark';
    await el.updateComplete;
    expect(background()).to.equal(dark);
    el.style.setProperty('--agent37-background', 'rgb(1, 2, 3)');
    expect(background()).to.equal('rgb(1, 2, 3)');
  });

  it('the page styles every part with ::part, through the sub-elements too', async () => {
    const parts = ['header', 'new-conversation-button', 'messages', 'message', 'bubble', 'reasoning', 'tool-steps', 'text', 'error', 'composer', 'input', 'send-button'];
    await expectPartsStyledFromPage(parts, 'parts [fail]');
  });

  it("the page styles the answer's markdown parts (code block, copy button, table, link) through the chat", async () => {
    await expectPartsStyledFromPage(['code-block', 'copy-button', 'table', 'link'], 'markdown parts [no-tools]');
  });

  it('the message box grows with its text up to a maximum, then scrolls', async () => {
    const { el } = await mountChat();
    const composer = shadow(el).querySelector('agent37-composer')!;
    const textarea = shadow(composer).querySelector('textarea')!;
    const oneLine = textarea.getBoundingClientRect().height;
    composer.value = 'one\ntwo\nthree';
    await composer.updateComplete;
    const threeLines = textarea.getBoundingClientRect().height;
    expect(threeLines).to.be.greaterThan(oneLine * 1.8);
    composer.value = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    await composer.updateComplete;
    const capped = textarea.getBoundingClientRect().height;
    expect(capped).to.be.greaterThan(threeLines);
    expect(capped).to.be.lessThan(textarea.scrollHeight);
    composer.value = '';
    await composer.updateComplete;
    expect(textarea.getBoundingClientRect().height).to.equal(oneLine);
  });

  it('leaving the page never cancels a turn: the next element with the same persist-key finishes it', async () => {
    const net = new RecordingFetch().add({ when: isPost, pace: '60' });
    const first = await mountChat({ net });
    await sendFromComposer(first.el, 'keep going without me [no-tools] [no-reasoning]');
    await until(() => (lastAnswer(first.el)?.text.length ?? 0) > 0, 'the first words');
    first.el.remove();

    const again = await mountChat({ user: first.user, persistKey: first.persistKey, net });
    const answer = await untilAnswerEnds(again.el, 30_000);
    expect(answer.status).to.equal('complete');
    expect(net.count('POST', /\/cancel$/)).to.equal(0);
    expect(net.posts()).to.equal(1);
    expect(again.el.messages.map((m) => [m.role, m.role === 'user' ? m.text : m.status])).to.deep.equal([
      ['user', 'keep going without me [no-tools] [no-reasoning]'],
      ['assistant', 'complete'],
    ]);
  });

  it('survives being mounted and removed many times', async () => {
    const persistKey = uniqueName('k');
    const user = uniqueName('u');
    const errors: string[] = [];
    const onError = (e: ErrorEvent) => errors.push(e.message);
    window.addEventListener('error', onError);
    try {
      for (let i = 0; i < 15; i++) {
        const { el } = await mountChat({ user, persistKey });
        el.remove();
        document.body.append(el);
        await settle(el);
        el.remove();
      }
      const { el } = await mountChat({ user, persistKey });
      expect(await el.send('still fine [no-tools] [no-reasoning]')).to.equal(true);
      expect((await untilAnswerEnds(el)).status).to.equal('complete');
    } finally {
      window.removeEventListener('error', onError);
    }
    expect(errors).to.deep.equal([]);
  });
});

/** Sends `input`, then checks that `agent37-chat::part(x)` rules on the page reach each part. */
async function expectPartsStyledFromPage(parts: string[], input: string): Promise<void> {
  const style = document.createElement('style');
  style.textContent = parts.map((part) => `agent37-chat::part(${part}) { outline-color: rgb(1, 2, 3); }`).join('\n');
  document.head.append(style);
  try {
    const { el } = await mountChat();
    await el.send(input);
    await untilAnswerEnds(el);
    await settle(el);
    const found = new Map<string, Element>();
    const walk = (root: ParentNode) => {
      for (const node of root.querySelectorAll('*')) {
        for (const part of node.part) if (!found.has(part)) found.set(part, node);
        if (node.shadowRoot) walk(node.shadowRoot);
      }
    };
    walk(shadow(el));
    for (const part of parts) {
      const node = found.get(part);
      expect(node, `an element with part ${part}`).to.not.equal(undefined);
      expect(getComputedStyle(node!).outlineColor, `::part(${part}) reaches it`).to.equal('rgb(1, 2, 3)');
    }
  } finally {
    style.remove();
  }
}
