/**
 * The model and reasoning effort the visitor picked, per conversation, in localStorage: one key per
 * `persist-key` holding `{[sessionId]: choice}`, where `''` is a new conversation that has no
 * session yet. Every tab of the origin shares it (`onChange` tells when another tab changed it).
 * When localStorage is blocked, throws or is full, the choices live in memory for this page.
 */
import { REASONING_EFFORTS, type ReasoningEffort } from '../contract/gateway.js';

export interface ModelChoice {
  model?: string;
  provider?: string;
  effort?: ReasoningEffort;
}

/** How many conversations keep their choice; the least recently set go first. */
export const MODEL_CHOICE_LIMIT = 200;

/** The entry of a new conversation, before the first answer mints its session id. */
const NEW_CONVERSATION = '';

type Choices = Record<string, ModelChoice>;

/** The localStorage key of a page's `persist-key`. */
export function modelChoiceKey(persistKey: string): string {
  return `agent37-chat:models:${persistKey}`;
}

export class ModelChoiceStore {
  readonly key: string;
  /** the latest choices this page read or wrote: what it answers once storage failed */
  #memory: Choices = {};
  #storage: Storage | null | undefined;

  constructor(persistKey: string) {
    this.key = modelChoiceKey(persistKey);
  }

  /** True once localStorage failed and the choices live in memory for this page. */
  get inMemory(): boolean {
    return this.#storage === null;
  }

  /** The choice of a conversation (null: a new one), or null when none was made. */
  get(sessionId: string | null): ModelChoice | null {
    const choice = this.#read()[sessionId ?? NEW_CONVERSATION];
    return choice ? { ...choice } : null;
  }

  /** Remembers the choice of a conversation (null: a new one), as the most recent. */
  set(sessionId: string | null, choice: ModelChoice): void {
    const id = sessionId ?? NEW_CONVERSATION;
    const choices = this.#read();
    // delete first: a re-set conversation moves to the end, where the most recent are
    delete choices[id];
    choices[id] = sanitized(choice) ?? {};
    const sessions = Object.keys(choices).filter((key) => key !== NEW_CONVERSATION);
    for (const old of sessions.slice(0, Math.max(0, sessions.length - MODEL_CHOICE_LIMIT))) delete choices[old];
    this.#write(choices);
  }

  /** The new conversation's choice becomes the choice of the session its first answer minted. */
  carryOver(toSessionId: string): void {
    const choice = this.get(null);
    if (choice && toSessionId !== NEW_CONVERSATION) this.set(toSessionId, choice);
  }

  /** Calls `listener` when another tab changes the choices; returns what stops it. */
  onChange(listener: () => void): () => void {
    const onStorage = (e: StorageEvent) => {
      // a null key: that tab cleared the whole storage
      if (e.key !== this.key && e.key !== null) return;
      if (e.storageArea && e.storageArea !== this.#usable()) return;
      listener();
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }

  #usable(): Storage | null {
    if (this.#storage !== undefined) return this.#storage;
    try {
      // the getter itself throws where storage is blocked (cookies off, some sandboxed frames)
      this.#storage = globalThis.localStorage ?? null;
    } catch {
      this.#storage = null;
    }
    return this.#storage;
  }

  /** Read afresh each time, so another tab's choices count. */
  #read(): Choices {
    const storage = this.#usable();
    if (!storage) return { ...this.#memory };
    let raw: string | null;
    try {
      raw = storage.getItem(this.key);
    } catch {
      this.#storage = null;
      return { ...this.#memory };
    }
    this.#memory = parsed(raw);
    return { ...this.#memory };
  }

  #write(choices: Choices): void {
    this.#memory = choices;
    const storage = this.#usable();
    if (!storage) return;
    try {
      storage.setItem(this.key, JSON.stringify(choices));
    } catch {
      // blocked or full (QuotaExceededError): this page goes on in memory
      this.#storage = null;
    }
  }
}

/** The stored choices; unreadable JSON (or not an object of choices) counts as none. */
function parsed(raw: string | null): Choices {
  if (raw === null) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const choices: Choices = {};
  for (const [id, entry] of Object.entries(value)) {
    const choice = sanitized(entry);
    if (choice) choices[id] = choice;
  }
  return choices;
}

/** The fields of a choice that are what they claim, or null for something that is no choice at all. */
function sanitized(value: unknown): ModelChoice | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { model, provider, effort } = value as Record<string, unknown>;
  return {
    ...(typeof model === 'string' && model !== '' ? { model } : {}),
    ...(typeof provider === 'string' && provider !== '' ? { provider } : {}),
    ...(REASONING_EFFORTS.includes(effort as ReasoningEffort) ? { effort: effort as ReasoningEffort } : {}),
  };
}
