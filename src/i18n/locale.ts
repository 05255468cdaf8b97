/**
 * Which language a chat speaks, and its catalogue. English is built in; every other locale is a
 * chunk of its own, fetched the first time a chat on the page speaks it. A locale chunk imports
 * nothing at run time (only types), so the script-tag build keeps it a leaf.
 */
import type { Catalogue } from './strings.js';
import { EN } from './strings.js';

export const BUILT_IN_LOCALES = ['en', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'ja', 'zh', 'ko', 'ar', 'he'] as const;
export type BuiltInLocale = (typeof BUILT_IN_LOCALES)[number];

const LOADERS: Record<Exclude<BuiltInLocale, 'en'>, () => Promise<{ default: Catalogue }>> = {
  de: () => import('./locales/de.js'),
  fr: () => import('./locales/fr.js'),
  es: () => import('./locales/es.js'),
  pt: () => import('./locales/pt.js'),
  it: () => import('./locales/it.js'),
  nl: () => import('./locales/nl.js'),
  ja: () => import('./locales/ja.js'),
  zh: () => import('./locales/zh.js'),
  ko: () => import('./locales/ko.js'),
  ar: () => import('./locales/ar.js'),
  he: () => import('./locales/he.js'),
};

const loaded = new Map<BuiltInLocale, Promise<Catalogue>>([['en', Promise.resolve(EN)]]);

/**
 * The language tag for a chat: its own `lang`, else the nearest ancestor's (through shadow roots
 * too), else the document's; checked and canonical (`pt-br` → `pt-BR`), `en` when none is usable.
 */
export function langOf(element: Element): string {
  let node: Node | null = element;
  while (node) {
    if (node instanceof Element && node.hasAttribute('lang')) {
      const tag = canonicalTag(node.getAttribute('lang')!);
      if (tag) return tag;
      // lang="" means "unknown": keep looking further out
    }
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return canonicalTag(document.documentElement.lang) ?? 'en';
}

function canonicalTag(tag: string): string | undefined {
  try {
    return tag.trim() ? Intl.getCanonicalLocales(tag.trim())[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The built-in locale whose strings a tag uses: its language (`pt-BR` → `pt`, `zh-Hant-TW` → `zh`), else English. */
export function builtInLocaleFor(tag: string): BuiltInLocale {
  const language = tag.split('-')[0]!.toLowerCase();
  // `iw` is the old code for Hebrew, still sent by some systems
  if (language === 'iw') return 'he';
  return (BUILT_IN_LOCALES as readonly string[]).includes(language) ? (language as BuiltInLocale) : 'en';
}

/** The catalogue of a built-in locale, fetched once per page; English when its chunk cannot load. */
export function loadCatalogue(locale: BuiltInLocale): Promise<Catalogue> {
  let catalogue = loaded.get(locale);
  if (!catalogue) {
    catalogue = LOADERS[locale as Exclude<BuiltInLocale, 'en'>]().then(
      (module) => module.default,
      () => {
        loaded.delete(locale); // offline or blocked: a later chat may try again
        return EN;
      },
    );
    loaded.set(locale, catalogue);
  }
  return catalogue;
}
