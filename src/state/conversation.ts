/**
 * The conversation as a pure reducer: session history and stream events in, messages out.
 * Everything the element shows derives from this state; nothing here does IO or reads the clock.
 */
import type { HistoryMessage, StreamEvent } from '../contract/gateway.js';
import { errorOfFailure, type Agent37Error } from '../contract/errors.js';
import type { AssistantMessage, ChatMessage, MessageStatus, ToolStep, UserMessage } from './conversation-types.js';

export interface ConversationState {
  readonly messages: readonly ChatMessage[];
}

export type ConversationAction =
  /** replace everything with a session's history (restore) */
  | { type: 'history'; history: readonly HistoryMessage[] }
  | { type: 'user'; id: string; text: string }
  /** an empty answer that a turn's events fill in */
  | { type: 'assistant'; id: string; responseId?: string; status?: MessageStatus }
  /** one logical stream event of the turn that owns message `id`; `cancelled` marks a Stop */
  | { type: 'event'; id: string; event: StreamEvent; cancelled?: boolean }
  /** connection trouble or a wait, shown on the message; `error` says why */
  | { type: 'status'; id: string; status: MessageStatus; error?: Agent37Error | undefined }
  | { type: 'remove'; id: string }
  | { type: 'reset' };

export const emptyConversation: ConversationState = { messages: [] };

export function reduceConversation(state: ConversationState, action: ConversationAction): ConversationState {
  switch (action.type) {
    case 'history':
      return { messages: messagesFromHistory(action.history) };
    case 'user': {
      const message: UserMessage = { role: 'user', id: action.id, text: action.text };
      return { messages: [...state.messages, message] };
    }
    case 'assistant': {
      const message: AssistantMessage = {
        role: 'assistant',
        id: action.id,
        text: '',
        reasoning: '',
        steps: [],
        status: action.status ?? 'streaming',
        ...(action.responseId ? { responseId: action.responseId } : {}),
      };
      return { messages: [...state.messages, message] };
    }
    case 'event':
      return updateAssistant(state, action.id, (m) => applyStreamEvent(m, action.event, action.cancelled ?? false));
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

/** History → messages. System messages are not part of the visible conversation. */
export function messagesFromHistory(history: readonly HistoryMessage[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const h of history) {
    if (h.role === 'user') messages.push({ role: 'user', id: h.id, text: h.content });
    else if (h.role === 'assistant')
      messages.push({ role: 'assistant', id: h.id, text: h.content, reasoning: h.thinking ?? '', steps: [], status: 'complete' });
  }
  return messages;
}

/** One stream event applied to the answer it belongs to. */
export function applyStreamEvent(m: AssistantMessage, e: StreamEvent, cancelled = false): AssistantMessage {
  switch (e.event) {
    case 'response.created':
      return { ...m, responseId: e.data.id };
    case 'response.reasoning.delta':
      return { ...m, reasoning: m.reasoning + textOf(e.data.text) };
    case 'response.output_text.delta':
      return { ...m, text: m.text + textOf(e.data.text) };
    case 'response.tool_call.started': {
      const step: ToolStep = { tool: e.data.tool, label: e.data.label || e.data.tool, status: 'running' };
      return { ...m, steps: [...m.steps, step] };
    }
    case 'response.tool_call.completed':
      return {
        ...m,
        steps: closeStep(m.steps, e.data.tool, (s) => ({
          ...s,
          status: 'completed',
          ...(typeof e.data.duration_ms === 'number' ? { duration_ms: e.data.duration_ms } : {}),
        })),
      };
    case 'response.tool_call.failed':
      return {
        ...m,
        steps: closeStep(m.steps, e.data.tool, (s) => ({
          ...s,
          status: 'failed',
          ...(typeof e.data.error === 'string' ? { error: e.data.error } : {}),
        })),
      };
    case 'response.completed': {
      const finalText = typeof e.data.output_text === 'string' && e.data.output_text !== '' ? e.data.output_text : m.text;
      const next: AssistantMessage = {
        ...m,
        text: finalText,
        // a step still running when the turn ended lost its closing event (e.g. a synthesized replay)
        steps: m.steps.map((s) => (s.status === 'running' ? { ...s, status: 'completed' as const } : s)),
        status: cancelled ? 'stopped' : 'complete',
        usage: e.data.usage ?? null,
      };
      delete next.error;
      return next;
    }
    case 'response.failed':
      return {
        ...m,
        steps: m.steps.map((s) => (s.status === 'running' ? { ...s, status: 'failed' as const } : s)),
        status: 'failed',
        error: errorOfFailure(e.data.error),
      };
    default:
      return m;
  }
}

export function isFinished(status: MessageStatus): boolean {
  return status === 'complete' || status === 'stopped' || status === 'failed';
}

/** The earliest running step with that tool name; steps keep the order in which they started. */
function closeStep(steps: readonly ToolStep[], tool: string, close: (s: ToolStep) => ToolStep): ToolStep[] {
  const index = steps.findIndex((s) => s.status === 'running' && s.tool === tool);
  if (index < 0) return [...steps];
  return steps.map((s, i) => (i === index ? close(s) : s));
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
