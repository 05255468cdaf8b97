/**
 * Shared by the simulator tests: start a simulator, call it, and read its SSE over a real socket with
 * eventsource-parser, keeping the raw bytes and when each event and comment arrived.
 */
import { request } from 'node:http';
import { after } from 'node:test';
import { createParser } from 'eventsource-parser';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

export const KEY = 'sk_live_test_key';
export const AUTH = { authorization: `Bearer ${KEY}` };

/** A simulator closed when the test file ends. */
export async function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const simulator = await createSimulator({ key: KEY, pace: 'fast', ...options });
  after(() => simulator.close());
  return simulator;
}

export interface JsonAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(
  simulator: Simulator,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonAnswer<T>> {
  const response = await fetch(simulator.url + path, {
    method,
    headers: { ...AUTH, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export interface ParsedEvent {
  event: string;
  data: any;
  /** performance.now() when it was parsed */
  at: number;
}

export interface StreamRead {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: ParsedEvent[];
  comments: { text: string; at: number }[];
  chunks: { bytes: Buffer; at: number }[];
  /** settles when the connection ends: clean = the body ended properly, false = cut */
  done: Promise<{ clean: boolean }>;
  bytes(): Buffer;
  /** waits (bounded) until `predicate` holds over the events so far */
  until(predicate: (events: ParsedEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  abort(): void;
}

/** Opens a request and reads its answer as SSE (or as plain bytes when it is not SSE). */
export function openStream(
  simulator: Simulator,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<StreamRead> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(simulator.url + path, {
      method,
      headers: {
        ...AUTH,
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        ...options.headers,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const events: ParsedEvent[] = [];
      const comments: { text: string; at: number }[] = [];
      const chunks: { bytes: Buffer; at: number }[] = [];
      let notify = (): void => {};
      const parser = createParser({
        onEvent: (message) => {
          events.push({ event: message.event ?? 'message', data: JSON.parse(message.data), at: performance.now() });
          notify();
        },
        onComment: (text) => {
          comments.push({ text, at: performance.now() });
          notify();
        },
      });
      const decoder = new TextDecoder();
      let finished = false;
      const done = new Promise<{ clean: boolean }>((settle) => {
        res.on('data', (chunk: Buffer) => {
          chunks.push({ bytes: chunk, at: performance.now() });
          parser.feed(decoder.decode(chunk, { stream: true }));
        });
        res.on('end', () => {
          finished = true;
          settle({ clean: true });
          notify();
        });
        res.on('error', () => undefined);
        res.on('close', () => {
          finished = true;
          settle({ clean: res.complete });
          notify();
        });
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        chunks,
        done,
        bytes: () => Buffer.concat(chunks.map((chunk) => chunk.bytes)),
        until(predicate, timeoutMs = 10_000) {
          return new Promise<void>((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`timed out; events so far: ${events.map((e) => e.event).join(', ')}`)), timeoutMs);
            notify = () => {
              if (predicate(events)) {
                clearTimeout(timer);
                ok();
              } else if (finished) {
                clearTimeout(timer);
                fail(new Error(`stream ended first; events: ${events.map((e) => e.event).join(', ')}`));
              }
            };
            notify();
          });
        },
        abort: () => req.destroy(),
      });
    });
    req.end(payload);
  });
}

/** A streamed turn read to its end. */
export async function streamTurn(simulator: Simulator, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<StreamRead> {
  const read = await openStream(simulator, 'POST', '/v1/responses', { body: { stream: true, ...body }, headers });
  await read.done;
  return read;
}

export function names(events: ParsedEvent[]): string[] {
  return events.map((event) => event.event);
}

/** Events without arrival times, for comparing two streams. */
export function plain(events: ParsedEvent[]): { event: string; data: unknown }[] {
  return events.map(({ event, data }) => ({ event, data }));
}

export function textOf(events: { event: string; data: any }[], name = 'response.output_text.delta'): string {
  return events
    .filter((event) => event.event === name)
    .map((event) => event.data.text)
    .join('');
}

/** The text streamed after the last tool event: the final answer without the interim texts before it. */
export function finalText(events: ParsedEvent[]): string {
  const lastTool = events.findLastIndex((event) => event.event.startsWith('response.tool_call.'));
  return textOf(events.slice(lastTool + 1));
}

/** The assistant rows Hermes writes for a stream: the text before each tool call, then the rest; empty ones left out. */
export function assistantTexts(events: { event: string; data: any }[]): string[] {
  const texts = [''];
  for (const event of events) {
    if (event.event === 'response.tool_call.started') texts.push('');
    if (event.event === 'response.output_text.delta') texts[texts.length - 1] += event.data.text;
  }
  return texts.filter(Boolean);
}

/** History rows as `[role, content]` pairs, for comparing whole histories. */
export function rows(history: { role: string; content: string }[]): [string, string][] {
  return history.map((message) => [message.role, message.content]);
}

export const TERMINALS = ['response.completed', 'response.failed'];

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
