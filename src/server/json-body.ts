/**
 * Request bodies the relay reads as JSON objects, within limits: the size limit is the body reader's;
 * here the shape. A body nested past `MAX_JSON_DEPTH` would make re-serializing it overflow the stack,
 * and one of more than `MAX_JSON_VALUES` values costs memory and time out of all proportion to a chat
 * turn; both are refused with a 400 before parsing, by one linear scan.
 */
import { errorResponse } from './error-response.js';

/** Deeper than any turn body needs (metadata is flat pairs) and far from any stack limit. */
export const MAX_JSON_DEPTH = 32;
/** Values of every kind (objects, arrays, strings, numbers, literals) in one body. */
export const MAX_JSON_VALUES = 10_000;

export type JsonObjectBody = { ok: true; value: Record<string, unknown> } | { ok: false; response: Response };

export function parseJsonObjectBody(bytes: Uint8Array): JsonObjectBody {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refused('The request body is not valid UTF-8.');
  }
  const excess = jsonExcess(text);
  if (excess === 'depth') return refused(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  if (excess === 'values') return refused(`The request body holds more than ${MAX_JSON_VALUES} values.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refused('The request body must be a JSON object.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refused('The request body must be a JSON object.');
  return { ok: true, value: value as Record<string, unknown> };
}

function refused(message: string): JsonObjectBody {
  return { ok: false, response: errorResponse(400, 'validation_error', message) };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]);
const CLOSE = new Set([0x5d, 0x7d]);
/** Where a string, number or literal can start (anything else outside strings is punctuation or space). */
const SCALAR_START = /[-0-9tfn]/y;

/**
 * Which limit `text` passes, if any, counting brackets and value starts outside strings. It does not
 * validate: malformed JSON within the limits is left to JSON.parse.
 */
function jsonExcess(text: string): 'depth' | 'values' | null {
  let depth = 0;
  let values = 0;
  let inString = false;
  let inScalar = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
      inScalar = false;
      values++;
    } else if (OPEN.has(c)) {
      inScalar = false;
      values++;
      if (++depth > MAX_JSON_DEPTH) return 'depth';
    } else if (CLOSE.has(c)) {
      inScalar = false;
      depth--;
    } else if (c === 0x2c || c === 0x3a || c <= 0x20) {
      inScalar = false;
    } else if (!inScalar) {
      SCALAR_START.lastIndex = i;
      if (SCALAR_START.test(text)) {
        inScalar = true;
        values++;
      }
    }
    if (values > MAX_JSON_VALUES) return 'values';
  }
  return null;
}
