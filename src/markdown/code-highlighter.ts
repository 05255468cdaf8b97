// Loaded with a dynamic import() on the first code block, so highlight.js stays out of the initial script;
// each grammar is a chunk of its own, loaded on the first block in its language.
// lowlight returns a syntax tree (hast), which agent37-code-block renders as Lit templates: no HTML strings.
import type { Root } from 'hast';
import { createLowlight } from 'lowlight';
import { GRAMMAR_ALIASES, GRAMMARS } from './highlight-grammars.js';

const lowlight = createLowlight();
const registering = new Map<string, Promise<boolean>>();
/** grammars registered together with the ones they hand off to */
const ready = new Set<string>();

// These mark up a prompt or a template and hand everything else to another grammar, which loads with
// them. Languages embedded in others (CSS and JavaScript in HTML, HTML in a JS template) highlight only
// once their own grammar is in, so a block loads its own grammar and nothing more.
const HANDS_OFF_TO: Readonly<Record<string, readonly string[]>> = {
  shell: ['bash'],
  'python-repl': ['python'],
  'php-template': ['xml', 'php'],
};

/** The grammar `language` (a name or an alias, in any case) names, or undefined for one we do not highlight. */
function grammarName(language: string): string | undefined {
  const key = language.toLowerCase();
  if (Object.hasOwn(GRAMMARS, key)) return key;
  return Object.hasOwn(GRAMMAR_ALIASES, key) ? GRAMMAR_ALIASES[key] : undefined;
}

/**
 * Loads and registers the grammar for `language` on first use. Resolves to whether `highlightCode` can
 * highlight it: false for a language we do not highlight, or when its grammar could not load.
 */
export async function loadLanguage(language: string): Promise<boolean> {
  const name = grammarName(language);
  if (name === undefined) return false;
  const loaded = await Promise.all([name, ...(HANDS_OFF_TO[name] ?? [])].map(registerGrammar));
  if (loaded.every(Boolean)) ready.add(name);
  return ready.has(name);
}

function registerGrammar(name: string): Promise<boolean> {
  let registered = registering.get(name);
  if (!registered) {
    registered = GRAMMARS[name]!().then(
      (grammar) => {
        lowlight.register(name, grammar.default);
        return true;
      },
      () => false,
    );
    registering.set(name, registered);
  }
  return registered;
}

/** The highlighted tree of `code`, or null until `loadLanguage(language)` resolved to true. */
export function highlightCode(code: string, language: string): Root | null {
  const name = grammarName(language);
  return name !== undefined && ready.has(name) ? lowlight.highlight(name, code) : null;
}
