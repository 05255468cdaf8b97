/**
 * Replaces the API key wherever it shows in bytes and text the relay passes on, so the key cannot leave
 * the relay even if the instance ever echoed it: written raw, with any of its characters JSON-escaped
 * (`sk\u005flive_…`, `\/`, `\"`), or base64 / base64url encoded at any byte alignment inside a longer text.
 *
 * Each form is a needle: a list of characters, each with the spellings it may be written in. A 256-entry
 * table of the bytes a needle can begin with rejects most input with one lookup; only at a hit does the
 * matcher walk the needle character by character, so the 2^n ways to escape a key are never listed.
 * Text goes through the same matcher as UTF-8 bytes.
 */
const REDACTED = '[redacted]';
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const REDACTED_BYTES = encoder.encode(REDACTED);
const NOTHING = new Uint8Array(0);

/** JSON's two-character escapes for characters a key may hold (it holds no whitespace or control characters). */
const SHORT_ESCAPES = new Map([
  ['/', '\\/'],
  ['"', '\\"'],
  ['\\', '\\\\'],
]);
/** Shorter base64 runs turn up by chance in long base64 texts (images); keys of 8+ characters give 10 or more. */
const MIN_BASE64_RUN = 8;
/** Memoized matchers: the relay redacts every log line, header and stream with the same key. */
const MAX_COMPILED = 8;

const NO_MATCH = -1;
const NEEDS_MORE = -2;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const QUOTE = 0x22;
const LETTER_U = 0x75;
const ESCAPE = 0x80;

/** One way to write a character: byte k is `lower[k]` or `upper[k]` (they differ only for a hex digit's two cases). */
interface Spelling {
  readonly lower: Uint8Array;
  readonly upper: Uint8Array;
}
/** A form of the key: for each character, every spelling it may take. */
type Needle = readonly (readonly Spelling[])[];

/**
 * The filter in front of the matcher. Bit n stands for needle n (at most 7); bit 7 marks the backslash.
 * A raw first character is found by its first two bytes; an escape is read once (`\u0073` is an `s`)
 * and looked up by the character it stands for, so that escaped non-ASCII text does not try every needle.
 */
interface Matcher {
  readonly needles: readonly Needle[];
  /** The needles whose first character, written raw, begins with this byte. */
  readonly firstByte: Uint8Array;
  /** The same for the byte after it: the few first-byte hits (an `s` in prose) rarely pass both. */
  readonly secondByte: Uint8Array;
  /** The needles whose first character is this UTF-16 unit, for an escape: a table for the usual ASCII, a map beyond. */
  readonly escapedFirst: Uint8Array;
  readonly escapedFirstWide: ReadonlyMap<number, number>;
  /** Every needle: each can begin with an escape, and one not yet fully written could be any. */
  readonly all: number;
  /** Scratch for the positions the matcher has reached, reused so that a failed attempt allocates nothing. */
  readonly reached: [number[], number[]];
}

/** Where the matches are (start, end pairs) and where the undecided tail begins (`data.length` when none is held). */
interface Scan {
  readonly cuts: number[];
  readonly held: number;
}

const compiled = new Map<string, Matcher>();

/**
 * For log lines and header values. Matches begin and end on whole characters, so each stretch kept
 * decodes on its own (a lone surrogate, which UTF-8 cannot hold, comes back as U+FFFD in a line that had the key).
 */
export function redactText(text: string, secret: string): string {
  if (secret === '') return text;
  const bytes = encoder.encode(text);
  const { cuts } = scan(matcherFor(secret), bytes, true);
  if (cuts.length === 0) return text;
  let out = '';
  let kept = 0;
  for (let c = 0; c < cuts.length; c += 2) {
    out += decoder.decode(bytes.subarray(kept, cuts[c])) + REDACTED;
    kept = cuts[c + 1];
  }
  return out + decoder.decode(bytes.subarray(kept));
}

/** For a body read whole; the same bytes come back when there is nothing to redact. */
export function redactBytes(bytes: Uint8Array<ArrayBuffer>, secret: string): Uint8Array<ArrayBuffer> {
  if (secret === '') return bytes;
  return withRedactions(bytes, scan(matcherFor(secret), bytes, true).cuts);
}

/**
 * The streaming form. Chunks go on at once; only a chunk whose tail could be the start of a form of the
 * key (a half-written `\u00` escape, a base64 run) holds that tail back until the next chunk shows whether
 * it is one. SSE frames end in a newline, so in practice nothing is ever held.
 */
export function redactingStream(secret: string): TransformStream<Uint8Array, Uint8Array> {
  if (secret === '') return new TransformStream();
  const matcher = matcherFor(secret);
  let carry = NOTHING;

  return new TransformStream({
    transform(chunk, controller) {
      const data = carry.length === 0 ? chunk : joined(carry, chunk);
      const { cuts, held } = scan(matcher, data, false);
      // a copy, so that a few held bytes do not keep a whole chunk alive
      carry = held === data.length ? NOTHING : data.slice(held);
      const out = withRedactions(held === data.length ? data : data.subarray(0, held), cuts);
      if (out.length > 0) controller.enqueue(out);
    },
    flush(controller) {
      if (carry.length === 0) return;
      // the held tail was only the start of a form, but a shorter form could still lie inside it
      controller.enqueue(withRedactions(carry, scan(matcher, carry, true).cuts));
    },
  });
}

function matcherFor(secret: string): Matcher {
  let matcher = compiled.get(secret);
  if (matcher) return matcher;
  matcher = compile([secret, ...base64Runs(encoder.encode(secret))]);
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(secret, matcher);
  return matcher;
}

/**
 * The key base64-encoded within a longer base64 text, at each of the three byte alignments, in the
 * standard and url alphabets: only the characters whose 6 bits are all key bits (padding and the
 * characters either side depend on neighbouring bytes). At alignment a the key holds bits [8a, 8a + 8n)
 * of its group of three, so those are characters ceil(8a / 6) up to, not including, floor(8(a + n) / 6).
 */
function base64Runs(key: Uint8Array): string[] {
  const runs = new Set<string>();
  for (let align = 0; align < 3; align++) {
    let binary = '\0'.repeat(align);
    for (const byte of key) binary += String.fromCharCode(byte);
    const run = btoa(binary).slice(Math.ceil((8 * align) / 6), Math.floor((8 * (align + key.length)) / 6));
    if (run.length < MIN_BASE64_RUN) continue;
    runs.add(run);
    runs.add(run.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...runs];
}

function compile(forms: string[]): Matcher {
  const needles = forms.map((form) => Array.from(form, spellings));
  const firstByte = new Uint8Array(256);
  const secondByte = new Uint8Array(256);
  const escapedFirst = new Uint8Array(256);
  const escapedFirstWide = new Map<number, number>();
  needles.forEach((needle, n) => {
    const bit = 1 << n;
    const mark = (table: Uint8Array, { lower, upper }: Spelling, k: number) => {
      table[lower[k]] |= bit;
      table[upper[k]] |= bit;
    };
    const [raw] = needle[0];
    mark(firstByte, raw, 0);
    if (raw.lower.length > 1) mark(secondByte, raw, 1);
    else if (needle.length > 1) for (const spelling of needle[1]) mark(secondByte, spelling, 0);
    else secondByte.forEach((_, byte) => (secondByte[byte] |= bit));
    const unit = forms[n].charCodeAt(0);
    if (unit < 256) escapedFirst[unit] |= bit;
    else escapedFirstWide.set(unit, (escapedFirstWide.get(unit) ?? 0) | bit);
  });
  firstByte[BACKSLASH] |= ESCAPE;
  return { needles, firstByte, secondByte, escapedFirst, escapedFirstWide, all: (1 << needles.length) - 1, reached: [[], []] };
}

/**
 * A character (one code point): raw (first, as `compile` expects), as `\uXXXX` escapes of its UTF-16
 * units in either hex case, and as JSON's short escape if it has one.
 */
function spellings(char: string): Spelling[] {
  const raw = encoder.encode(char);
  const out: Spelling[] = [{ lower: raw, upper: raw }];
  let lower = '';
  let upper = '';
  for (let k = 0; k < char.length; k++) {
    const hex = char.charCodeAt(k).toString(16).padStart(4, '0');
    lower += `\\u${hex}`;
    upper += `\\u${hex.toUpperCase()}`;
  }
  out.push({ lower: encoder.encode(lower), upper: encoder.encode(upper) });
  const short = SHORT_ESCAPES.get(char);
  if (short !== undefined) out.push({ lower: encoder.encode(short), upper: encoder.encode(short) });
  return out;
}

/**
 * Finds every match, the longest where forms start at the same place. With `final` false, it stops at the
 * first place where the data ends while a form could still be under way: that tail is held.
 */
function scan(matcher: Matcher, data: Uint8Array, final: boolean): Scan {
  const { needles, firstByte } = matcher;
  const cuts: number[] = [];
  const length = data.length;
  let at = 0;
  while (at < length) {
    while (at < length && firstByte[data[at]] === 0) at++;
    if (at === length) break;
    const candidates = candidatesAt(matcher, data, at);
    if (candidates === 0) {
      at++;
      continue;
    }
    let end = NO_MATCH;
    for (let n = 0; n < needles.length; n++) {
      if ((candidates & (1 << n)) === 0) continue;
      const found = matchAt(matcher, needles[n], data, at, final);
      if (found === NEEDS_MORE) return { cuts, held: at };
      end = Math.max(end, found);
    }
    if (end === NO_MATCH) {
      at++;
    } else {
      cuts.push(at, end);
      at = end;
    }
  }
  return { cuts, held: length };
}

/** The needles worth trying at `at`; where the data ends too soon to tell, the matcher decides (and may wait). */
function candidatesAt(matcher: Matcher, data: Uint8Array, at: number): number {
  const { firstByte, secondByte, escapedFirst, escapedFirstWide, all } = matcher;
  const byte = data[at];
  if (at + 1 === data.length) return all;
  let candidates = firstByte[byte] & secondByte[data[at + 1]] & all;
  if (byte !== BACKSLASH) return candidates;
  const kind = data[at + 1];
  if (kind === SLASH || kind === QUOTE || kind === BACKSLASH) candidates |= escapedFirst[kind];
  if (kind !== LETTER_U) return candidates;
  if (at + 6 > data.length) return all;
  let escaped = 0;
  for (let k = at + 2; k < at + 6; k++) {
    const digit = hexValue(data[k]);
    if (digit === -1) return candidates;
    escaped = (escaped << 4) | digit;
  }
  return candidates | (escaped < 256 ? escapedFirst[escaped] : (escapedFirstWide.get(escaped) ?? 0));
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Where `needle` written from `start` ends (the longest way), NO_MATCH, or NEEDS_MORE when the data ends
 * while it could still be written. It follows every position reachable after each character: spellings
 * are prefix-free except where a raw `\` meets an escape, so that set almost always holds one position.
 */
function matchAt(matcher: Matcher, needle: Needle, data: Uint8Array, start: number, final: boolean): number {
  let from = matcher.reached[0];
  let to = matcher.reached[1];
  from[0] = start;
  let count = 1;
  let cutShort = false;
  for (let c = 0; c < needle.length; c++) {
    const spellings = needle[c];
    let next = 0;
    for (let p = 0; p < count; p++) {
      for (let s = 0; s < spellings.length; s++) {
        const end = spelledAt(spellings[s], data, from[p]);
        if (end === NEEDS_MORE) cutShort = true;
        else if (end !== NO_MATCH && !includesPosition(to, next, end)) to[next++] = end;
      }
    }
    if (next === 0) return cutShort && !final ? NEEDS_MORE : NO_MATCH;
    const done = from;
    from = to;
    to = done;
    count = next;
  }
  // a path cut short by the end of the data would have ended later than any that finished
  if (cutShort && !final) return NEEDS_MORE;
  let end = from[0];
  for (let p = 1; p < count; p++) end = Math.max(end, from[p]);
  return end;
}

function includesPosition(positions: number[], count: number, position: number): boolean {
  for (let p = 0; p < count; p++) if (positions[p] === position) return true;
  return false;
}

function spelledAt({ lower, upper }: Spelling, data: Uint8Array, start: number): number {
  for (let k = 0; k < lower.length; k++) {
    const at = start + k;
    if (at === data.length) return NEEDS_MORE;
    const byte = data[at];
    if (byte !== lower[k] && byte !== upper[k]) return NO_MATCH;
  }
  return start + lower.length;
}

function withRedactions<Backing extends ArrayBufferLike>(data: Uint8Array<Backing>, cuts: number[]): Uint8Array<Backing> | Uint8Array<ArrayBuffer> {
  if (cuts.length === 0) return data;
  let length = data.length;
  for (let c = 0; c < cuts.length; c += 2) length += REDACTED_BYTES.length - (cuts[c + 1] - cuts[c]);
  const out = new Uint8Array(length);
  let kept = 0;
  let offset = 0;
  for (let c = 0; c < cuts.length; c += 2) {
    out.set(data.subarray(kept, cuts[c]), offset);
    offset += cuts[c] - kept;
    out.set(REDACTED_BYTES, offset);
    offset += REDACTED_BYTES.length;
    kept = cuts[c + 1];
  }
  out.set(data.subarray(kept), offset);
  return out;
}

function joined(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
