/**
 * What the element shows, as data. The conversation reducer (src/state/conversation.ts) derives it
 * from history and stream events; the element renders it and nothing else.
 */
import type { Usage } from '../contract/gateway.js';
import type { Agent37Error } from '../contract/errors.js';

export type ToolStepStatus = 'running' | 'completed' | 'failed';

export interface ToolStep {
  tool: string;
  /** human label, e.g. "Searching the web" */
  label: string;
  status: ToolStepStatus;
  duration_ms?: number;
  error?: string;
}

/**
 * - `streaming`: the turn is running and the stream is attached
 * - `reconnecting`: the stream dropped; the turn runner is reattaching
 * - `offline`: the browser went offline while the stream was open; the answer goes on once it is back
 * - `interrupted`: reattaching gave up for now ("Connection lost", Resume button)
 * - `waiting`: the gateway said 429/503 with Retry-After; the turn has not started and is sent again
 *   when the wait is over (`error.retryAfterMs` says how long)
 * - `complete` / `stopped` (cancelled by the visitor) / `failed` (the turn failed, `error` set)
 */
export type MessageStatus = 'streaming' | 'reconnecting' | 'offline' | 'interrupted' | 'waiting' | 'complete' | 'stopped' | 'failed';

export interface UserMessage {
  role: 'user';
  /** stable key for rendering; history id when restored */
  id: string;
  text: string;
  /** when the visitor sent it (epoch ms); unknown for older stored messages */
  createdAt?: number;
}

/**
 * One piece of an answer, in the order it happened: the agent's thinking, a run of visible text, or
 * a tool step. Text before a tool and text after it are two `text` parts with the step between.
 */
export type AnswerPart =
  | { type: 'reasoning'; text: string }
  | { type: 'text'; text: string }
  | { type: 'tool'; step: ToolStep };

export interface AssistantMessage {
  role: 'assistant';
  id: string;
  /** the response id once known (history messages may not have one) */
  responseId?: string;
  /** the whole visible answer: every text part, joined as streamed */
  text: string;
  /** all the thinking, joined */
  reasoning: string;
  /** every tool step, in the order they started */
  steps: ToolStep[];
  /** reasoning, text and tool steps in the order they happened; `text`, `reasoning` and `steps` derive from it */
  parts: AnswerPart[];
  status: MessageStatus;
  usage?: Usage | null;
  error?: Agent37Error;
  /** when the answer started (epoch ms); unknown for older stored messages */
  createdAt?: number;
}

export type ChatMessage = UserMessage | AssistantMessage;

/**
 * One finished turn as the local transcript keeps it (src/state/transcript-store.ts): what the
 * server's history does not (tool steps, Stopped, a failed turn's error, usage), as plain JSON.
 */
export interface TranscriptTurn {
  /** null when the turn was only ever known from history */
  responseId: string | null;
  /** the visitor's text as typed */
  input: string;
  status: 'complete' | 'stopped' | 'failed';
  parts: AnswerPart[];
  usage?: Usage | null;
  error?: { code: string; message: string; hint?: string };
  /** epoch ms when it finished */
  at: number;
  /** epoch ms when the visitor sent it (the question's time); missing in turns stored before it was kept */
  askedAt?: number;
  /** epoch ms when the answer started (the answer's time); missing likewise */
  startedAt?: number;
}

