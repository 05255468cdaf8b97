// The chat speaks the page's language: its own lang, the nearest ancestor's, or the document's; every
// built-in locale is a chunk fetched when first spoken; `strings` overrides any string.
import { expect, fixture, html } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import { BUILT_IN_LOCALES, loadCatalogue } from '../../src/i18n/locale.js';
import { EN, type Catalogue } from '../../src/i18n/strings.js';
import { actionButtonOf, failOnLitWarnings, mountChat, shadow, shownErrors, textareaOf, until } from './element-harness.js';

function newConversationButton(el: Agent37Chat): HTMLButtonElement {
  return shadow(el).querySelector('[part="new-conversation-button"]')!;
}

function visibleText(element: Element): string {
  return element.textContent!.replace(/\s+/g, ' ').trim();
}

/** What a visitor reads and hears in the chat's own chrome, in the language it shows. */
function chrome(el: Agent37Chat) {
  return {
    newConversation: visibleText(newConversationButton(el)),
    log: shadow(el).querySelector('[role="log"]')!.getAttribute('aria-label'),
    placeholder: textareaOf(el).placeholder,
    send: actionButtonOf(el).getAttribute('aria-label'),
  };
}

function expected(catalogue: Catalogue) {
  return { newConversation: catalogue.newConversation, log: catalogue.conversation, placeholder: catalogue.placeholder, send: catalogue.sendMessage };
}

async function catalogueOf(locale: (typeof BUILT_IN_LOCALES)[number]): Promise<Catalogue> {
  return loadCatalogue(locale);
}

describe('languages', () => {
  failOnLitWarnings();
  const documentLang = document.documentElement.lang;
  afterEach(() => {
    document.documentElement.lang = documentLang;
  });

  it('speaks English when nothing says otherwise', async () => {
    document.documentElement.removeAttribute('lang');
    const { el } = await mountChat();
    expect(chrome(el)).to.deep.equal(expected(EN));
  });

  for (const locale of BUILT_IN_LOCALES.filter((l) => l !== 'en')) {
    it(`speaks ${locale} from its own lang attribute`, async () => {
      const { el } = await mountChat({ attributes: { lang: locale } });
      await el.updateComplete;
      const catalogue = await catalogueOf(locale);
      expect(catalogue.newConversation).to.not.equal(EN.newConversation);
      expect(chrome(el)).to.deep.equal(expected(catalogue));
    });
  }

  it("follows the nearest ancestor's lang (region subtags too), then the document's, as they change", async () => {
    document.documentElement.lang = 'ja';
    const wrapper = await fixture<HTMLDivElement>(html`<div><agent37-chat token-url="/api/agent37/token?user=lang-ancestor" style="height: 400px"></agent37-chat></div>`);
    const el = wrapper.querySelector('agent37-chat')!;
    const [ja, fr, pt] = await Promise.all([catalogueOf('ja'), catalogueOf('fr'), catalogueOf('pt')]);
    await until(() => chrome(el).newConversation === ja.newConversation, "the document's language");
    wrapper.lang = 'fr-CA';
    await until(() => chrome(el).newConversation === fr.newConversation, "the ancestor's language");
    el.lang = 'pt-BR';
    await until(() => chrome(el).newConversation === pt.newConversation, 'its own language');
    el.lang = '';
    await until(() => chrome(el).newConversation === fr.newConversation, 'an empty lang: the ancestor again');
    expect(chrome(el)).to.deep.equal(expected(fr));
  });

  it('speaks English, numbers and dates too, for a language it has no strings for', async () => {
    const { el } = await mountChat({ attributes: { lang: 'sv' } });
    await el.updateComplete;
    expect(chrome(el)).to.deep.equal(expected(EN));
  });

  it('shows errors in its language', async () => {
    const de = await catalogueOf('de');
    const el = await fixture<Agent37Chat>(html`<agent37-chat lang="de" style="height: 400px"></agent37-chat>`);
    await el.updateComplete;
    expect(await el.send('Hallo')).to.equal(false);
    await el.updateComplete;
    await until(() => shownErrors(el).length > 0, 'the error');
    expect(shownErrors(el)).to.deep.equal([de.errorNotConfigured]);
  });

  it('takes any string from the strings property, over the locale, and picks plural forms by the language', async () => {
    const { el } = await mountChat({ attributes: { lang: 'de' } });
    el.strings = { newConversation: 'Neu anfangen', placeholder: 'Ihre Frage' };
    await el.updateComplete;
    const de = await catalogueOf('de');
    expect(chrome(el)).to.deep.equal({ ...expected(de), newConversation: 'Neu anfangen', placeholder: 'Ihre Frage' });
    // a new object replaces the overrides; unset keys fall back to the locale
    el.strings = { sendMessage: 'Abschicken' };
    await el.updateComplete;
    expect(chrome(el)).to.deep.equal({ ...expected(de), send: 'Abschicken' });
  });

  it('keeps the page attributes (heading, placeholder) over the catalogue', async () => {
    const { el } = await mountChat({ attributes: { lang: 'fr', placeholder: 'Votre question', heading: 'Support' } });
    await el.updateComplete;
    expect(textareaOf(el).placeholder).to.equal('Votre question');
    expect(visibleText(shadow(el).querySelector('[part="header"]')!)).to.contain('Support');
  });
});
