/**
 * The key redaction the relay applies to everything it sends back and logs: the key raw, with any of its
 * characters JSON-escaped, and base64 / base64url encoded at every byte alignment inside a longer text;
 * in one piece and streamed across every chunk split.
 *
 * The last test prints the throughput on a 1 MB chunk without the key (it asserts nothing about time).
 * On a shared, busy 2-core VM (Node 20, where a bare table-lookup loop does 750-850 MB/s), one-shot:
 * prose and SSE frames 450-560 MB/s, random base64 400-440 MB/s, non-ASCII written as \u escapes
 * 300-330 MB/s, backslash-dense JSON (an escape every 3 bytes) 120-190 MB/s; streamed the same or up to
 * half that, as the machine's load varied.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactBytes, redactingStream, redactText } from '../../src/server/secret-redaction.js';

const KEY = 'sk_live_Q7xK2mP9vR4tY8wZ3nB6cD1fG5hJ0aLs';
/** Its base64 holds `+` and `/`, so the standard and url alphabets differ; and it has a `/` to write as `\/`. */
const SYMBOL_KEY = 'sk_live_??>>~~/9vR4tY8wZ3nB6cD1fG5hJ0aLs';
/** A `"` and a `\`, which JSON always escapes, and characters beyond ASCII (one outside the BMP). */
const AWKWARD_KEY = 'sk_live_a"b\\c_é_😀_9vR4tY8wZ3nB6';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fixed-seed generator, so that every run tries the same variants. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `text` with the code points `pick` chooses written as `\uXXXX` escapes (surrogate pairs for those beyond the BMP). */
function escaped(text: string, pick: (index: number) => boolean, hex: (digits: string) => string = (digits) => digits): string {
  return Array.from(text, (char, index) =>
    pick(index)
      ? Array.from({ length: char.length }, (_, k) => `\\u${hex(char.charCodeAt(k).toString(16).padStart(4, '0'))}`).join('')
      : char,
  ).join('');
}

function base64(bytes: Uint8Array, alphabet: 'base64' | 'base64url', padded: boolean): string {
  const text = Buffer.from(bytes).toString(alphabet).replace(/=+$/, '');
  return padded ? text.padEnd(Math.ceil(text.length / 4) * 4, '=') : text;
}

async function streamed(chunks: Uint8Array[], secret: string): Promise<Uint8Array[]> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const out: Uint8Array[] = [];
  for await (const chunk of source.pipeThrough(redactingStream(secret))) out.push(chunk);
  return out;
}

function joined(chunks: Uint8Array[]): string {
  return decoder.decode(Buffer.concat(chunks));
}

describe('redaction: the key raw and JSON-escaped', () => {
  it('redacts the raw key, each occurrence, also back to back', () => {
    assert.equal(redactText(`bad key ${KEY}!`, KEY), 'bad key [redacted]!');
    assert.equal(redactText(`${KEY}${KEY} and ${KEY}`, KEY), '[redacted][redacted] and [redacted]');
    assert.equal(redactText(`Bearer ${KEY}`, KEY), 'Bearer [redacted]');
    assert.equal(redactText(KEY, KEY), '[redacted]');
  });

  it('redacts the key with its first, each single, or every character escaped, in either hex case', () => {
    assert.equal(redactText(`"${escaped(KEY, (index) => index === 0)}"`, KEY), '"[redacted]"');
    assert.equal(redactText('sk\\u005flive_Q7xK2mP9vR4tY8wZ3nB6cD1fG5hJ0aLs', KEY), '[redacted]');
    assert.equal(redactText('sk\\u005Flive_Q7xK2mP9vR4tY8wZ3nB6cD1fG5hJ0aLs', KEY), '[redacted]');
    for (let index = 0; index < KEY.length; index++) {
      assert.equal(redactText(`x${escaped(KEY, (at) => at === index)}y`, KEY), 'x[redacted]y', `character ${index} escaped`);
    }
    assert.equal(redactText(escaped(KEY, () => true), KEY), '[redacted]');
    assert.equal(redactText(escaped(KEY, () => true, (digits) => digits.toUpperCase()), KEY), '[redacted]');
  });

  it('redacts the key with any mix of raw and escaped characters and any mix of hex cases', () => {
    const next = random(37);
    const mixedCase = (digits: string) => Array.from(digits, (digit) => (next() < 0.5 ? digit.toUpperCase() : digit)).join('');
    for (let round = 0; round < 300; round++) {
      const share = next();
      const written = escaped(KEY, () => next() < share, mixedCase);
      assert.equal(redactText(`{"text":"${written}"}`, KEY), '{"text":"[redacted]"}', written);
    }
  });

  it('redacts a / written raw, as \\/ or as \\u002f, and a key\'s " and \\ as JSON writes them', () => {
    const slash = SYMBOL_KEY.indexOf('/');
    assert.equal(redactText(SYMBOL_KEY, SYMBOL_KEY), '[redacted]');
    assert.equal(redactText(`${SYMBOL_KEY.slice(0, slash)}\\/${SYMBOL_KEY.slice(slash + 1)}`, SYMBOL_KEY), '[redacted]');
    assert.equal(redactText(escaped(SYMBOL_KEY, (index) => index === slash, (digits) => digits.toUpperCase()), SYMBOL_KEY), '[redacted]');
    // JSON.stringify writes the " and \ of a key as \" and \\
    assert.equal(redactText(JSON.stringify({ key: AWKWARD_KEY }), AWKWARD_KEY), '{"key":"[redacted]"}');
    assert.equal(redactText(AWKWARD_KEY, AWKWARD_KEY), '[redacted]');
  });

  it('redacts a key beyond ASCII raw and escaped, surrogate pairs included, in text and in bytes', () => {
    const beyondAscii = (index: number) => Array.from(AWKWARD_KEY)[index]!.charCodeAt(0) > 0x7f;
    const written = [AWKWARD_KEY, escaped(AWKWARD_KEY, beyondAscii), escaped(AWKWARD_KEY, () => true, (digits) => digits.toUpperCase())];
    for (const form of written) {
      assert.equal(redactText(`é ${form} 😀`, AWKWARD_KEY), 'é [redacted] 😀', form);
      assert.equal(decoder.decode(redactBytes(encoder.encode(`é ${form} 😀`), AWKWARD_KEY)), 'é [redacted] 😀', form);
    }
  });

  it('leaves text that only looks like the key as it is', () => {
    const lookalikes = [
      KEY.slice(0, -1),
      `${KEY.slice(0, -1)}t`,
      `sk\\u005flive_${KEY.slice(8, -1)}`,
      `sk\\U005flive_${KEY.slice(8)}`,
      `sk\\u005glive_${KEY.slice(8)}`,
      `sk_live_${KEY.slice(8).toLowerCase()}`,
      'sk_live_\\u00',
      '\\u0073',
    ];
    for (const text of lookalikes) {
      assert.equal(redactText(`a ${text} b`, KEY), `a ${text} b`, text);
      const bytes = encoder.encode(`a ${text} b`);
      assert.equal(redactBytes(bytes, KEY), bytes, text);
    }
  });
});

describe('redaction: the key base64-encoded', () => {
  /** The characters of `encoded` that depend on the key alone: those alike whether the bytes around it are all 0 or all 1 bits. */
  function keyOnlyRun(secret: string, prefixLength: number): { start: number; end: number } {
    const around = (fill: number) =>
      Buffer.concat([Buffer.alloc(prefixLength, fill), Buffer.from(secret), Buffer.alloc(3, fill)]).toString('base64');
    const zeros = around(0x00);
    const ones = around(0xff);
    const alike = [...zeros].flatMap((char, index) => (char === ones[index] && char !== '=' ? [index] : []));
    const start = alike[0]!;
    const end = alike.at(-1)! + 1;
    assert.equal(alike.length, end - start, 'the characters the key decides are one run');
    return { start, end };
  }

  it('redacts exactly the run the key decides, at every alignment, in both alphabets, padded or not', () => {
    const next = random(64);
    assert.match(Buffer.from(SYMBOL_KEY).toString('base64'), /[+/]/, 'the symbol key tests the alphabets apart');
    for (const secret of [KEY, SYMBOL_KEY]) {
      const keyBytes = Buffer.from(secret);
      for (const alphabet of ['base64', 'base64url'] as const) {
        for (const padded of [true, false]) {
          for (let prefixLength = 0; prefixLength <= 5; prefixLength++) {
            for (let round = 0; round < 6; round++) {
              const prefix = Buffer.from(Array.from({ length: prefixLength }, () => Math.floor(next() * 256)));
              const suffix = Buffer.from(Array.from({ length: Math.floor(next() * 6) }, () => Math.floor(next() * 256)));
              const encoded = base64(Buffer.concat([prefix, keyBytes, suffix]), alphabet, padded);
              const { start, end } = keyOnlyRun(secret, prefixLength);
              const redacted = redactText(`data: {"blob":"${encoded}"}\n`, secret);
              const label = `${secret} ${alphabet} padded=${padded} prefix=${prefixLength} suffix=${suffix.length}`;
              assert.equal(redacted, `data: {"blob":"${encoded.slice(0, start)}[redacted]${encoded.slice(end)}"}\n`, label);
              // whatever is left, decoded at any offset and even with the marker taken out, holds no key
              const left = redacted.slice('data: {"blob":"'.length, -'"}\n'.length);
              for (const candidate of [left, left.replace('[redacted]', '')]) {
                for (let offset = 0; offset < 4; offset++) {
                  const decoded = Buffer.from(candidate.slice(offset), alphabet);
                  assert.equal(decoded.includes(keyBytes.subarray(1, -1)), false, label);
                }
              }
            }
          }
        }
      }
    }
  });

  it('redacts the key in a Basic authorization value, and a base64 run JSON-escaped as \\/', () => {
    const basic = `Basic ${Buffer.from(`api:${KEY}`).toString('base64')}`;
    assert.match(redactText(basic, KEY), /^Basic [A-Za-z0-9+/]{0,6}\[redacted\][A-Za-z0-9+/=]{0,4}$/);

    const encoded = Buffer.from(SYMBOL_KEY).toString('base64');
    assert.match(encoded, /\//);
    const body = JSON.stringify({ blob: encoded }).replaceAll('/', '\\/');
    assert.match(redactText(body, SYMBOL_KEY), /^\{"blob":"\[redacted\][A-Za-z0-9+=\\/]{0,4}"\}$/);
  });
});

describe('redaction: JSON bodies with redactBytes', () => {
  it('redacts the key in each form inside a JSON body, which still parses', () => {
    const bodies = [
      JSON.stringify({ error: { code: 'internal_error', message: `bad key ${KEY}` } }),
      `{"error":{"code":"internal_error","message":"bad key ${escaped(KEY, () => true)}"}}`,
      `{"error":{"code":"internal_error","message":"bad key ${escaped(KEY, (index) => index % 3 === 0, (digits) => digits.toUpperCase())}"}}`,
      JSON.stringify({ error: { code: 'internal_error', message: `bad key ${Buffer.from(KEY).toString('base64')}` } }),
      JSON.stringify({ error: { code: 'internal_error', message: `bad key ${Buffer.from(`x${KEY}`).toString('base64url')}` } }),
    ];
    for (const body of bodies) {
      const redacted = decoder.decode(redactBytes(encoder.encode(body), KEY));
      const { error } = JSON.parse(redacted) as { error: { code: string; message: string } };
      assert.equal(error.code, 'internal_error');
      assert.match(error.message, /^bad key [A-Za-z0-9+/_-]{0,4}\[redacted\][A-Za-z0-9+/_=-]{0,4}$/, body);
      assert.equal(redacted.includes(KEY), false);
    }
  });

  it('hands back the very same bytes when the body holds no key', () => {
    const bytes = encoder.encode(JSON.stringify({ data: [{ id: 'sk_live_not_it', text: 'é \\u0073 \\/ sk' }] }));
    assert.equal(redactBytes(bytes, KEY), bytes);
  });
});

describe('redaction: streamed', () => {
  const forms: [secret: string, text: string][] = [
    [KEY, `event: response.output_text.delta\ndata: {"text":"${KEY}"}\n\n`],
    [KEY, `data: {"text":"${escaped(KEY, (index) => index === 0)}"}\n\n`],
    [KEY, `data: {"text":"${escaped(KEY, () => true, (digits) => digits.toUpperCase())}"}\n\n`],
    [KEY, `data: {"text":"${escaped(KEY, (index) => index % 2 === 1)}"}\n\n`],
    ...[0, 1, 2].map((prefixLength): [string, string] => [KEY, `data: {"blob":"${Buffer.from('x'.repeat(prefixLength) + KEY + 'yz').toString('base64')}"}\n\n`]),
    [SYMBOL_KEY, `data: {"blob":"${Buffer.from(`ab${SYMBOL_KEY}`).toString('base64url')}"}\n\n`],
    [SYMBOL_KEY, `data: {"key":"${SYMBOL_KEY.replace('/', '\\/')}"}\n\n`],
    [AWKWARD_KEY, `data: ${JSON.stringify(AWKWARD_KEY)} and ${escaped(AWKWARD_KEY, () => true)}\n`],
    [KEY, `no newline at the end: ${KEY}`],
    [KEY, `a false start sk_live_Q7x then ${KEY}${KEY} back to back`],
  ];

  it('redacts each form split at every position, as the one-shot redaction does', async () => {
    for (const [secret, form] of forms) {
      const bytes = encoder.encode(form);
      const whole = decoder.decode(redactBytes(bytes, secret));
      assert.match(whole, /\[redacted\]/, form);
      assert.equal(whole.includes(secret), false, form);
      for (let split = 0; split <= bytes.length; split++) {
        const out = await streamed([bytes.slice(0, split), bytes.slice(split)], secret);
        assert.equal(joined(out), whole, `${form} split at ${split}`);
      }
      const byteByByte = await streamed(Array.from(bytes, (byte) => Uint8Array.of(byte)), secret);
      assert.equal(joined(byteByByte), whole, `${form} byte by byte`);
    }
  });

  it('holds back only a tail that could start the key, and lets it go unchanged at the end when it was not', async () => {
    const head = 'data: {"text":"hello"}\n\nlast words ';
    for (const tail of ['sk_live_Q7xK2', 'sk\\u00', '\\', Buffer.from(KEY).toString('base64').slice(0, 9)]) {
      const out = await streamed([encoder.encode(head + tail)], KEY);
      assert.deepEqual(out, [encoder.encode(head), encoder.encode(tail)], tail);
    }
    const notTheKey = [encoder.encode(`data: ${KEY.slice(0, 20)}`), encoder.encode('Z is not the key\n')];
    assert.deepEqual(await streamed(notTheKey, KEY), [encoder.encode('data: '), encoder.encode(`${KEY.slice(0, 20)}Z is not the key\n`)]);
  });

  it('redacts at the end of the stream a key held back whole (a key ending in \\ could go on as \\\\)', async () => {
    const secret = 'sk_live_a0bb\\';
    const out = await streamed([encoder.encode(`data: ${secret}`)], secret);
    assert.deepEqual(out, [encoder.encode('data: '), encoder.encode('[redacted]')]);
  });

  it('agrees with the one-shot redaction at every split, for keys and texts made of backslashes, escapes and base64', async () => {
    const next = random(99);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    for (let round = 0; round < 400; round++) {
      const secret = Array.from({ length: 8 }, () => pick(['a', 'b', '\\', '/', 'u', '0'])).join('');
      const pieces = [secret, secret.slice(0, 4), '\\u0061', '\\u005C', '\\\\', '\\/', '\\u002f', 'a', '\\', 'u', '0', '5', Buffer.from(secret).toString('base64')];
      const bytes = encoder.encode(Array.from({ length: 1 + Math.floor(next() * 8) }, () => pick(pieces)).join(''));
      const whole = decoder.decode(redactBytes(bytes, secret));
      for (let split = 0; split <= bytes.length; split++) {
        const out = await streamed([bytes.slice(0, split), bytes.slice(split)], secret);
        assert.equal(joined(out), whole, `${JSON.stringify(secret)} in ${JSON.stringify(decoder.decode(bytes))} split at ${split}`);
      }
    }
  });

  it('passes text without the key on byte for byte, in the same chunks, when no chunk ends in a possible start', async () => {
    const next = random(7);
    const lines = [
      'event: response.output_text.delta\ndata: {"text":"she says \\"yes\\" \\/ sk is short\\n"}\n\n',
      `data: {"blob":"${Buffer.from(Array.from({ length: 300 }, () => Math.floor(next() * 256))).toString('base64')}"}\n\n`,
      'data: {"text":"sk_live_ but not the key, \\u0073k_ neither"}\n\n',
      ': a comment line that ends in a space \n',
    ];
    const chunks = Array.from({ length: 40 }, (_, index) => encoder.encode(lines[index % lines.length]!));
    const out = await streamed(chunks, KEY);
    assert.equal(out.length, chunks.length);
    out.forEach((chunk, index) => assert.deepEqual(chunk, chunks[index]));
  });

  it('prints its throughput on a 1 MB chunk without the key', async () => {
    const next = random(1);
    const size = 1 << 20;
    const filled = (text: string) => encoder.encode(text.repeat(Math.ceil(size / text.length))).slice(0, size);
    const samples = {
      'prose and SSE frames': filled('event: response.output_text.delta\ndata: {"text":"Streams pass on every chunk as soon as it arrives; this is sample prose."}\n\n'),
      'random base64': filled(Buffer.from(Array.from({ length: 3 << 16 }, () => Math.floor(next() * 256))).toString('base64')),
      'non-ASCII written as \\u escapes': filled('data: {"text":"\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442, \\u043a\\u0430\\u043a \\u0434\\u0435\\u043b\\u0430?"}\n\n'),
      'backslash-dense JSON': filled('{\\"s\\":\\"sk\\\\n\\/\\u00e9\\"}\\n'),
    };
    for (const [name, bytes] of Object.entries(samples)) {
      redactBytes(bytes, KEY);
      const rounds = 20;
      let started = performance.now();
      for (let round = 0; round < rounds; round++) assert.equal(redactBytes(bytes, KEY), bytes);
      const oneShot = (rounds * bytes.length) / 2 ** 20 / ((performance.now() - started) / 1000);
      started = performance.now();
      for (let round = 0; round < rounds; round++) await streamed([bytes], KEY);
      const streaming = (rounds * bytes.length) / 2 ** 20 / ((performance.now() - started) / 1000);
      console.log(`secret redaction, ${name}: ${oneShot.toFixed(0)} MB/s one-shot, ${streaming.toFixed(0)} MB/s streamed`);
    }
  });
});
