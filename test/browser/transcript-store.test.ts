import { expect } from '@open-wc/testing';
import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { Agent37Error } from '../../src/contract/errors.js';
import type { TranscriptTurn } from '../../src/state/conversation-types.js';
import { persistenceDbName } from '../../src/state/persistence.js';
import { createTranscriptStore, IdbTranscriptStore, TRANSCRIPT_TURN_TRIM_CHARS, transcriptDbName } from '../../src/state/transcript-store.js';

const API = 'http://127.0.0.1:1/api/agent37';
const unique = () => `transcript-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;

async function until(predicate: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function turn(responseId: string | null, text: string, more: Partial<TranscriptTurn> = {}): TranscriptTurn {
  return { responseId, input: `question for ${text}`, status: 'complete', parts: [{ type: 'text', text }], at: 1_700_000_000_000, ...more };
}

/** what a turn full of what the server's history does not keep looks like */
const stoppedWithSteps: TranscriptTurn = {
  responseId: 'resp_1',
  input: 'Find the weather 🌦 and book a table',
  status: 'stopped',
  parts: [
    { type: 'reasoning', text: 'The visitor wants two things.' },
    { type: 'text', text: 'Looking it up. ' },
    { type: 'tool', step: { tool: 'web_search', label: 'Searching the web', status: 'completed', duration_ms: 1234 } },
    { type: 'tool', step: { tool: 'book', label: 'Booking a table', status: 'failed', duration_ms: 80, error: 'The restaurant is closed.' } },
    { type: 'text', text: 'It is sunny.' },
  ],
  usage: { input_tokens: 120, output_tokens: 45, cost_usd: 0.0012 },
  at: 1_700_000_000_500,
  // when it was asked and its answer began (a turn stored before these were kept has neither: `failed` below)
  askedAt: 1_699_999_990_000,
  startedAt: 1_699_999_990_200,
};
const failed: TranscriptTurn = {
  responseId: 'resp_2',
  input: 'and again',
  status: 'failed',
  parts: [{ type: 'text', text: 'Half an answ' }],
  usage: null,
  error: { code: 'agent_error', message: 'The agent crashed.', hint: 'Try again later.' },
  at: 1_700_000_001_000,
};

const rawStore = (key: string, api = API) => createStore(transcriptDbName(api, key), 'kv');
const storedIds = async (raw: UseStore) =>
  ((await get<{ conversations: { sessionId: string }[] }>('index', raw))?.conversations ?? []).map((c) => c.sessionId);
const texts = (turns: TranscriptTurn[]) => turns.map((t) => t.parts.map((p) => (p.type === 'tool' ? `[${p.step.tool}]` : p.text)).join(''));

describe('transcript store', () => {
  it('keeps finished turns in a database of its own, and a fresh instance (a reload) reads them back exactly', async () => {
    const key = unique();
    expect(transcriptDbName(API, key)).to.equal(`${persistenceDbName(API, key)}:transcript`);
    const t = createTranscriptStore(API, key);
    expect(await t.load('s1')).to.deep.equal([]);
    await t.append('s1', stoppedWithSteps);
    await t.append('s1', failed);
    expect(await t.load('s1')).to.deep.equal([stoppedWithSteps, failed]);

    const again = createTranscriptStore(API, key);
    const loaded = await again.load('s1');
    expect(loaded).to.deep.equal([stoppedWithSteps, failed]);
    expect(again.fallback).to.equal(null);
    // the caller gets copies: changing them changes nothing stored
    loaded[0]!.parts.length = 0;
    expect(await again.load('s1')).to.deep.equal([stoppedWithSteps, failed]);

    const raw = rawStore(key);
    expect(await get('conv:s1', raw)).to.deep.include({ v: 1, sessionId: 's1', turns: [stoppedWithSteps, failed] });
    expect(await storedIds(raw)).to.deep.equal(['s1']);
  });

  it('never shares turns between two persist keys, two deployments or two conversations', async () => {
    const key = unique();
    await createTranscriptStore('http://a.example/api', key).append('s1', turn('r1', 'mine'));
    expect(await createTranscriptStore('http://a.example/api', `${key}-other-user`).load('s1')).to.deep.equal([]);
    expect(await createTranscriptStore('http://b.example/api', key).load('s1')).to.deep.equal([]);
    expect(await createTranscriptStore('http://a.example/api', key).load('s2')).to.deep.equal([]);
    expect(texts(await createTranscriptStore('http://a.example/api', key).load('s1'))).to.deep.equal(['mine']);
  });

  it('append replaces the stored turn with the same response id in place; turns without one are always added', async () => {
    const key = unique();
    const t = createTranscriptStore(API, key);
    await t.append('s1', turn('r1', 'first, stopped', { status: 'stopped' }));
    await t.append('s1', turn(null, 'from history'));
    await t.append('s1', turn(null, 'from history'));
    await t.append('s1', turn('r2', 'second'));
    await t.append('s1', turn('r1', 'first, complete'));
    const loaded = await createTranscriptStore(API, key).load('s1');
    expect(texts(loaded)).to.deep.equal(['first, complete', 'from history', 'from history', 'second']);
    expect(loaded.map((x) => x.status)).to.deep.equal(['complete', 'complete', 'complete', 'complete']);
  });

  it('replace keeps only the given turns; replacing with none and remove forget the conversation', async () => {
    const key = unique();
    const t = createTranscriptStore(API, key);
    for (const id of ['r1', 'r2', 'r3']) await t.append('s1', turn(id, id));
    await t.append('s2', turn('r9', 'other'));
    await t.replace('s1', [turn('r1', 'r1'), turn('r3', 'r3')]);
    expect(texts(await createTranscriptStore(API, key).load('s1'))).to.deep.equal(['r1', 'r3']);

    await t.replace('s1', []);
    expect(await createTranscriptStore(API, key).load('s1')).to.deep.equal([]);
    await t.remove('s2');
    await t.remove('never-there');
    expect(await createTranscriptStore(API, key).load('s2')).to.deep.equal([]);
    const raw = rawStore(key);
    expect(await get('conv:s1', raw)).to.equal(undefined);
    expect(await get('conv:s2', raw)).to.equal(undefined);
    expect(await storedIds(raw)).to.deep.equal([]);
  });

  it('keeps at most maxTurns turns per conversation and maxConversations conversations, dropping the oldest', async () => {
    const key = unique();
    const options = { maxConversations: 3, maxTurns: 4 };
    const t = createTranscriptStore(API, key, options);
    for (let i = 1; i <= 6; i++) await t.append('a', turn(`a${i}`, `a${i}`));
    expect(texts(await createTranscriptStore(API, key, options).load('a'))).to.deep.equal(['a3', 'a4', 'a5', 'a6']);
    await t.replace('b', [1, 2, 3, 4, 5].map((i) => turn(`b${i}`, `b${i}`)));
    expect(texts(await createTranscriptStore(API, key, options).load('b'))).to.deep.equal(['b2', 'b3', 'b4', 'b5']);

    await t.append('c', turn('c1', 'c1'));
    // a is written again: b is now the least recently updated
    await t.append('a', turn('a7', 'a7'));
    await t.append('d', turn('d1', 'd1'));
    const fresh = createTranscriptStore(API, key, options);
    expect(await fresh.load('b')).to.deep.equal([]);
    expect(texts(await fresh.load('a'))).to.deep.equal(['a4', 'a5', 'a6', 'a7']);
    expect(texts(await fresh.load('c'))).to.deep.equal(['c1']);
    expect(texts(await fresh.load('d'))).to.deep.equal(['d1']);
    const raw = rawStore(key);
    expect(await storedIds(raw)).to.deep.equal(['c', 'a', 'd']);
    expect(await get('conv:b', raw)).to.equal(undefined);
  });

  it('keeps 50 conversations of 200 turns by default', async () => {
    const key = unique();
    const t = createTranscriptStore(API, key);
    const small = (c: number, i: number) => turn(`r${c}-${i}`, `${i}`);
    for (let c = 0; c <= 50; c++) {
      await t.replace(`s${c}`, Array.from({ length: 201 }, (_, i) => small(c, i)));
    }
    await t.append('s50', small(50, 201));
    const raw = rawStore(key);
    const ids = await storedIds(raw);
    expect(ids).to.have.length(50);
    expect(ids[0]).to.equal('s1');
    const fresh = createTranscriptStore(API, key);
    expect(await fresh.load('s0')).to.deep.equal([]);
    const s1 = await fresh.load('s1');
    expect(s1).to.have.length(200);
    expect(texts(s1.slice(0, 1))).to.deep.equal(['1']);
    const s50 = await fresh.load('s50');
    expect(s50).to.have.length(200);
    expect(texts([s50[0]!, s50[199]!])).to.deep.equal(['2', '201']);
  });

  it('keeps at most maxChars of JSON in all, dropping the least recently updated conversations, then the oldest turns', async () => {
    const key = unique();
    const big = (id: string) => turn(id, id.padEnd(300, '.'));
    const size = JSON.stringify(big('a1')).length;
    const options = { maxChars: Math.floor(4.5 * size) };
    const t = createTranscriptStore(API, key, options);
    for (const id of ['a1', 'a2', 'a3']) await t.append('a', big(id));
    await t.append('b', big('b1'));
    expect((await createTranscriptStore(API, key, options).load('a')).map((x) => x.responseId)).to.deep.equal(['a1', 'a2', 'a3']);
    // five turns in all is over the budget: a, the least recently updated, goes
    await t.append('b', big('b2'));
    const fresh = createTranscriptStore(API, key, options);
    expect(await fresh.load('a')).to.deep.equal([]);
    expect((await fresh.load('b')).map((x) => x.responseId)).to.deep.equal(['b1', 'b2']);
    // one conversation over the budget keeps its newest turns
    await t.replace('b', ['b1', 'b2', 'b3', 'b4', 'b5'].map(big));
    expect((await createTranscriptStore(API, key, options).load('b')).map((x) => x.responseId)).to.deep.equal(['b2', 'b3', 'b4', 'b5']);
    expect(await storedIds(rawStore(key))).to.deep.equal(['b']);
  });

  it('a turn over 256 KB keeps its text, tool steps, status and usage but not its reasoning', async () => {
    const key = unique();
    const t = createTranscriptStore(API, key);
    const thinking = 'hmm '.repeat(TRANSCRIPT_TURN_TRIM_CHARS / 4);
    const huge: TranscriptTurn = {
      ...stoppedWithSteps,
      responseId: 'resp_huge',
      parts: [
        { type: 'reasoning', text: thinking },
        { type: 'text', text: 'Hello ' },
        { type: 'reasoning', text: 'then' },
        { type: 'text', text: 'world. ' },
        { type: 'tool', step: { tool: 'web_search', label: 'Searching the web', status: 'failed', duration_ms: 9, error: 'timeout' } },
        { type: 'text', text: 'Done.' },
      ],
    };
    await t.append('s1', huge);
    const longText = 'x'.repeat(TRANSCRIPT_TURN_TRIM_CHARS + 10);
    await t.append('s1', turn('r-long', longText, { parts: [{ type: 'reasoning', text: 'short' }, { type: 'text', text: longText }] }));
    // under the cap the reasoning stays
    await t.append('s1', stoppedWithSteps);

    const [first, second, third] = await createTranscriptStore(API, key).load('s1');
    expect(first).to.deep.equal({
      ...stoppedWithSteps,
      responseId: 'resp_huge',
      parts: [
        { type: 'text', text: 'Hello world. ' },
        { type: 'tool', step: { tool: 'web_search', label: 'Searching the web', status: 'failed', duration_ms: 9, error: 'timeout' } },
        { type: 'text', text: 'Done.' },
      ],
    });
    expect(second!.parts).to.deep.equal([{ type: 'text', text: longText }]);
    expect(third).to.deep.equal(stoppedWithSteps);

    // a turn over the whole budget even without its reasoning is not kept (its text is in the server's history)
    const tight = createTranscriptStore(API, unique(), { maxChars: 1000 });
    await tight.append('s1', turn('r1', 'y'.repeat(2000)));
    await tight.append('s1', turn('r2', 'fits'));
    expect(texts(await tight.load('s1'))).to.deep.equal(['fits']);
  });

  it('falls back to memory when IndexedDB throws: reported once, nothing thrown, this page still has its turns', async () => {
    const reported: Agent37Error[] = [];
    let calls = 0;
    const throwing: UseStore = () => {
      calls++;
      return Promise.reject(new DOMException('The user denied permission', 'SecurityError'));
    };
    const t = new IdbTranscriptStore('unused', { store: throwing, maxTurns: 2, onFallback: (e) => reported.push(e) });
    expect(await t.load('s1')).to.deep.equal([]);
    await t.append('s1', turn('r1', 'one'));
    await t.append('s1', turn('r2', 'two'));
    await t.append('s1', turn('r3', 'three'));
    await t.append('s2', stoppedWithSteps);
    expect(texts(await t.load('s1'))).to.deep.equal(['two', 'three']);
    expect(await t.load('s2')).to.deep.equal([stoppedWithSteps]);
    await t.replace('s1', [turn('r3', 'three')]);
    expect(texts(await t.load('s1'))).to.deep.equal(['three']);
    await t.remove('s2');
    expect(await t.load('s2')).to.deep.equal([]);

    expect(reported.length).to.equal(1);
    expect(reported[0]!.code).to.equal('storage_unavailable');
    expect(reported[0]!.message).to.equal('This browser did not let the chat keep its transcript, so tool steps, stops and errors will not survive a reload.');
    expect(t.fallback).to.equal(reported[0]);
    // IndexedDB is not asked again once it failed
    expect(calls).to.equal(1);
  });

  it('falls back to memory when the browser has no IndexedDB', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'indexedDB');
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    try {
      let reported = 0;
      const t = createTranscriptStore(API, unique(), { onFallback: () => reported++ });
      await t.append('s1', failed);
      expect(await t.load('s1')).to.deep.equal([failed]);
      expect(reported).to.equal(1);
    } finally {
      if (descriptor) Object.defineProperty(window, 'indexedDB', descriptor);
      else delete (window as { indexedDB?: unknown }).indexedDB;
    }
    expect(typeof indexedDB.open).to.equal('function');
  });

  it('a slow IndexedDB keeps each call waiting at most the timeout, and every write still lands, in order', async () => {
    const key = unique();
    const name = transcriptDbName(API, key);
    await createTranscriptStore(API, key).append('old', turn('r0', 'left behind'));
    // the same database behind a gate: nothing reaches it until the gate opens (a blocked upgrade, a busy disk)
    const real = createStore(name, 'kv');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow: UseStore = (mode, callback) => gate.then(() => real(mode, callback));
    const reported: Agent37Error[] = [];
    const t = new IdbTranscriptStore(name, { store: slow, timeoutMs: 100, onFallback: (e) => reported.push(e) });

    const durations: number[] = [];
    const timed = async <T>(call: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await call();
      durations.push(performance.now() - started);
      return result;
    };
    // nothing known on this page yet
    expect(await timed(() => t.load('s1'))).to.deep.equal([]);
    await timed(() => t.append('s1', turn('r1', 'one, stopped', { status: 'stopped' })));
    await timed(() => t.append('s1', turn('r2', 'two')));
    await timed(() => t.append('s1', turn('r1', 'one')));
    // what this page wrote, while IndexedDB has not answered
    expect(texts(await timed(() => t.load('s1')))).to.deep.equal(['one', 'two']);
    await timed(() => t.replace('s2', [turn('r3', 'three')]));
    await timed(() => t.remove('old'));
    // bounded by the timeout, not by the gate (generous bound: 2 cores, other tests running)
    expect(durations).to.have.length(7);
    for (const ms of durations) expect(ms).to.be.below(1500);

    open();
    await until(async () => (await get('conv:old', real)) === undefined, 'the writes to land');
    const fresh = createTranscriptStore(API, key);
    const s1 = await fresh.load('s1');
    expect(texts(s1)).to.deep.equal(['one', 'two']);
    expect(s1[0]!.status).to.equal('complete');
    expect(texts(await fresh.load('s2'))).to.deep.equal(['three']);
    expect(await fresh.load('old')).to.deep.equal([]);
    expect(await storedIds(real)).to.deep.equal(['s1', 's2']);
    expect(t.fallback).to.equal(null);
    expect(reported).to.deep.equal([]);
  });

  it('an IndexedDB that never answers leaves this page working from memory, without a fallback', async () => {
    const hanging: UseStore = () => new Promise(() => {});
    const t = new IdbTranscriptStore('unused', { store: hanging, timeoutMs: 100 });
    expect(await t.load('s1')).to.deep.equal([]);
    await t.append('s1', stoppedWithSteps);
    expect(await t.load('s1')).to.deep.equal([stoppedWithSteps]);
    expect(t.fallback).to.equal(null);
  });

  it('a load waiting for IndexedDB includes the writes made meanwhile', async () => {
    const key = unique();
    const name = transcriptDbName(API, key);
    await createTranscriptStore(API, key).append('s1', turn('r1', 'stored before'));
    const real = createStore(name, 'kv');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow: UseStore = (mode, callback) => gate.then(() => real(mode, callback));
    const t = new IdbTranscriptStore(name, { store: slow, timeoutMs: 2000 });
    const loading = t.load('s1');
    const appending = t.append('s1', turn('r2', 'appended while loading'));
    open();
    expect(texts(await loading)).to.deep.equal(['stored before', 'appended while loading']);
    await appending;
    expect(texts(await createTranscriptStore(API, key).load('s1'))).to.deep.equal(['stored before', 'appended while loading']);
  });

  it('a full disk (QuotaExceededError) drops the oldest conversations and tries the write once more', async () => {
    const key = unique();
    const name = transcriptDbName(API, key);
    const setup = createTranscriptStore(API, key);
    for (const id of ['a', 'b', 'c']) await setup.append(id, turn(`r-${id}`, id));
    const real = createStore(name, 'kv');
    let writes = 0;
    const fullOnce: UseStore = (mode, callback) =>
      mode === 'readwrite' && writes++ === 0 ? Promise.reject(new DOMException('The disk is full.', 'QuotaExceededError')) : real(mode, callback);
    const reported: Agent37Error[] = [];
    const t = new IdbTranscriptStore(name, { store: fullOnce, onFallback: (e) => reported.push(e) });
    await t.append('d', stoppedWithSteps);

    // the older half of the others went (a and b), then the write landed
    const fresh = createTranscriptStore(API, key);
    expect(await fresh.load('a')).to.deep.equal([]);
    expect(await fresh.load('b')).to.deep.equal([]);
    expect(texts(await fresh.load('c'))).to.deep.equal(['c']);
    expect(await fresh.load('d')).to.deep.equal([stoppedWithSteps]);
    expect(await storedIds(real)).to.deep.equal(['c', 'd']);
    expect(reported).to.deep.equal([]);
    expect(t.fallback).to.equal(null);
  });

  it('a disk that stays full gives up that write without throwing or falling back, and the next write is tried', async () => {
    const key = unique();
    const name = transcriptDbName(API, key);
    await createTranscriptStore(API, key).append('a', turn('r-a', 'a'));
    const real = createStore(name, 'kv');
    let full = true;
    const quota: UseStore = (mode, callback) =>
      full && mode === 'readwrite' ? Promise.reject(new DOMException('The disk is full.', 'QuotaExceededError')) : real(mode, callback);
    const t = new IdbTranscriptStore(name, { store: quota });
    await t.append('b', turn('r-b1', 'lost'));
    expect(t.fallback).to.equal(null);
    full = false;
    await t.append('b', turn('r-b2', 'kept'));
    expect(texts(await createTranscriptStore(API, key).load('b'))).to.deep.equal(['kept']);
  });

  it('ignores corrupt and old-shaped records instead of throwing, and rebuilds a broken index', async () => {
    const key = unique();
    const raw = rawStore(key);
    // opening the database creates its store
    await createTranscriptStore(API, key).load('warm-up');
    const good = turn('r1', 'good');
    await set(
      'conv:s1',
      {
        v: 1,
        sessionId: 's1',
        updatedAt: 3,
        turns: [
          good,
          { ...good, responseId: 5 },
          { ...good, status: 'streaming' },
          { ...good, input: undefined },
          { ...good, parts: [{ type: 'image', url: 'x' }] },
          { ...good, parts: 'text' },
          { ...good, parts: [{ type: 'tool', step: { tool: 'x', label: 'X', status: 'exploded' } }] },
          'junk',
          null,
        ],
      },
      raw,
    );
    await set('conv:s2', 'garbage', raw);
    await set('conv:s3', { v: 0, sessionId: 's3', updatedAt: 1, turns: [good] }, raw);
    await set('conv:s4', { v: 1, sessionId: 'someone-else', updatedAt: 1, turns: [good] }, raw);
    await set('conv:s5', { v: 1, sessionId: 's5', updatedAt: 2, turns: [turn('r5', 'five', { usage: { input_tokens: 'many' } as never, error: 'bad' as never })] }, raw);
    await set('index', 'not an index', raw);

    const t = createTranscriptStore(API, key);
    expect(await t.load('s1')).to.deep.equal([good]);
    for (const id of ['s2', 's3', 's4']) expect(await t.load(id)).to.deep.equal([]);
    // a malformed usage or error is left out; the turn stays
    expect(await t.load('s5')).to.deep.equal([turn('r5', 'five')]);

    await t.append('s6', good);
    expect(t.fallback).to.equal(null);
    // the index is rebuilt from the readable conversations, oldest update first; unreadable ones are deleted
    expect(await storedIds(raw)).to.deep.equal(['s5', 's1', 's6']);
    for (const id of ['s2', 's3', 's4']) expect(await get(`conv:${id}`, raw)).to.equal(undefined);
  });
});
