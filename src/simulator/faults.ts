/**
 * Per-request switches: the fault header `x-agent37-sim-fault` (only when the simulator runs with
 * faults on) and the pace header `x-agent37-sim-pace` (always). Each applies to its own request.
 */
import type { IncomingMessage } from 'node:http';
import { validationError } from './errors.js';

export const FAULT_HEADER = 'x-agent37-sim-fault';
export const PACE_HEADER = 'x-agent37-sim-pace';

export const FAULT_STATUS_CODES: Readonly<Record<number, { code: string; message: string }>> = {
  409: { code: 'session_busy', message: 'A turn is already running in this session.' },
  429: { code: 'rate_limited', message: 'The model provider is rate limiting this instance.' },
  500: { code: 'internal_error', message: 'The gateway hit an internal error.' },
  502: { code: 'agent_error', message: 'The agent failed to answer.' },
  503: { code: 'agent_unavailable', message: 'The agent is not available right now.' },
};

export interface FaultPlan {
  dropAfterBytes?: number;
  dropAfterEvents?: number;
  stallSeconds?: number;
  /** events written before the stall starts (default 1) */
  stallAfterEvents: number;
  status?: number;
  retryAfter?: string;
  failAfterEvents?: number;
}

/** `fast` = no delay between chunks; a number = that many ms per chunk. */
export type Pace = 'fast' | 'realistic' | number;

export const NO_FAULTS: FaultPlan = { stallAfterEvents: 1 };

function nonNegative(name: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw validationError(FAULT_HEADER, `${name} needs a non-negative number, got "${value}"`);
  }
  return number;
}

function wholeNumber(name: string, value: string): number {
  const number = nonNegative(name, value);
  if (!Number.isInteger(number)) throw validationError(FAULT_HEADER, `${name} needs a whole number, got "${value}"`);
  return number;
}

/** Reads the fault header; an unknown or malformed directive is a 400 so test mistakes are loud. */
export function parseFaults(header: string | undefined): FaultPlan {
  const plan: FaultPlan = { stallAfterEvents: 1 };
  if (!header) return plan;
  for (const part of header.split(',')) {
    const directive = part.trim();
    if (!directive) continue;
    const eq = directive.indexOf('=');
    const name = (eq === -1 ? directive : directive.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : directive.slice(eq + 1).trim();
    switch (name) {
      case 'drop-after-bytes':
        plan.dropAfterBytes = wholeNumber(name, value);
        break;
      case 'drop-after-events':
        plan.dropAfterEvents = wholeNumber(name, value);
        break;
      case 'stall-seconds':
        plan.stallSeconds = nonNegative(name, value);
        break;
      case 'stall-after-events':
        plan.stallAfterEvents = wholeNumber(name, value);
        break;
      case 'fail-after-events':
        plan.failAfterEvents = wholeNumber(name, value);
        break;
      case 'retry-after':
        nonNegative(name, value);
        plan.retryAfter = value;
        break;
      case 'status': {
        const status = wholeNumber(name, value);
        if (!FAULT_STATUS_CODES[status]) throw validationError(FAULT_HEADER, `status must be one of 409, 429, 500, 502, 503, got "${value}"`);
        plan.status = status;
        break;
      }
      default:
        throw validationError(FAULT_HEADER, `unknown fault directive "${directive}"`);
    }
  }
  return plan;
}

export function faultsOf(req: IncomingMessage, enabled: boolean): FaultPlan {
  if (!enabled) return NO_FAULTS;
  const header = req.headers[FAULT_HEADER];
  return parseFaults(Array.isArray(header) ? header.join(',') : header);
}

export function parsePace(value: string | undefined): Pace | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'fast' || text === 'realistic') return text;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms < 0) throw validationError(PACE_HEADER, `pace must be fast, realistic or a number of ms per chunk, got "${value}"`);
  return ms;
}

export function paceOf(req: IncomingMessage, fallback: Pace): Pace {
  const header = req.headers[PACE_HEADER];
  return parsePace(Array.isArray(header) ? header[0] : header) ?? fallback;
}
