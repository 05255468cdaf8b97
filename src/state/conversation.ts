/**
 * The conversation as a pure reducer: the restored conversation and stream events in, messages out.
 * An answer is an ordered list of parts (reasoning, text, tool steps) as they happened.
 * Everything the element shows derives from this state; nothing here does IO or reads the clock.
 */
import type { StreamEvent } from '../contract/gateway.js';
import { errorOfFailure, type Agent37Error } from '../contract/errors.js';
import type { AnswerPart, AssistantMessage, ChatMessage, MessageStatus, ToolStep, UserMessage } from './conversation-types.js';

export interface ConversationState {
  readonly messages: readonly ChatMessage[];
}

export type ConversationAction =
  /** replace everything with the conversation as restored (see history-view.ts) */
  | { type: 'history'; messages: readonly ChatMessage[] }
  /** `createdAt`: when it was sent (the reducer reads no clock) */
  | { type: 'user'; id: string; text: string; createdAt?: number | undefined }
  /** an empty answer that a turn's events fill in; `createdAt`: when it started */
  | { type: 'assistant'; id: string; responseId?: string; status?: MessageStatus; createdAt?: number | undefined }
  /** one logical stream event of the turn that owns message `id`; `cancelled` marks a Stop */
  | { type: 'event'; id: string; event: StreamEvent; cancelled?: boolean }
  /**
   * the answer's text as the history's rows split it, for an answer whose text came in one piece (a
   * synthesized replay, the history): the interim and final texts become blocks of their own again
   */
  | { type: 'text-blocks'; id: string; blocks: readonly string[] }
  /** connection trouble or a wait, shown on the message; `error` says why */
  | { type: 'status'; id: string; status: MessageStatus; error?: Agent37Error | undefined }
  | { type: 'remove'; id: string }
  | { type: 'reset' };

export const emptyConversation: ConversationState = { messages: [] };

export function reduceConversation(state: ConversationState, action: ConversationAction): ConversationState {
  switch (action.type) {
    case 'history':
      return { messages: [...action.messages] };
    case 'user': {
      const message: UserMessage = { role: 'user', id: action.id, text: action.text, ...(action.createdAt !== undefined ? { createdAt: action.createdAt } : {}) };
      return { messages: [...state.messages, message] };
    }
    case 'assistant': {
      const message: AssistantMessage = {
        ...emptyAnswer(action.id, action.status ?? 'streaming'),
        ...(action.responseId ? { responseId: action.responseId } : {}),
        ...(action.createdAt !== undefined ? { createdAt: action.createdAt } : {}),
      };
      return { messages: [...state.messages, message] };
    }
    case 'event':
      return updateAssistant(state, action.id, (m) => applyStreamEvent(m, action.event, action.cancelled ?? false));
    case 'text-blocks':
      return updateAssistant(state, action.id, (m) => splitText(m, action.blocks));
    case 'status':
      return updateAssistant(state, action.id, (m) => {
        if (isFinished(m.status)) return m;
        const next: AssistantMessage = { ...m, status: action.status };
        if (action.error) next.error = action.error;
        else delete next.error;
        return next;
      });
    case 'remove':
      return { messages: state.messages.filter((m) => m.id !== action.id) };
    case 'reset':
      return emptyConversation;
  }
}

export function emptyAnswer(id: string, status: MessageStatus): AssistantMessage {
  return { role: 'assistant', id, text: '', reasoning: '', steps: [], parts: [], status };
}

/** One stream event applied to the answer it belongs to. Text and reasoning grow the last part when it is of their kind. */
export function applyStreamEvent(m: AssistantMessage, e: StreamEvent, cancelled = false): AssistantMessage {
  switch (e.event) {
    case 'response.created':
      return { ...m, responseId: e.data.id };
    case 'response.reasoning.delta': {
      const text = textOf(e.data.text);
      return { ...m, reasoning: m.reasoning + text, parts: grow(m.parts, 'reasoning', text) };
    }
    case 'response.output_text.delta': {
      const text = textOf(e.data.text);
      return { ...m, text: m.text + text, parts: grow(m.parts, 'text', text) };
    }
    case 'response.tool_call.started': {
      const step: ToolStep = { tool: e.data.tool, label: e.data.label || e.data.tool, status: 'running' };
      return withParts(m, [...m.parts, { type: 'tool', step }]);
    }
    case 'response.tool_call.completed':
      return withParts(
        m,
        closeStep(m.parts, e.data.tool, (s) => ({
          ...s,
          status: 'completed',
          ...(typeof e.data.duration_ms === 'number' ? { duration_ms: e.data.duration_ms } : {}),
        })),
      );
    case 'response.tool_call.failed':
      return withParts(
        m,
        closeStep(m.parts, e.data.tool, (s) => ({
          ...s,
          status: 'failed',
          ...(typeof e.data.error === 'string' ? { error: e.data.error } : {}),
        })),
      );
    case 'response.completed': {
      // a step still running when the turn ended lost its closing event (e.g. a synthesized replay)
      const closed = settleRunningSteps(m.parts, 'completed');
      const next: AssistantMessage = {
        ...withParts(m, withFinalText(closed, m.text, e.data.output_text)),
        status: cancelled ? 'stopped' : 'complete',
        usage: e.data.usage ?? null,
      };
      delete next.error;
      return next;
    }
    case 'response.failed':
      return {
        ...withParts(m, settleRunningSteps(m.parts, 'failed')),
        status: 'failed',
        error: errorOfFailure(e.data.error),
      };
    default:
      return m;
  }
}

/** `text`, `reasoning` and `steps` again from the parts (for events that change more than the last part). */
export function withParts(m: AssistantMessage, parts: AnswerPart[]): AssistantMessage {
  let text = '';
  let reasoning = '';
  const steps: ToolStep[] = [];
  for (const part of parts) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'reasoning') reasoning += part.text;
    else steps.push(part.step);
  }
  return { ...m, parts, text, reasoning, steps };
}

/** The visible text of some parts, joined as streamed. */
export function textOfParts(parts: readonly AnswerPart[]): string {
  let text = '';
  for (const part of parts) if (part.type === 'text') text += part.text;
  return text;
}

export function isFinished(status: MessageStatus): boolean {
  return status === 'complete' || status === 'stopped' || status === 'failed';
}

/** One text part cut into `blocks` where they make up exactly its text; anything else stands as it is. */
function splitText(m: AssistantMessage, blocks: readonly string[]): AssistantMessage {
  const texts = m.parts.filter((p) => p.type === 'text');
  const nonEmpty = blocks.filter((b) => b !== '');
  if (texts.length !== 1 || nonEmpty.length < 2 || nonEmpty.join('') !== m.text) return m;
  const at = m.parts.findIndex((p) => p.type === 'text');
  return withParts(m, [...m.parts.slice(0, at), ...nonEmpty.map((text) => ({ type: 'text' as const, text })), ...m.parts.slice(at + 1)]);
}

/** The earliest running step with that tool name; steps keep the order in which they started. */
function closeStep(parts: readonly AnswerPart[], tool: string, close: (s: ToolStep) => ToolStep): AnswerPart[] {
  const index = parts.findIndex((p) => p.type === 'tool' && p.step.status === 'running' && p.step.tool === tool);
  if (index < 0) return [...parts];
  return parts.map((p, i) => (i === index && p.type === 'tool' ? { type: 'tool', step: close(p.step) } : p));
}

function settleRunningSteps(parts: readonly AnswerPart[], status: 'completed' | 'failed'): AnswerPart[] {
  return parts.map((p) => (p.type === 'tool' && p.step.status === 'running' ? { type: 'tool', step: { ...p.step, status } } : p));
}

/** Appends to the last part when it is of that kind (the common case, per delta), else starts a new part. */
function grow(parts: readonly AnswerPart[], type: 'text' | 'reasoning', text: string): AnswerPart[] {
  if (text === '') return parts as AnswerPart[];
  const last = parts.at(-1);
  if (last?.type === type) {
    const copy = parts.slice();
    copy[copy.length - 1] = { type, text: last.text + text };
    return copy;
  }
  return [...parts, { type, text }];
}

/**
 * The parts once the terminal event names the whole text. When it is what streamed (the usual case),
 * or only its end (a gateway that reports just the text after the last tool), the parts stand. When
 * it extends what streamed, the rest follows (see appendText). Otherwise (a replay that did not line
 * up) the terminal text replaces the streamed text, in the place of the first text part.
 */
function withFinalText(parts: AnswerPart[], streamed: string, final: unknown): AnswerPart[] {
  if (typeof final !== 'string' || final === '' || final === streamed || streamed.endsWith(final)) return parts;
  if (final.startsWith(streamed)) return appendText(parts, final.slice(streamed.length));
  const first = parts.findIndex((p) => p.type === 'text');
  const rest = parts.filter((p) => p.type !== 'text');
  const at = first < 0 ? rest.length : parts.slice(0, first).filter((p) => p.type !== 'text').length;
  return [...rest.slice(0, at), { type: 'text', text: final }, ...rest.slice(at)];
}

/** The rest of the text joins the last part when that is text; after a tool step it is a block of its own. */
function appendText(parts: AnswerPart[], text: string): AnswerPart[] {
  const last = parts.at(-1);
  if (last?.type !== 'text') return [...parts, { type: 'text', text }];
  return [...parts.slice(0, -1), { type: 'text', text: last.text + text }];
}

/** Runs per stream delta: the answer being written is (almost always) the last message, so search from the end. */
function updateAssistant(state: ConversationState, id: string, update: (m: AssistantMessage) => AssistantMessage): ConversationState {
  const { messages } = state;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.id !== id) continue;
    if (m.role !== 'assistant') return state;
    const next = update(m);
    if (next === m) return state;
    const copy = messages.slice();
    copy[i] = next;
    return { messages: copy };
  }
  return state;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
