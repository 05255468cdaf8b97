/**
 * The agent37 gateway contract (../shared/agent37-api.md) as types, shared by the widget, the relay
 * and the simulator. Where the two published revisions differ, fields are optional.
 */

export type ResponseStatus = 'in_progress' | 'completed' | 'failed' | 'cancelled';
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

/** Request bodies over this many bytes are refused with 413 payload_too_large. */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cost_usd?: number | null;
}

/** How much of the model's context window the session uses (newer gateway, on response.completed). */
export interface ContextUsage {
  used_tokens: number;
  window_tokens: number;
}

export interface GatewayErrorBody {
  code: string;
  message: string;
  param?: string;
  hint?: string;
  response_id?: string;
}

/** `{"error": {...}}` from the gateway; `{"error": "code", "message"?}` from the edge. */
export type ErrorEnvelope = { error: GatewayErrorBody } | { error: string; message?: string };

export interface CreateResponseBody {
  input: string;
  session_id?: string;
  stream?: boolean;
  model?: string;
  provider?: string;
  reasoning_effort?: ReasoningEffort;
  metadata?: Record<string, unknown>;
  agent?: string;
  mode?: 'chat' | 'goal';
  instance_id?: unknown;
}

export interface ResponseObject {
  id: string;
  session_id: string;
  status: ResponseStatus;
  agent: string;
  model: string | null;
  provider: string | null;
  output_text: string;
  usage: Usage | null;
  error: GatewayErrorBody | null;
  metadata: Record<string, unknown> | null;
  /** epoch ms */
  created: number;
}

/** One SSE frame of a turn, by event name. Unknown names are ignored by every consumer. */
export interface StreamEventMap {
  'response.created': { id: string; session_id: string };
  'response.reasoning.delta': { text: string };
  'response.output_text.delta': { text: string };
  'response.tool_call.started': { tool: string; label?: string };
  'response.tool_call.completed': { tool: string; duration_ms?: number };
  'response.tool_call.failed': { tool: string; error?: string };
  /** `context` (newer gateway): how full the model's context window is */
  'response.completed': { output_text: string; usage: Usage | null; context?: ContextUsage | null };
  'response.failed': { error: GatewayErrorBody };
}

export type StreamEventName = keyof StreamEventMap;

/** Every event name of the contract, once: the SSE reader keeps these and skips any other. */
export const STREAM_EVENT_NAMES = [
  'response.created',
  'response.reasoning.delta',
  'response.output_text.delta',
  'response.tool_call.started',
  'response.tool_call.completed',
  'response.tool_call.failed',
  'response.completed',
  'response.failed',
] as const satisfies readonly StreamEventName[];
export type StreamEvent = {
  [K in StreamEventName]: { event: K; data: StreamEventMap[K] };
}[StreamEventName];

/** Exactly one of these ends a live stream. */
export const TERMINAL_EVENTS: ReadonlySet<string> = new Set<StreamEventName>(['response.completed', 'response.failed']);

export interface SessionSummary {
  id: string;
  agent?: string;
  model?: string | null;
  provider?: string | null;
  created?: number;
  last_response_at?: number | null;
  title?: string | null;
  message_count?: number;
  started_at?: number;
  last_active?: number;
  preview?: string | null;
}

export interface HistoryMessage {
  /** 32 hex (first revision) or `hermes:{sessionOrChildId}:{rowId}` (Hermes) */
  id: string;
  session_id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  /** prose, or a JSON string when the agent's reasoning was not text */
  thinking?: string | null;
  /** epoch ms */
  created_at: number;
}

export interface SessionDetail extends SessionSummary {
  history: HistoryMessage[];
  /** newer revision only: the running response's id, or null */
  active_response_id?: string | null;
}

/**
 * GET /v1/models. First revision: `{default_model, default_provider, data: [{id, label, provider,
 * is_default}]}`; newer: `{object: 'list', agent, default_model, default_provider, data: [{id,
 * object: 'model', created, owned_by, label, source, is_default}]}` (`owned_by` names the provider).
 */
export interface ModelList {
  object?: 'list';
  agent?: string;
  default_model: string;
  default_provider: string;
  data: ModelEntry[];
}

export interface ModelEntry {
  id: string;
  label: string;
  is_default: boolean;
  /** first revision */
  provider?: string;
  /** newer revision */
  object?: 'model';
  created?: number;
  owned_by?: string;
  source?: string;
}

/** The agents a gateway may run (agent37-api.md, "Other agents"); `hermes` is the default. */
export const KNOWN_AGENTS = ['hermes', 'claude-code', 'codex', 'opencode', 'pi', 'grok', 'openclaw'] as const;
export const DEFAULT_AGENT = 'hermes';

/** What the token endpoint answers. `expires_at` is epoch ms. */
export interface TokenGrant {
  token: string;
  expires_at: number;
  api_base: string;
}
