/**
 * Replaces every occurrence of the API key in bytes and text the relay passes on, so the key cannot
 * leave the relay even if the instance ever echoed it.
 */
const REDACTED = '[redacted]';
const encoder = new TextEncoder();

export function redactText(text: string, secret: string): string {
  return text.split(secret).join(REDACTED);
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const last = haystack.length - needle.length;
  outer: for (let i = from; i <= last; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

export function redactBytes(bytes: Uint8Array<ArrayBuffer>, secret: string): Uint8Array<ArrayBuffer> {
  const needle = encoder.encode(secret);
  if (indexOfBytes(bytes, needle, 0) === -1) return bytes;
  return encoder.encode(redactText(new TextDecoder().decode(bytes), secret));
}

/**
 * The streaming form. Chunks go on at once; only a chunk whose tail could be the start of the key
 * holds that tail back until the next chunk shows whether it is (SSE frames end in a newline, so in
 * practice nothing is ever held).
 */
export function redactingStream(secret: string): TransformStream<Uint8Array, Uint8Array> {
  const needle = encoder.encode(secret);
  const replacement = encoder.encode(REDACTED);
  let carry = new Uint8Array(0);

  return new TransformStream({
    transform(chunk, controller) {
      let data = chunk;
      if (carry.length > 0) {
        data = new Uint8Array(carry.length + chunk.length);
        data.set(carry);
        data.set(chunk, carry.length);
      }
      const parts: Uint8Array[] = [];
      let start = 0;
      for (let at = indexOfBytes(data, needle, 0); at !== -1; at = indexOfBytes(data, needle, start)) {
        parts.push(data.subarray(start, at), replacement);
        start = at + needle.length;
      }
      const held = heldTail(data, start, needle);
      parts.push(data.subarray(start, data.length - held));
      carry = data.slice(data.length - held);
      const out = concat(parts);
      if (out.length > 0) controller.enqueue(out);
    },
    flush(controller) {
      if (carry.length > 0) controller.enqueue(carry);
    },
  });
}

/** Length of the longest tail of `data[from..]` that is a proper prefix of `needle`. */
function heldTail(data: Uint8Array, from: number, needle: Uint8Array): number {
  for (let length = Math.min(needle.length - 1, data.length - from); length > 0; length--) {
    let matches = true;
    for (let j = 0; j < length; j++) {
      if (data[data.length - length + j] !== needle[j]) {
        matches = false;
        break;
      }
    }
    if (matches) return length;
  }
  return 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const nonEmpty = parts.filter((part) => part.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const out = new Uint8Array(nonEmpty.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of nonEmpty) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
