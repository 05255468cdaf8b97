import { Lexer, getDefaults, type Token, type Tokens, type TokensList } from 'marked';

/** One top-level block of the answer, with what its rendering depends on. */
export interface MarkdownBlock {
  readonly token: Token;
  /** the reference definitions the block was lexed with (JSON), so a block re-renders when they change */
  readonly links: string;
  /** the block is still being written (the last one while streaming) */
  readonly open: boolean;
}

type Links = TokensList['links'];

// Our own options object, so a page's `marked.use()` or `setOptions()` never reaches this lexer.
const LEXER_OPTIONS = { ...getDefaults(), gfm: true, breaks: false, pedantic: false };

function lex(source: string, knownLinks: Links): { tokens: Token[]; links: string } {
  const lexer = new Lexer(LEXER_OPTIONS);
  Object.assign(lexer.tokens.links, knownLinks);
  const tokens = lexer.lex(source);
  return { tokens, links: JSON.stringify(tokens.links) };
}

/** Adds the reference definitions found in `token` (at any depth) to `links`; the first one wins. */
function collectDefinitions(token: Token, links: Links): void {
  if (token.type === 'def') {
    const def = token as Tokens.Def;
    links[def.tag] ??= { href: def.href, title: def.title };
  }
  for (const child of (token as Tokens.Generic).tokens ?? []) collectDefinitions(child, links);
  if (token.type === 'list') for (const item of (token as Tokens.List).items) collectDefinitions(item, links);
}

/**
 * Lexes a growing answer in time linear in its length. Blocks that later text can no longer change are
 * kept; each call lexes again only from the start of the second-to-last block. That one stays open
 * because the last block may still be unfinished and can turn out to continue it (`#` then `#b`).
 * When streaming ends, one full lex reconciles everything a later block can change earlier on
 * (reference definitions, for one).
 */
export class StreamingLexer {
  #text = '';
  #kept: MarkdownBlock[] = [];
  #keptLength = 0;
  #keptLinks: Links = Object.create(null);

  /** The blocks of `text`; while `streaming`, `text` normally extends the previous call's text. */
  blocks(text: string, streaming: boolean): readonly MarkdownBlock[] {
    if (!streaming || !text.startsWith(this.#text)) this.#forget();
    this.#text = text;
    const source = text.slice(this.#keptLength);
    const { tokens, links } = lex(source, this.#keptLinks);
    const content = tokens.flatMap((token, index) => (token.type === 'space' ? [] : [index]));
    const last = streaming ? content.at(-1) : undefined;
    // marked's raws add up to its input except where it joins tokens; then keep nothing this time
    const covered = tokens.reduce((length, token) => length + token.raw.length, 0) === source.length;
    const keep = streaming && covered && content.length >= 2 ? content.at(-2)! : 0;
    for (const token of tokens.slice(0, keep)) {
      this.#kept.push({ token, links, open: false });
      this.#keptLength += token.raw.length;
      collectDefinitions(token, this.#keptLinks);
    }
    const live = tokens.slice(keep).map((token, index) => ({ token, links, open: index + keep === last }));
    return this.#kept.length ? [...this.#kept, ...live] : live;
  }

  #forget(): void {
    this.#text = '';
    this.#kept = [];
    this.#keptLength = 0;
    this.#keptLinks = Object.create(null);
  }
}
