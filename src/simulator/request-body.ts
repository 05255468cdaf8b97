/**
 * Request bodies: read with a byte cap (measured while reading, so an oversized body is refused
 * without being read whole), parsed as JSON and checked field by field like the gateway does.
 */
import type { IncomingMessage } from 'node:http';
import { DEFAULT_AGENT, KNOWN_AGENTS, MAX_REQUEST_BYTES, REASONING_EFFORTS, type ReasoningEffort } from '../contract/gateway.js';
import { GatewayError, validationError } from './errors.js';
import type { Revision } from './revision.js';
import { MAX_TITLE_CHARS } from './sessions.js';

export class PayloadTooLarge extends GatewayError {
  constructor() {
    super({ code: 'payload_too_large', message: `The request body is larger than ${MAX_REQUEST_BYTES} bytes.` });
  }
}

/** The raw body, or PayloadTooLarge as soon as it passes `limit` bytes (or declares more). */
export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new PayloadTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new PayloadTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw validationError(undefined, 'The request body must be valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError(undefined, 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

export interface CreateRequest {
  input: string;
  sessionId: string | null;
  stream: boolean;
  model: string | null;
  provider: string | null;
  reasoningEffort: ReasoningEffort | null;
  metadata: Record<string, unknown> | null;
  agent: string;
}

const MAX_METADATA_PAIRS = 16;
const MAX_METADATA_BYTES = 64 * 1024;

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') throw validationError(field, `${field} must be a non-empty string.`);
  return value;
}

/** An agent this gateway runs (newer revision), or 400 validation_error on `agent`. */
export function knownAgent(agent: string): string {
  if (!(KNOWN_AGENTS as readonly string[]).includes(agent)) {
    throw validationError('agent', `Unknown agent "${agent}"; this gateway runs ${KNOWN_AGENTS.join(', ')}.`);
  }
  return agent;
}

/** Checks a POST /v1/responses body; the first bad field is the `param` of the 400. */
export function parseCreateRequest(body: Record<string, unknown>, revision: Revision): CreateRequest {
  const input = body.input;
  if (input === undefined || input === null) throw validationError('input', 'input is required.');
  if (typeof input !== 'string') throw validationError('input', 'input must be a string; attachments are not supported.');
  if (input.trim() === '') throw validationError('input', 'input must not be empty.');

  const sessionId = optionalString(body, 'session_id');
  if (sessionId !== null && sessionId.length > 128) throw validationError('session_id', 'session_id is too long.');

  // the newer gateway streams only on `stream: true` exactly and takes anything else as false
  const stream = revision === 'newer' ? body.stream === true : (body.stream ?? false);
  if (typeof stream !== 'boolean') throw validationError('stream', 'stream must be a boolean.');

  const model = optionalString(body, 'model');
  const provider = optionalString(body, 'provider');

  const effort = body.reasoning_effort;
  if (effort !== undefined && effort !== null && !REASONING_EFFORTS.includes(effort as ReasoningEffort)) {
    throw validationError('reasoning_effort', `reasoning_effort must be one of ${REASONING_EFFORTS.join(', ')}.`);
  }

  const metadata = body.metadata;
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) throw validationError('metadata', 'metadata must be an object.');
    const entries = Object.entries(metadata);
    if (entries.length > MAX_METADATA_PAIRS) throw validationError('metadata', `metadata holds at most ${MAX_METADATA_PAIRS} pairs.`);
    if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) throw validationError('metadata', 'metadata must be at most 64 KB serialized.');
  }

  const named = optionalString(body, 'agent') ?? DEFAULT_AGENT;
  const agent = revision === 'newer' ? knownAgent(named) : named;

  const mode = body.mode;
  if (mode !== undefined && mode !== null && mode !== 'chat') {
    throw validationError('mode', mode === 'goal' ? 'mode "goal" is not available through this API.' : 'mode must be "chat".');
  }

  return {
    input,
    sessionId,
    stream,
    model,
    provider,
    reasoningEffort: (effort as ReasoningEffort | undefined) ?? null,
    metadata: (metadata as Record<string, unknown> | undefined) ?? null,
    agent,
  };
}

/** PATCH /v1/sessions/{id} body: `{title}`. */
export function parseRenameRequest(body: Record<string, unknown>): string {
  const title = body.title;
  if (typeof title !== 'string' || title.trim() === '') throw validationError('title', 'title must be a non-empty string.');
  if (Array.from(title.trim()).length > MAX_TITLE_CHARS) throw validationError('title', `title must be at most ${MAX_TITLE_CHARS} characters.`);
  return title.trim();
}
