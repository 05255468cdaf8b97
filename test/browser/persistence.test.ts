import { expect } from '@open-wc/testing';
import { createStore, get, type UseStore } from 'idb-keyval';
import type { Agent37Error } from '../../src/contract/errors.js';
import type { Agent37ErrorEvent } from '../../src/events.js';
import { createPersistence, IdbPersistence, persistenceDbName } from '../../src/state/persistence.js';
import { mountChat, shownErrors, untilAnswerEnds } from './element-harness.js';

async function until(predicate: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const unique = () => `persist-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;

describe('persistence', () => {
  it('keeps the ids in IndexedDB under a database named from api_base and persist-key', async () => {
    const key = unique();
    const p = createPersistence('http://127.0.0.1:1/api/agent37', key);
    expect(await p.load()).to.deep.equal({ sessionId: null, responseId: null, pendingInput: null, historyBefore: null });
    await p.save({ sessionId: 's1', responseId: 'r1', pendingInput: 'hello 👋', historyBefore: null });

    // a fresh instance (a reload) reads what the first one wrote, straight from IndexedDB
    const again = createPersistence('http://127.0.0.1:1/api/agent37', key);
    expect(await again.load()).to.deep.equal({ sessionId: 's1', responseId: 'r1', pendingInput: 'hello 👋', historyBefore: null });
    const raw = createStore(persistenceDbName('http://127.0.0.1:1/api/agent37', key), 'kv');
    expect(await get('session', raw)).to.equal('s1');
    expect(p.fallback).to.equal(null);

    await again.save({ sessionId: 's1', responseId: null });
    expect(await createPersistence('http://127.0.0.1:1/api/agent37', key).load()).to.deep.equal({
      sessionId: 's1',
      responseId: null,
      pendingInput: null,
      historyBefore: null,
    });
  });

  it('never shares ids between two persist keys or two deployments', async () => {
    const key = unique();
    await createPersistence('http://a.example/api', key).save({ sessionId: 'sa', responseId: null });
    expect((await createPersistence('http://a.example/api', `${key}-other-user`).load()).sessionId).to.equal(null);
    expect((await createPersistence('http://b.example/api', key).load()).sessionId).to.equal(null);
    expect(persistenceDbName('http://a.example/api', key)).to.equal(`agent37-chat:http://a.example/api:${key}`);
  });

  it('a slow IndexedDB keeps callers waiting at most the timeout, and every write still lands, in order', async () => {
    const key = unique();
    const name = persistenceDbName('http://a.example/api', key);
    await createPersistence('http://a.example/api', key).save({ sessionId: 'old', responseId: null });
    // the same database behind a gate: nothing reaches it until the gate opens (a blocked upgrade, a busy disk)
    const real = createStore(name, 'kv');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow: UseStore = (mode, callback) => gate.then(() => real(mode, callback));
    const reported: Agent37Error[] = [];
    const p = new IdbPersistence(name, { store: slow, timeoutMs: 100, onFallback: (e) => reported.push(e) });

    const started = performance.now();
    expect(await p.load()).to.deep.equal({ sessionId: null, responseId: null, pendingInput: null, historyBefore: null });
    await p.save({ sessionId: 's2', responseId: 'r2', pendingInput: 'hi' });
    // the visitor left that conversation (New conversation)
    await p.save({ sessionId: null, responseId: null });
    expect(await p.load()).to.deep.equal({ sessionId: null, responseId: null, pendingInput: null, historyBefore: null });
    // bounded by the timeouts, not by the gate (generous bound: 2 cores, other tests running)
    expect(performance.now() - started).to.be.below(5000);

    open();
    await until(async () => (await get('session', real)) === null, 'the writes to land');
    expect(await get('response', real)).to.equal(null);
    // a reload does not bring back the conversation the visitor left
    expect(await createPersistence('http://a.example/api', key).load()).to.deep.equal({ sessionId: null, responseId: null, pendingInput: null, historyBefore: null });
    expect(p.fallback).to.equal(null);
    expect(reported).to.deep.equal([]);
  });

  it('an IndexedDB that never answers leaves the chat working from memory, without a fallback', async () => {
    const hanging: UseStore = () => new Promise(() => {});
    const p = new IdbPersistence('unused', { store: hanging, timeoutMs: 100 });
    expect(await p.load()).to.deep.equal({ sessionId: null, responseId: null, pendingInput: null, historyBefore: null });
    await p.save({ sessionId: 's2', responseId: 'r2' });
    expect(await p.load()).to.deep.equal({ sessionId: 's2', responseId: 'r2', pendingInput: null, historyBefore: null });
    expect(p.fallback).to.equal(null);
  });

  it('falls back to memory when IndexedDB throws', async () => {
    const reported: Agent37Error[] = [];
    const throwing: UseStore = () => Promise.reject(new DOMException('The user denied permission', 'SecurityError'));
    const p = new IdbPersistence('unused', { store: throwing, onFallback: (e) => reported.push(e) });
    await p.save({ sessionId: 's3', responseId: null });
    expect(await p.load()).to.deep.equal({ sessionId: 's3', responseId: null, pendingInput: null, historyBefore: null });
    expect(reported.length).to.equal(1);
  });

  it('falls back to memory when the browser has no IndexedDB', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'indexedDB');
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    try {
      let reported = 0;
      const p = createPersistence('http://a.example/api', unique(), { onFallback: () => reported++ });
      await p.save({ sessionId: 's4', responseId: 'r4' });
      expect(await p.load()).to.deep.equal({ sessionId: 's4', responseId: 'r4', pendingInput: null, historyBefore: null });
      expect(reported).to.equal(1);
    } finally {
      if (descriptor) Object.defineProperty(window, 'indexedDB', descriptor);
      else delete (window as { indexedDB?: unknown }).indexedDB;
    }
    expect(typeof indexedDB.open).to.equal('function');
  });

  it('<agent37-chat> without IndexedDB tells the page once (storage_unavailable) and goes on chatting', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'indexedDB');
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    const errors: Agent37ErrorEvent[] = [];
    const listener = (e: Event) => errors.push(e as Agent37ErrorEvent);
    document.addEventListener('agent37-error', listener);
    try {
      const { el } = await mountChat();
      expect(await el.send('hello [no-tools] [no-reasoning]')).to.equal(true);
      expect((await untilAnswerEnds(el)).status).to.equal('complete');
      expect(await el.send('and again [no-tools] [no-reasoning]')).to.equal(true);
      expect((await untilAnswerEnds(el)).status).to.equal('complete');
      expect(errors.map((e) => e.detail.error.code)).to.deep.equal(['storage_unavailable']);
      expect(errors[0]!.detail.error.message).to.equal('This browser did not let the chat keep the conversation, so it will not survive a reload.');
      // the page decides whether to tell the visitor; the conversation shows no error
      expect(shownErrors(el)).to.deep.equal([]);
    } finally {
      document.removeEventListener('agent37-error', listener);
      if (descriptor) Object.defineProperty(window, 'indexedDB', descriptor);
      else delete (window as { indexedDB?: unknown }).indexedDB;
    }
  });
});
