// The templates of the lazily loaded markdown renderer use the Lit of the element that loaded them,
// handed over through `useLit`. Importing 'lit' in that chunk would make the script-tag build either
// move Lit out of the script-tag file into a chunk of its own, or have the chunk import the entry by
// its file name (which breaks the versioned copy of the entry).
import type { html as litHtml, nothing as litNothing } from 'lit';

export let html: typeof litHtml;
export let nothing: typeof litNothing;

/** Hands the element's `html` and `nothing` to the templates; call it before rendering any. */
export function useLit(lit: { html: typeof litHtml; nothing: typeof litNothing }): void {
  ({ html, nothing } = lit);
}
