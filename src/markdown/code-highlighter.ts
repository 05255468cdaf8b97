// Loaded with a dynamic import() on the first code block, so highlight.js stays out of the initial script.
// lowlight returns a syntax tree (hast), which agent37-code-block renders as Lit templates: no HTML strings.
import type { Root } from 'hast';
import { common, createLowlight } from 'lowlight';

const lowlight = createLowlight(common);

/** The highlighted tree of `code`, or null when `language` is not one we highlight. */
export function highlightCode(code: string, language: string): Root | null {
  if (!language || !lowlight.registered(language)) return null;
  return lowlight.highlight(language, code);
}
