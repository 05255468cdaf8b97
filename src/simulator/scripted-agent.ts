/**
 * The simulator's scripted agent: turns an input into the exact list of stream events a turn emits.
 * Deterministic per input (the random source is seeded from a hash of the input), so tests can
 * compare runs; pacing is left to the turn runner through each step's `wait`.
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

export interface Directives {
  chars: number | null;
  fail: boolean;
  noTools: boolean;
  noReasoning: boolean;
  slow: boolean;
  toolFail: boolean;
}

const DIRECTIVE_PATTERN = /\[(chars=(\d+)|fail|no-tools|no-reasoning|slow|tool-fail)\]/gi;

/** The largest `[chars=N]` honoured, so one request cannot make the simulator build gigabytes. */
export const MAX_SCRIPTED_CHARS = 5_000_000;

export function parseDirectives(input: string): Directives {
  const found: Directives = { chars: null, fail: false, noTools: false, noReasoning: false, slow: false, toolFail: false };
  for (const match of input.matchAll(DIRECTIVE_PATTERN)) {
    const name = match[1]!.toLowerCase();
    if (match[2] !== undefined) found.chars = Math.min(Number(match[2]), MAX_SCRIPTED_CHARS);
    else if (name === 'fail') found.fail = true;
    else if (name === 'no-tools') found.noTools = true;
    else if (name === 'no-reasoning') found.noReasoning = true;
    else if (name === 'slow') found.slow = true;
    else if (name === 'tool-fail') found.toolFail = true;
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

/** Builds the whole event script of one turn for `input`. */
export function scriptTurn(input: string): AgentScript {
  const directives = parseDirectives(input);
  const random = new SeededRandom(hashInput(input));
  const steps: ScriptStep[] = [];
  const chunk = (event: StreamEvent): void => {
    steps.push({ event, wait: { kind: 'chunk' } });
  };

  let reasoning = '';
  if (!directives.noReasoning) {
    if (directives.slow) reasoning = 'Taking it slowly.';
    else for (let i = random.int(2, 4); i > 0; i--) reasoning += (reasoning ? ' ' : '') + random.pick(REASONING_LINES);
    for (const piece of chunkText(reasoning, random)) chunk({ event: 'response.reasoning.delta', data: { text: piece } });
  }

  if (!directives.noTools) {
    const count = directives.slow ? 1 : random.int(1, 3);
    const failing = directives.toolFail ? random.int(0, count - 1) : random.next() < 0.12 ? count - 1 : -1;
    const offset = random.int(0, TOOLS.length - 1);
    for (let i = 0; i < count; i++) {
      const spec = TOOLS[(offset + i) % TOOLS.length]!;
      const durationMs = random.int(300, 2400);
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
      ? exactAnswer(directives.chars, random)
      : directives.slow
        ? slowAnswer(input)
        : markdownAnswer(input, random);
  const pieces = chunkText(answer, random);
  const failAt = directives.fail ? Math.floor(pieces.length / 2) : -1;
  let written = '';
  for (let i = 0; i < pieces.length; i++) {
    if (i === failAt) break;
    written += pieces[i]!;
    chunk({ event: 'response.output_text.delta', data: { text: pieces[i]! } });
  }

  if (directives.fail) {
    chunk({ event: 'response.failed', data: { error: scriptedFailure() } });
  } else {
    chunk({ event: 'response.completed', data: { output_text: written, usage: usageFor(input, written, reasoning) } });
  }
  return { steps, slow: directives.slow };
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
