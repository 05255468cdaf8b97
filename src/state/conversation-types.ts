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
}

export interface AssistantMessage {
  role: 'assistant';
  id: string;
  /** the response id once known (history messages may not have one) */
  responseId?: string;
  text: string;
  reasoning: string;
  steps: ToolStep[];
  status: MessageStatus;
  usage?: Usage | null;
  error?: Agent37Error;
}

export type ChatMessage = UserMessage | AssistantMessage;

