/**
 * `agent37-chat/react` rendered by React 19 in a real browser, against the test stack (relay and
 * simulator over HTTP): importing the wrapper defines the elements (nothing else in this file does),
 * React renders the tag, props arrive as the element's properties, the element's events reach the
 * handler props, and a re-render updates properties and handlers on the same element. React comes as
 * ES modules from web-test-runner.config.mjs (reactAsModules).
 */
import { expect } from '@open-wc/testing';
import { act, createElement, createRef, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { Agent37Chat as Agent37ChatElement } from '../../src/agent37-chat.js';
import {
  Agent37CloseEvent,
  Agent37ErrorEvent,
  Agent37OpenEvent,
  Agent37ResponseCompletedEvent,
  Agent37ResponseCreatedEvent,
  Agent37SendEvent,
  Agent37SessionChangeEvent,
} from '../../src/events.js';
import { Agent37Chat, type Agent37ChatEventProps } from '../../src/react/index.js';
import { until } from '../support/client-harness.js';

// React's test mode: act() flushes renders and effects before it resolves.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const ANSWER_TIMEOUT_MS = 25_000;

function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A visitor of the test stack's token endpoint, and a conversation of their own. */
function visitor() {
  const user = unique('react-user');
  return { tokenUrl: `/api/agent37/token?user=${user}`, persistKey: unique('react-key') };
}

/** The handler props, recording each event they are called with; `heard(name)` waits for the first of a name. */
function recordingHandlers() {
  const events: Event[] = [];
  const waiters: { name: string; resolve: (event: Event) => void }[] = [];
  const record = (event: Event) => {
    events.push(event);
    for (const waiter of waiters.filter((w) => w.name === event.type)) waiter.resolve(event);
  };
  const props: Required<Agent37ChatEventProps> = {
    onSend: record,
    onResponseCreated: record,
    onResponseCompleted: record,
    onError: record,
    onSessionChange: record,
    onOpen: record,
    onClose: record,
    onConversationChange: record,
  };
  function heard(name: string): Promise<Event> {
    const seen = events.find((event) => event.type === name);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} event within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
      waiters.push({
        name,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }
  return { events, props, heard };
}

function headerText(el: Agent37ChatElement): string {
  return el.shadowRoot!.querySelector('[part="header"] .header__title')!.textContent!.trim();
}

function restoring(el: Agent37ChatElement): boolean {
  return el.shadowRoot!.querySelector('.restoring') !== null;
}

/** Send is back in place of Stop: no answer is running. */
function idle(el: Agent37ChatElement): boolean {
  return el.shadowRoot!.querySelector('agent37-composer')?.shadowRoot?.querySelector('[part="send-button"]') != null;
}

/** Fails the test on any warning or error logged while it ran (Lit's dev mode, React's, a second definition). */
function failOnConsoleWarnings(): void {
  let logged: string[] = [];
  const original = { warn: console.warn, error: console.error };
  beforeEach(() => {
    logged = [];
    for (const level of ['warn', 'error'] as const) {
      console[level] = (...args: unknown[]) => {
        const text = args.map(String).join(' ');
        if (!/Lit is in dev mode/.test(text)) logged.push(`${level}: ${text}`);
        original[level].apply(console, args);
      };
    }
  });
  afterEach(() => {
    console.warn = original.warn;
    console.error = original.error;
    expect(logged, 'console warnings and errors').to.deep.equal([]);
  });
}

failOnConsoleWarnings();

describe('agent37-chat/react', () => {
  let container: HTMLElement;
  let root: Root;

  before(async () => {
    // defined by the wrapper's import alone
    await until(() => customElements.get('agent37-chat') !== undefined, 'the wrapper to define <agent37-chat>');
  });

  beforeEach(() => {
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
  });

  afterEach(async () => {
    await act(async () => root.unmount());
    container.remove();
  });

  async function render(node: ReactNode): Promise<void> {
    await act(async () => root.render(node));
  }

  function chatElement(): Agent37ChatElement {
    const el = container.querySelector('agent37-chat');
    expect(el, 'React rendered <agent37-chat>').to.exist;
    return el!;
  }

  it('importing it defines <agent37-chat> and the elements it renders', () => {
    for (const tag of ['agent37-chat', 'agent37-message', 'agent37-composer', 'agent37-notice', 'agent37-tool-steps', 'agent37-markdown', 'agent37-code-block']) {
      expect(customElements.get(tag), tag).to.be.a('function');
    }
  });

  it('renders the element with its props as properties, React props as attributes, children in the slots', async () => {
    const ref = createRef<Agent37ChatElement>();
    const { tokenUrl, persistKey } = visitor();
    // a function and an object: only properties can carry them
    const getToken = async () => (await fetch(tokenUrl, { method: 'POST' })).json();
    await render(
      createElement(
        Agent37Chat,
        { ref, getToken, persistKey, metadata: { plan: 'pro' }, disabled: true, greeting: 'Ask from React', id: 'support', className: 'chat', style: { height: '480px' } },
        createElement('strong', { slot: 'header' }, 'Support desk'),
      ),
    );
    const el = chatElement();
    expect(el).to.be.an.instanceOf(customElements.get('agent37-chat')!);
    expect(ref.current).to.equal(el);
    expect(el.persistKey).to.equal(persistKey);
    expect(el.getToken).to.equal(getToken);
    expect(el.metadata).to.deep.equal({ plan: 'pro' });
    expect(el.disabled).to.equal(true);
    // properties, not attributes (disabled reflects itself, and so do mode and theme, with their defaults)
    expect(el.getAttributeNames().sort()).to.deep.equal(['class', 'disabled', 'id', 'mode', 'style', 'theme']);
    expect(el.className).to.equal('chat');
    expect(el.style.height).to.equal('480px');

    await until(() => !restoring(el), 'the chat to finish restoring');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="greeting"]')!.textContent!.trim()).to.equal('Ask from React');
    const headerSlot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="header"]')!;
    expect(headerSlot.assignedElements().map((node) => node.textContent)).to.deep.equal(['Support desk']);
  });

  it("calls the handler props with the element's events, each of its own class", async () => {
    const ref = createRef<Agent37ChatElement>();
    const handlers = recordingHandlers();
    await render(createElement(Agent37Chat, { ref, ...visitor(), ...handlers.props }));
    const el = ref.current!;
    await until(() => !restoring(el), 'the chat to finish restoring');

    expect(await el.send('Hello from React [no-tools]')).to.equal(true);
    const completed = await handlers.heard('agent37-response-completed');
    const [send, created, session] = await Promise.all(['agent37-send', 'agent37-response-created', 'agent37-session-change'].map(handlers.heard));
    expect(send).to.be.an.instanceOf(Agent37SendEvent);
    expect((send as Agent37SendEvent).detail.text).to.equal('Hello from React [no-tools]');
    expect(created).to.be.an.instanceOf(Agent37ResponseCreatedEvent);
    expect((created as Agent37ResponseCreatedEvent).detail.sessionId).to.equal(el.sessionId);
    expect(session).to.be.an.instanceOf(Agent37SessionChangeEvent);
    expect((session as Agent37SessionChangeEvent).detail.sessionId).to.equal(el.sessionId);
    expect(completed).to.be.an.instanceOf(Agent37ResponseCompletedEvent);
    const answer = el.messages.at(-1)!;
    expect((completed as Agent37ResponseCompletedEvent).detail).to.include({ status: 'complete', text: answer.text });
    expect(answer.text.length).to.be.greaterThan(20);
    expect(handlers.events[0]!.type, 'agent37-send comes first').to.equal('agent37-send');
    expect(handlers.events.at(-1)!.type, 'and agent37-response-completed last').to.equal('agent37-response-completed');

    await until(() => idle(el), 'the answer to end', ANSWER_TIMEOUT_MS);
    expect(await el.send('please break [fail] [no-tools]')).to.equal(true);
    const error = await handlers.heard('agent37-error');
    expect(error).to.be.an.instanceOf(Agent37ErrorEvent);
    expect((error as Agent37ErrorEvent).detail.error.code).to.equal('agent_error');
  });

  it('a re-render updates the same element: new prop values, a new handler, removed props unset', async () => {
    const ref = createRef<Agent37ChatElement>();
    const { tokenUrl, persistKey } = visitor();
    const firstHandler: string[] = [];
    const secondHandler: string[] = [];
    await render(createElement(Agent37Chat, { ref, tokenUrl, persistKey, heading: 'First', onSend: (e) => firstHandler.push(e.detail.text) }));
    const el = ref.current!;
    await el.updateComplete;
    expect(headerText(el)).to.equal('First');

    const otherKey = `${persistKey}-2`;
    await render(
      createElement(Agent37Chat, {
        ref,
        tokenUrl,
        persistKey: otherKey,
        heading: 'Second',
        placeholder: 'Ask away',
        onSend: (e) => {
          secondHandler.push(e.detail.text);
          e.preventDefault();
        },
      }),
    );
    expect(ref.current, 'the same element').to.equal(el);
    expect(el.tokenUrl).to.equal(tokenUrl);
    expect(el.persistKey).to.equal(otherKey);
    expect(el.heading).to.equal('Second');
    await until(() => !restoring(el), 'the chat to finish restoring');
    await el.updateComplete;
    expect(headerText(el)).to.equal('Second');
    const textarea = el.shadowRoot!.querySelector('agent37-composer')!.shadowRoot!.querySelector('textarea')!;
    expect(textarea.placeholder).to.equal('Ask away');

    // the handler in use is the new one, and its preventDefault() stops the send
    expect(await el.send('held back')).to.equal(false);
    expect(firstHandler).to.deep.equal([]);
    expect(secondHandler).to.deep.equal(['held back']);
    expect(el.messages).to.deep.equal([]);

    // a prop left out is unset, and a handler left out no longer listens
    await render(createElement(Agent37Chat, { ref, tokenUrl, persistKey: otherKey }));
    expect(el.heading).to.equal(undefined);
    el.dispatchEvent(new Agent37SendEvent('heard by nobody'));
    expect(secondHandler).to.deep.equal(['held back']);
  });

  it('mode and position are props, and onOpen / onClose hear the launcher open and close', async () => {
    const ref = createRef<Agent37ChatElement>();
    const handlers = recordingHandlers();
    await render(createElement(Agent37Chat, { ref, ...visitor(), mode: 'launcher', position: 'bottom-left', ...handlers.props }));
    const el = ref.current!;
    expect([el.mode, el.position]).to.deep.equal(['launcher', 'bottom-left']);
    el.open();
    expect(await handlers.heard('agent37-open')).to.be.an.instanceOf(Agent37OpenEvent);
    el.close();
    expect(await handlers.heard('agent37-close')).to.be.an.instanceOf(Agent37CloseEvent);
  });
});
