// marked leaves character references in token text for the browser's HTML parser to decode; we render
// text through Lit bindings (never as HTML), so we decode them ourselves, as CommonMark specifies.
import { namedEntityTable } from './html-entity-table.js';

const reference = /&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{0,31}));/g;

let named: Map<string, string> | undefined;

function namedEntities(): Map<string, string> {
  if (!named) {
    named = new Map([['fjlig', 'fj']]);
    for (const [, name, value] of namedEntityTable.matchAll(/([A-Za-z0-9]+)([^A-Za-z0-9]+)/g)) named.set(name!, value!);
  }
  return named;
}

function fromCodePoint(code: number): string {
  // CommonMark: NUL, surrogates and values past Unicode become U+FFFD
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(code);
}

/** Decodes HTML character references (`&amp;`, `&#35;`, `&#x22;`); unknown names stay as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(reference, (match, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
    if (hex !== undefined) return fromCodePoint(parseInt(hex, 16));
    if (decimal !== undefined) return fromCodePoint(parseInt(decimal, 10));
    return namedEntities().get(name!) ?? match;
  });
}
