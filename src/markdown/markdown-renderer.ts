// Everything <agent37-markdown> needs to turn text into templates, in one chunk it imports lazily, so
// the script-tag file does not carry marked: the streaming lexer, the token templates, the URL policy
// and the character reference decoder. `useLit` first: the templates use the element's Lit.
export { useLit } from './host-lit.js';
export { StreamingLexer, type MarkdownBlock } from './streaming-lexer.js';
export { renderBlock } from './markdown-templates.js';
export { imageOriginSet } from './url-policy.js';
export { loadEntityTable, undecodedReferenceCount } from './html-entities.js';
