// marked leaves character references in token text for the browser's HTML parser to decode; we render
// text through Lit bindings (never as HTML), so we decode them ourselves, as CommonMark specifies.
// The common named references are here; the full HTML table (2,000+ names, ~9 kB gzip) is a chunk of
// its own, loaded on the first name not in this list.

const reference = /&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{0,31}));/g;

const COMMON = new Map(
  Object.entries({
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    nbsp: '\u00a0',
    ensp: '\u2002',
    emsp: '\u2003',
    thinsp: '\u2009',
    shy: '\u00ad',
    zwj: '\u200d',
    zwnj: '\u200c',
    copy: '©',
    reg: '®',
    trade: '™',
    hellip: '…',
    mdash: '—',
    ndash: '–',
    lsquo: '‘',
    rsquo: '’',
    ldquo: '“',
    rdquo: '”',
    laquo: '«',
    raquo: '»',
    times: '×',
    divide: '÷',
    minus: '−',
    deg: '°',
    plusmn: '±',
    middot: '·',
    bull: '•',
    dagger: '†',
    micro: 'µ',
    frac12: '½',
    sup2: '²',
    euro: '€',
    pound: '£',
    yen: '¥',
    cent: '¢',
    sect: '§',
    para: '¶',
    larr: '←',
    rarr: '→',
    uarr: '↑',
    darr: '↓',
    harr: '↔',
    rArr: '⇒',
    ne: '≠',
    le: '≤',
    ge: '≥',
    asymp: '≈',
    infin: '∞',
    check: '✓',
  }),
);

/** the full table: undefined until it is in, null when it could not load (offline, blocked) */
let fullTable: ReadonlyMap<string, string> | null | undefined;
let loading: Promise<void> | undefined;
let undecoded = 0;

/** Loads the full table of named references (once); resolves when it is in or could not load. */
export function loadEntityTable(): Promise<void> {
  loading ??= import('./html-entity-table.js').then(
    ({ namedEntityTable }) => {
      const names = new Map([['fjlig', 'fj']]);
      for (const [, name, value] of namedEntityTable.matchAll(/([A-Za-z0-9]+)([^A-Za-z0-9]+)/g)) names.set(name!, value!);
      fullTable = names;
    },
    () => {
      fullTable = null;
    },
  );
  return loading;
}

/** Whether every named reference decodes now (the full table is in). */
export function entityTableLoaded(): boolean {
  return Boolean(fullTable);
}

/**
 * How many references were left as written so far because the full table was still on its way. A
 * renderer compares it before and after rendering: when it grew, it renders again once
 * `loadEntityTable()` resolves.
 */
export function undecodedReferenceCount(): number {
  return undecoded;
}

function named(match: string, name: string): string {
  const value = COMMON.get(name) ?? fullTable?.get(name);
  if (value !== undefined) return value;
  if (fullTable === undefined) {
    // the name may be in the table still on its way
    undecoded += 1;
    void loadEntityTable();
  }
  return match;
}

function fromCodePoint(code: number): string {
  // CommonMark: NUL, surrogates and values past Unicode become U+FFFD
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(code);
}

/**
 * Decodes HTML character references (`&amp;`, `&#35;`, `&#x22;`); unknown names stay as written, and
 * so do uncommon ones until the full table is in (this starts loading it).
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(reference, (match, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
    if (hex !== undefined) return fromCodePoint(parseInt(hex, 16));
    if (decimal !== undefined) return fromCodePoint(parseInt(decimal, 10));
    return named(match, name!);
  });
}
