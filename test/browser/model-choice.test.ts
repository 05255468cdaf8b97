// The visitor's model and effort per conversation, in the browser's real localStorage: one key per
// persist-key, a bounded record, a memory fallback when storage is blocked, full or garbled, and
// another tab's change (a same-origin frame writes, as a tab would) reported through onChange.
import { expect } from '@open-wc/testing';
import { MODEL_CHOICE_LIMIT, ModelChoiceStore, modelChoiceKey, type ModelChoice } from '../../src/state/model-choice.js';
import { uniqueName, until } from './element-harness.js';

const keys: string[] = [];

/** A store with a persist-key of its own; its localStorage key is removed after the test. */
function store(persistKey = uniqueName('models')): ModelChoiceStore {
  keys.push(modelChoiceKey(persistKey));
  return new ModelChoiceStore(persistKey);
}

function stored(s: ModelChoiceStore): unknown {
  const raw = localStorage.getItem(s.key);
  return raw === null ? null : JSON.parse(raw);
}

/** Replaces a Storage method for the duration of `run`. */
async function stubStorage(method: 'getItem' | 'setItem', replacement: (...args: never[]) => unknown, run: () => void | Promise<void>): Promise<void> {
  const original = Storage.prototype[method];
  Object.defineProperty(Storage.prototype, method, { configurable: true, writable: true, value: replacement });
  try {
    await run();
  } finally {
    Object.defineProperty(Storage.prototype, method, { configurable: true, writable: true, value: original });
  }
}

const SONNET: ModelChoice = { model: 'claude-sonnet-4-5', provider: 'anthropic', effort: 'high' };
const GPT: ModelChoice = { model: 'gpt-5', provider: 'openai' };

describe('ModelChoiceStore', () => {
  afterEach(() => {
    for (const key of keys.splice(0)) localStorage.removeItem(key);
  });

  it('remembers a choice per conversation, and one for a new conversation, as one JSON object', () => {
    const s = store('page-a');
    expect(s.key).to.equal('agent37-chat:models:page-a');
    expect(s.get('s1')).to.equal(null);
    expect(s.get(null)).to.equal(null);
    s.set('s1', SONNET);
    s.set(null, GPT);
    s.set('s2', { effort: 'low' });
    expect(s.get('s1')).to.deep.equal(SONNET);
    expect(s.get(null)).to.deep.equal(GPT);
    expect(s.get('s2')).to.deep.equal({ effort: 'low' });
    expect(s.get('s3')).to.equal(null);
    expect(stored(s)).to.deep.equal({ s1: SONNET, '': GPT, s2: { effort: 'low' } });
    // a later pick replaces the whole choice
    s.set('s1', { model: 'gpt-5' });
    expect(s.get('s1')).to.deep.equal({ model: 'gpt-5' });
    // what get answers is a copy
    s.get('s1')!.model = 'changed';
    expect(s.get('s1')).to.deep.equal({ model: 'gpt-5' });
    expect(s.inMemory).to.equal(false);
  });

  it('survives a reload (a new store), and keeps persist-keys apart', () => {
    const persistKey = uniqueName('models');
    store(persistKey).set('s1', SONNET);
    expect(store(persistKey).get('s1')).to.deep.equal(SONNET);
    expect(store().get('s1')).to.equal(null);
  });

  it('keeps only what a choice may hold', () => {
    const s = store();
    s.set('s1', { model: 'gpt-5', provider: '', effort: 'max' as never, colour: 'red' } as ModelChoice);
    expect(s.get('s1')).to.deep.equal({ model: 'gpt-5' });
    localStorage.setItem(s.key, JSON.stringify({ s1: { model: 3, effort: 'minimal' }, s2: 'gpt-5', s3: null, s4: { model: 'o3' } }));
    expect(s.get('s1')).to.deep.equal({ effort: 'minimal' });
    expect(s.get('s2')).to.equal(null);
    expect(s.get('s3')).to.equal(null);
    expect(s.get('s4')).to.deep.equal({ model: 'o3' });
  });

  it(`keeps the ${MODEL_CHOICE_LIMIT} most recently set conversations, and the new conversation's choice`, () => {
    const s = store();
    s.set(null, GPT);
    for (let i = 0; i < MODEL_CHOICE_LIMIT; i++) s.set(`s${i}`, { model: `m${i}` });
    // setting s0 again makes it the most recent: s1 is now the oldest
    s.set('s0', { model: 'again' });
    s.set('late', SONNET);
    const ids = Object.keys(stored(s) as object);
    expect(ids.length).to.equal(MODEL_CHOICE_LIMIT + 1);
    expect(s.get('s1')).to.equal(null);
    expect(s.get('s2')).to.deep.equal({ model: 'm2' });
    expect(s.get('s0')).to.deep.equal({ model: 'again' });
    expect(s.get('late')).to.deep.equal(SONNET);
    expect(s.get(null)).to.deep.equal(GPT);
  });

  it("carryOver gives the minted session the new conversation's choice", () => {
    const s = store();
    s.carryOver('s1');
    expect(s.get('s1')).to.equal(null, 'nothing to carry');
    s.set(null, SONNET);
    s.carryOver('s1');
    expect(s.get('s1')).to.deep.equal(SONNET);
    // the next new conversation starts from the same pick; changing it leaves s1 alone
    expect(s.get(null)).to.deep.equal(SONNET);
    s.set(null, GPT);
    expect(s.get('s1')).to.deep.equal(SONNET);
  });

  it('reads garbled JSON as no choices, and writes good JSON over it', () => {
    const s = store();
    for (const garbage of ['{not json', '[1,2]', '"text"', 'null', '42']) {
      localStorage.setItem(s.key, garbage);
      expect(s.get('s1'), garbage).to.equal(null);
    }
    s.set('s1', SONNET);
    expect(stored(s)).to.deep.equal({ s1: SONNET });
    expect(s.inMemory).to.equal(false);
  });

  it('goes on in memory when localStorage throws on every call', async () => {
    const s = store();
    const blocked = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    await stubStorage('getItem', blocked, () =>
      stubStorage('setItem', blocked, () => {
        expect(s.get('s1')).to.equal(null);
        s.set('s1', SONNET);
        s.set(null, GPT);
        s.carryOver('s2');
        expect(s.get('s1')).to.deep.equal(SONNET);
        expect(s.get('s2')).to.deep.equal(GPT);
        expect(s.inMemory).to.equal(true);
      }),
    );
    expect(localStorage.getItem(s.key)).to.equal(null, 'nothing reached storage');
    // this page stays in memory, storage working again or not
    expect(s.get('s1')).to.deep.equal(SONNET);
  });

  it('goes on in memory when storage is full, with what it had read', async () => {
    const s = store();
    s.set('s1', SONNET);
    await stubStorage(
      'setItem',
      () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
      () => {
        s.set('s2', GPT);
        expect(s.inMemory).to.equal(true);
      },
    );
    expect(s.get('s1')).to.deep.equal(SONNET);
    expect(s.get('s2')).to.deep.equal(GPT);
    expect(stored(s)).to.deep.equal({ s1: SONNET });
  });

  it('sees what another tab stored, and onChange reports changes of its key until stopped', async () => {
    const s = store();
    const other = document.createElement('iframe');
    document.body.append(other);
    const seen: (string | null)[] = [];
    const record = (e: StorageEvent) => seen.push(e.key);
    window.addEventListener('storage', record);
    let changes = 0;
    const stop = s.onChange(() => changes++);
    const ours = () => seen.filter((key) => key === s.key).length;
    try {
      const otherStorage = other.contentWindow!.localStorage;
      // another key of the origin: not ours (its event comes first)
      otherStorage.setItem(`${s.key}-other`, '{}');
      otherStorage.setItem(s.key, JSON.stringify({ s1: SONNET }));
      await until(() => ours() === 1, 'the storage event of our key');
      expect(seen).to.include(`${s.key}-other`);
      expect(changes).to.equal(1);
      expect(s.get('s1')).to.deep.equal(SONNET);
      stop();
      otherStorage.setItem(s.key, JSON.stringify({ s1: GPT }));
      await until(() => ours() === 2, 'the second storage event');
      expect(changes).to.equal(1, 'no call after stop()');
      expect(s.get('s1')).to.deep.equal(GPT, 'read afresh');
      otherStorage.removeItem(`${s.key}-other`);
    } finally {
      stop();
      window.removeEventListener('storage', record);
      other.remove();
    }
  });
});
