import { ContextProvider } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { builtInLocaleFor, langOf, loadCatalogue } from './locale.js';
import { ENGLISH, Localizer } from './localizer.js';
import { localizerContext } from './localizer-context.js';
import type { StringOverrides } from './strings.js';

type Host = ReactiveControllerHost & HTMLElement;

/**
 * Keeps a chat speaking its page's language: follows `lang` (the chat's own, an ancestor's, the
 * document's) as it changes, fetches the locale's catalogue, lays the page's `strings` over it,
 * and provides the result to the chat's sub-elements.
 */
export class LocaleController implements ReactiveController {
  readonly #host: Host;
  readonly #overrides: () => StringOverrides | undefined;
  readonly #provider: ContextProvider<typeof localizerContext>;
  #observer: MutationObserver | undefined;
  #wanted: { tag: string; overrides: StringOverrides | undefined } | undefined;
  #ready: Promise<unknown> = Promise.resolve();

  constructor(host: Host, overrides: () => StringOverrides | undefined) {
    this.#host = host;
    this.#overrides = overrides;
    this.#provider = new ContextProvider(host, { context: localizerContext, initialValue: ENGLISH });
    host.addController(this);
  }

  /** The strings and formats to render with now. */
  get value(): Localizer {
    return this.#provider.value;
  }

  /** Settles once the catalogue asked for last is in use. */
  get ready(): Promise<unknown> {
    return this.#ready;
  }

  hostConnected(): void {
    // `lang` anywhere in the document: the chat's, an ancestor's, or the root's may change.
    this.#observer ??= new MutationObserver(() => this.update());
    this.#observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
    this.update();
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
  }

  /** Looks at `lang` and `strings` again; call it when `strings` changed. */
  update(): void {
    const lang = langOf(this.#host);
    const locale = builtInLocaleFor(lang);
    // A language without built-in strings is spoken in English, dates and numbers too.
    const tag = locale === 'en' && lang.split('-')[0]!.toLowerCase() !== 'en' ? 'en' : lang;
    const overrides = this.#overrides();
    if (this.#wanted?.tag === tag && this.#wanted.overrides === overrides) return;
    const wanted = (this.#wanted = { tag, overrides });
    this.#ready = loadCatalogue(locale).then((catalogue) => {
      if (this.#wanted !== wanted) return; // overtaken by a later change
      this.#provider.setValue(new Localizer(tag, catalogue, overrides ?? {}));
      this.#host.requestUpdate();
    });
  }
}
