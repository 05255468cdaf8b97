import { expect } from '@open-wc/testing';
import { createStore, get, type UseStore } from 'idb-keyval';
import type { Agent37Error } from '../../src/client/errors.js';
import { createPersistence, IdbPersistence, persistenceDbName } from '../../src/state/persistence.js';

const unique = () => `persist-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;

describe('persistence', () => {
  it('keeps the ids in IndexedDB under a database named from api_base and persist-key', async () => {
    const key = unique();
    const p = createPersistence('http://127.0.0.1:1/api/agent37', key);
    expect(await p.load()).to.deep.equal({ sessionId: null, responseId: null, pendingInput: null });
    await p.save({ sessionId: 's1', responseId: 'r1', pendingInput: 'hello 👋' });

    // a fresh instance (a reload) reads what the first one wrote, straight from IndexedDB
    const again = createPersistence('http://127.0.0.1:1/api/agent37', key);
    expect(await again.load()).to.deep.equal({ sessionId: 's1', responseId: 'r1', pendingInput: 'hello 👋' });
    const raw = createStore(persistenceDbName('http://127.0.0.1:1/api/agent37', key), 'kv');
    expect(await get('session', raw)).to.equal('s1');
    expect(p.fallback).to.equal(null);

    await again.save({ sessionId: 's1', responseId: null });
    expect(await createPersistence('http://127.0.0.1:1/api/agent37', key).load()).to.deep.equal({
      sessionId: 's1',
      responseId: null,
      pendingInput: null,
    });
  });

  it('never shares ids between two persist keys or two deployments', async () => {
    const key = unique();
    await createPersistence('http://a.example/api', key).save({ sessionId: 'sa', responseId: null });
    expect((await createPersistence('http://a.example/api', `${key}-other-user`).load()).sessionId).to.equal(null);
    expect((await createPersistence('http://b.example/api', key).load()).sessionId).to.equal(null);
    expect(persistenceDbName('http://a.example/api', key)).to.equal(`agent37-chat:http://a.example/api:${key}`);
  });

  it('falls back to memory when IndexedDB hangs, within the timeout, and reports it once', async () => {
    const reported: Agent37Error[] = [];
    const hanging: UseStore = () => new Promise(() => {});
    const p = new IdbPersistence('unused', { store: hanging, timeoutMs: 200, onFallback: (e) => reported.push(e) });
    const started = performance.now();
    expect(await p.load()).to.deep.equal({ sessionId: null, responseId: null, pendingInput: null });
    // bounded by the timeout, not by the hung store (generous bound: 2 cores, other tests running)
    expect(performance.now() - started).to.be.below(5000);
    await p.save({ sessionId: 's2', responseId: 'r2' });
    expect(await p.load()).to.deep.equal({ sessionId: 's2', responseId: 'r2', pendingInput: null });
    expect(reported.length).to.equal(1);
    expect(reported[0]?.code).to.equal('storage_unavailable');
    expect(p.fallback?.code).to.equal('storage_unavailable');
  });

  it('falls back to memory when IndexedDB throws', async () => {
    const reported: Agent37Error[] = [];
    const throwing: UseStore = () => Promise.reject(new DOMException('The user denied permission', 'SecurityError'));
    const p = new IdbPersistence('unused', { store: throwing, onFallback: (e) => reported.push(e) });
    await p.save({ sessionId: 's3', responseId: null });
    expect(await p.load()).to.deep.equal({ sessionId: 's3', responseId: null, pendingInput: null });
    expect(reported.length).to.equal(1);
  });

  it('falls back to memory when the browser has no IndexedDB', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'indexedDB');
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    try {
      let reported = 0;
      const p = createPersistence('http://a.example/api', unique(), { onFallback: () => reported++ });
      await p.save({ sessionId: 's4', responseId: 'r4' });
      expect(await p.load()).to.deep.equal({ sessionId: 's4', responseId: 'r4', pendingInput: null });
      expect(reported).to.equal(1);
    } finally {
      if (descriptor) Object.defineProperty(window, 'indexedDB', descriptor);
      else delete (window as { indexedDB?: unknown }).indexedDB;
    }
    expect(typeof indexedDB.open).to.equal('function');
  });
});
