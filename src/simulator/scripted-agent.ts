/**
 * The simulator's scripted agent: turns an input into the exact list of stream events a turn emits.
 * Deterministic per input (the random source is seeded from a hash of the input), so tests can
 * compare runs; pacing is left to the turn runner through each step's `wait`. The newer revision
 * scripts the way Hermes streams (interim text between tools); the first keeps the docs' script.
 */
import type { GatewayErrorBody, StreamEvent, Usage } from '../contract/gateway.js';
import { seededRandom } from './seeded-random.js';

/** How long the runner waits before emitting a step: one chunk's worth, or a tool's own duration. */
export type StepWait = { kind: 'chunk' } | { kind: 'tool'; durationMs: number };

export interface ScriptStep {
  event: StreamEvent;
  wait: StepWait;
}

export interface AgentScript {
  /** every event after response.created, the terminal one last */
  steps: ScriptStep[];
  /** `[slow]`: about one chunk a second whatever the pace */
  slow: boolean;
}

/** The codes `[fail=CODE]` takes: the agent's own in-stream failure codes. */
export const IN_STREAM_FAILURE_CODES = [
  'auth_error',
  'quota_exhausted',
  'model_error',
  'provider_error',
  'rate_limited',
  'agent_unavailable',
  'agent_error',
  'session_busy',
] as const;
export type InStreamFailureCode = (typeof IN_STREAM_FAILURE_CODES)[number];

export interface Directives {
  chars: number | null;
  fail: boolean;
  /** `[fail=CODE]`: fail early, before any text */
  failCode: InStreamFailureCode | null;
  noTools: boolean;
  noReasoning: boolean;
  slow: boolean;
  toolFail: boolean;
  /** reasoning not streamed: one delta with all of it after the text */
  lateReasoning: boolean;
  /** the history row's `thinking` is a JSON string */
  jsonThinking: boolean;
  /** the session's context is compacted when this turn starts */
  compact: boolean;
  /** the managed budget is spent: an empty answer */
  empty: boolean;
  /** a background-task notice is prepended to the stored user text */
  notice: boolean;
}

const FLAG_DIRECTIVES = ['fail', 'no-tools', 'no-reasoning', 'slow', 'tool-fail', 'late-reasoning', 'json-thinking', 'compact', 'empty', 'notice'];
const DIRECTIVE_PATTERN = new RegExp(`\\[(chars=(\\d+)|fail=(${IN_STREAM_FAILURE_CODES.join('|')})|${FLAG_DIRECTIVES.join('|')})\\]`, 'gi');

/** The largest `[chars=N]` honoured, so one request cannot make the simulator build gigabytes. */
export const MAX_SCRIPTED_CHARS = 5_000_000;

export function parseDirectives(input: string): Directives {
  const found: Directives = {
    chars: null,
    fail: false,
    failCode: null,
    noTools: false,
    noReasoning: false,
    slow: false,
    toolFail: false,
    lateReasoning: false,
    jsonThinking: false,
    compact: false,
    empty: false,
    notice: false,
  };
  for (const match of input.matchAll(DIRECTIVE_PATTERN)) {
    const name = match[1]!.toLowerCase();
    if (match[2] !== undefined) found.chars = Math.min(Number(match[2]), MAX_SCRIPTED_CHARS);
    else if (match[3] !== undefined) found.failCode = match[3].toLowerCase() as InStreamFailureCode;
    else if (name === 'fail') found.fail = true;
    else if (name === 'no-tools') found.noTools = true;
    else if (name === 'no-reasoning') found.noReasoning = true;
    else if (name === 'slow') found.slow = true;
    else if (name === 'tool-fail') found.toolFail = true;
    else if (name === 'late-reasoning') found.lateReasoning = true;
    else if (name === 'json-thinking') found.jsonThinking = true;
    else if (name === 'compact') found.compact = true;
    else if (name === 'empty') found.empty = true;
    else if (name === 'notice') found.notice = true;
  }
  return found;
}

/** FNV-1a over the UTF-16 units: a stable 32-bit seed for the input. */
export function hashInput(input: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    hash ^= input.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Picks for the script, from one seed. */
class SeededRandom {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

interface ToolSpec {
  tool: string;
  label: string;
  error: string;
}

const TOOLS: readonly ToolSpec[] = [
  { tool: 'web_search', label: 'Searching the web', error: 'Search provider timed out' },
  { tool: 'code_interpreter', label: 'Running code', error: 'Process exited with code 1' },
  { tool: 'fetch_url', label: 'Reading example.com', error: 'HTTP 503 from example.com' },
  { tool: 'read_file', label: 'Reading notes.md', error: 'File not found: notes.md' },
  { tool: 'calculator', label: 'Calculating', error: 'Division by zero' },
  { tool: 'calendar', label: 'Checking the calendar', error: 'Calendar is unavailable' },
];

const REASONING_LINES: readonly string[] = [
  'The user wants a clear answer, so I will start with a short summary.',
  'Let me check what I already know about this before reaching for a tool.',
  'A small table should make the comparison easier to scan.',
  'I should include a code example that actually runs.',
  'Two sources disagree here; I will go with the more recent one.',
  'Keep it short: headings, a list, then the details.',
  'I will double-check the numbers before writing them down.',
  'A link to the reference page will help them read further.',
];

const TOPICS: readonly { noun: string; emoji: string; cjk: string }[] = [
  { noun: 'streaming responses', emoji: '🚀', cjk: '流式响应' },
  { noun: 'reconnecting clients', emoji: '🔁', cjk: '再接続' },
  { noun: 'rate limits', emoji: '⏳', cjk: '速率限制' },
  { noun: 'session history', emoji: '📚', cjk: '会話履歴' },
  { noun: 'tool calls', emoji: '🛠️', cjk: '工具调用' },
];

export interface ScriptOptions {
  /** Hermes' way (newer revision): a short text before the first tool call, maybe another between two */
  interimText: boolean;
}

/** Builds the whole event script of one turn for `input`. */
export function scriptTurn(input: string, options: ScriptOptions = { interimText: true }): AgentScript {
  const directives = parseDirectives(input);
  const random = new SeededRandom(hashInput(input));
  // a second source for the interim text, so the rest of the script is the same under both revisions
  const interimRandom = new SeededRandom(hashInput(input) ^ 0x5bd1e995);
  const steps: ScriptStep[] = [];
  const chunk = (event: StreamEvent): void => {
    steps.push({ event, wait: { kind: 'chunk' } });
  };
  const text = (value: string, rng: SeededRandom): void => {
    for (const piece of chunkText(value, rng)) chunk({ event: 'response.output_text.delta', data: { text: piece } });
  };

  if (directives.empty) {
    chunk({ event: 'response.completed', data: { output_text: '', usage: usageFor(input, '') } });
    return { steps, slow: directives.slow };
  }

  // a session_busy failure is a race right after response.created: the model never ran
  const busyRace = directives.failCode === 'session_busy';
  let reasoning = '';
  if (!directives.noReasoning && !busyRace) {
    if (directives.slow) reasoning = 'Taking it slowly.';
    else for (let i = random.int(2, 4); i > 0; i--) reasoning += (reasoning ? ' ' : '') + random.pick(REASONING_LINES);
    if (!directives.lateReasoning) {
      for (const piece of chunkText(reasoning, random)) chunk({ event: 'response.reasoning.delta', data: { text: piece } });
    }
  }
  // not streamed: the whole trace in one delta after the last text, right before the terminal event
  const lateReasoning = (): void => {
    if (directives.lateReasoning && reasoning) chunk({ event: 'response.reasoning.delta', data: { text: reasoning } });
  };

  if (directives.failCode !== null) {
    lateReasoning();
    chunk({ event: 'response.failed', data: { error: inStreamFailure(directives.failCode) } });
    return { steps, slow: directives.slow };
  }

  let interim = '';
  if (!directives.noTools) {
    const count = directives.slow ? 1 : random.int(1, 3);
    const failing = directives.toolFail ? random.int(0, count - 1) : random.next() < 0.12 ? count - 1 : -1;
    const offset = random.int(0, TOOLS.length - 1);
    const before = options.interimText ? interimSentences(count, interimRandom) : new Map<number, string>();
    // `[chars=N]` is the whole visible text: interim sentences only when they leave room for an answer
    if (directives.chars !== null && [...before.values()].join('').length >= directives.chars) before.clear();
    for (let i = 0; i < count; i++) {
      const spec = TOOLS[(offset + i) % TOOLS.length]!;
      const durationMs = random.int(300, 2400);
      const sentence = before.get(i);
      if (sentence !== undefined) {
        interim += sentence;
        text(sentence, interimRandom);
      }
      chunk({ event: 'response.tool_call.started', data: { tool: spec.tool, label: spec.label } });
      steps.push({
        event:
          i === failing
            ? { event: 'response.tool_call.failed', data: { tool: spec.tool, error: spec.error } }
            : { event: 'response.tool_call.completed', data: { tool: spec.tool, duration_ms: durationMs } },
        wait: { kind: 'tool', durationMs },
      });
    }
  }

  const answer =
    directives.chars !== null
      ? exactAnswer(directives.chars - interim.length, random)
      : directives.slow
        ? slowAnswer(input)
        : markdownAnswer(input, random);
  const pieces = chunkText(answer, random);
  const failAt = directives.fail ? Math.floor(pieces.length / 2) : -1;
  let written = interim;
  for (let i = 0; i < pieces.length; i++) {
    if (i === failAt) break;
    written += pieces[i]!;
    chunk({ event: 'response.output_text.delta', data: { text: pieces[i]! } });
  }

  lateReasoning();
  if (directives.fail) {
    chunk({ event: 'response.failed', data: { error: scriptedFailure() } });
  } else {
    chunk({ event: 'response.completed', data: { output_text: written, usage: usageFor(input, written, reasoning) } });
  }
  return { steps, slow: directives.slow };
}

const FIRST_INTERIM: readonly string[] = [
  'Let me check the records.',
  'Let me look that up.',
  'I will check a couple of sources first.',
  'One moment while I verify that.',
  'Let me run a quick check.',
];

const LATER_INTERIM: readonly string[] = ['Good, that helps. One more check.', 'Got it. One more lookup.', 'That confirms part of it; checking the rest.'];

/** The interim sentence streamed before each tool call that gets one, by tool index. */
function interimSentences(toolCount: number, rng: SeededRandom): Map<number, string> {
  const sentences = new Map<number, string>([[0, rng.pick(FIRST_INTERIM)]]);
  if (toolCount > 1 && rng.next() < 0.5) sentences.set(rng.int(1, toolCount - 1), rng.pick(LATER_INTERIM));
  return sentences;
}

/** What the agent's provider said, raw, as Hermes passes it on in `response.failed`. */
const IN_STREAM_FAILURE_MESSAGES: Record<InStreamFailureCode, string> = {
  auth_error: 'Error code: 401 - {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
  quota_exhausted:
    'Error code: 402 - {"error":{"message":"This request requires more credits, or fewer max_tokens. You requested up to 8192 tokens, but can only afford 1204.","code":402}}',
  model_error:
    'Error code: 404 - {"error":{"message":"The model `gpt-5-turbo` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}',
  provider_error: 'Error code: 529 - {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
  rate_limited:
    'Error code: 429 - {"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit for your organization of 50,000 input tokens per minute."}}',
  agent_unavailable: 'Cannot connect to host 127.0.0.1:8642 ssl:default [Connect call failed (\'127.0.0.1\', 8642)]',
  agent_error: "KeyError: 'choices' (while reading the model's response)",
  session_busy: 'Session 3 is already running a turn.',
};

export function inStreamFailure(code: InStreamFailureCode): GatewayErrorBody {
  return { code, message: IN_STREAM_FAILURE_MESSAGES[code] };
}

const NOTICES: readonly string[] = [
  "[Background task 'nightly-report' finished: 3 files written]",
  "[Background task 'sync-calendar' finished: 12 events imported]",
  "[Background task 'web-digest' failed: fetch timed out after 30s]",
];

/** `[notice]`: the background-task notice Hermes prepends to the stored user text (picked per input). */
export function backgroundNotice(input: string): string {
  return NOTICES[hashInput(input) % NOTICES.length]!;
}

export function scriptedFailure(): GatewayErrorBody {
  return { code: 'agent_error', message: 'The agent stopped before finishing its answer (scripted failure).' };
}

/** Token counts the way a tokenizer roughly would (about four characters a token). */
export function usageFor(input: string, output: string, reasoning = ''): Usage {
  const inputTokens = Math.max(1, Math.ceil(input.length / 4));
  const outputTokens = Math.ceil((output.length + reasoning.length) / 4);
  const cost = (inputTokens * 3 + outputTokens * 15) / 1_000_000;
  return { input_tokens: inputTokens, output_tokens: outputTokens, cost_usd: Math.round(cost * 1e6) / 1e6 };
}

/**
 * Small pieces of a few characters to a couple of words, cut on code points so a surrogate pair is
 * never split across two deltas.
 */
function chunkText(text: string, rng: SeededRandom): string[] {
  const points = Array.from(text);
  const pieces: string[] = [];
  let i = 0;
  while (i < points.length) {
    let size = rng.int(2, 6);
    // Grow to the end of the current word now and then, so some chunks are whole words.
    if (rng.next() < 0.5) {
      let j = i + size;
      while (j < points.length && j - i < 14 && points[j] !== ' ' && points[j] !== '\n') j++;
      size = j - i + (points[j] === ' ' ? 1 : 0);
    }
    pieces.push(points.slice(i, i + size).join(''));
    i += size;
  }
  return pieces;
}

/** Exactly `count` code points, all in the Basic Multilingual Plane so length and code points agree. */
function exactAnswer(count: number, random: SeededRandom): string {
  const pool = 'The quick brown fox jumps over the lazy dog. Ünïcödé façade — 日本語の文章と中文字符。 ';
  const poolPoints = Array.from(pool);
  const start = random.int(0, poolPoints.length - 1);
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = poolPoints[(start + i) % poolPoints.length]!;
  return out.join('');
}

function slowAnswer(input: string): string {
  const words: string[] = [];
  for (let i = 1; i <= 60; i++) words.push(`w${i}`);
  return `Taking my time with "${shortTopic(input)}": ${words.join(' ')}.`;
}

function shortTopic(input: string): string {
  const cleaned = input.replace(DIRECTIVE_PATTERN, '').replace(/\s+/g, ' ').trim();
  const points = Array.from(cleaned);
  return points.length > 48 ? `${points.slice(0, 47).join('')}…` : cleaned || 'your message';
}

function markdownAnswer(input: string, random: SeededRandom): string {
  const topic = random.pick(TOPICS);
  const subject = shortTopic(input);
  const steps = random.int(3, 5);
  const list = ['Open a connection', 'Send the request', 'Read the events as they arrive', 'Handle the terminal event', 'Close cleanly']
    .slice(0, steps)
    .map((item, i) => `${i + 1}. ${item}`)
    .join('\n');
  const rows = random.int(2, 4);
  const table = [
    '| Option | Default | Notes |',
    '| --- | ---: | --- |',
    ...[
      '| `keepalive` | 30 s | a comment line, ignored by parsers |',
      '| `replay` | 60 s | every event, from the start |',
      '| `record` | 30 min | then read the history |',
      '| `body` | 2 MB | larger bodies get 413 |',
    ].slice(0, rows),
  ].join('\n');
  const code = random.pick([
    ['```ts', "const res = await fetch('/v1/responses', { method: 'POST', body });", 'for await (const event of readEvents(res.body!)) console.log(event);', '```'],
    ['```python', 'import json', 'for line in stream:', '    print(json.loads(line))', '```'],
    ['```bash', "curl -N -H 'Authorization: Bearer sk_live_dev' http://127.0.0.1:3737/v1/health", '```'],
  ]).join('\n');
  return [
    `## ${topic.emoji} About ${subject}`,
    '',
    `Here is a short overview of **${topic.noun}** (${topic.cjk}), with the details that matter in practice.`,
    '',
    '### Steps',
    '',
    list,
    '',
    '### Settings',
    '',
    table,
    '',
    '### Example',
    '',
    code,
    '',
    `- Read the [API reference](https://example.com/docs/api) for every field.`,
    `- See *[the changelog](https://example.com/changelog)* for what changed ✅`,
    '',
    `> Tip: keep the connection open; a \`:keepalive\` arrives now and then. 😊 谢谢！`,
  ].join('\n');
}
