// The built-in locales against the English catalogue (same keys, same placeholders, the plural
// categories of their language), and the pieces of src/i18n that run without a DOM: the Localizer
// and the tag → built-in locale mapping.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BUILT_IN_LOCALES, builtInLocaleFor, loadCatalogue } from '../../src/i18n/locale.js';
import { Localizer } from '../../src/i18n/localizer.js';
import { EN, type Catalogue, type PluralForms, type PluralKey } from '../../src/i18n/strings.js';

const LOCALES = BUILT_IN_LOCALES.filter((locale) => locale !== 'en');
const KEYS = Object.keys(EN) as (keyof Catalogue)[];
const PLURAL_KEYS = KEYS.filter((key) => typeof EN[key] !== 'string') as PluralKey[];
/** Categories whose form may name the number in words instead of `{count}` (Arabic "رمزان", two tokens). */
const WORDED_CATEGORIES = new Set(['zero', 'one', 'two']);

async function catalogueOf(locale: string): Promise<Catalogue> {
  const module = (await import(`../../src/i18n/locales/${locale}.ts`)) as { default: Catalogue };
  return module.default;
}

function placeholders(text: string): Set<string> {
  return new Set([...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!));
}

/** The EN strings of a key: the string, or every plural form. */
function texts(value: string | PluralForms): string[] {
  return typeof value === 'string' ? [value] : Object.values(value);
}

for (const locale of LOCALES) {
  test(`${locale}: the same keys as English, in the same order`, async () => {
    const catalogue = await catalogueOf(locale);
    assert.deepEqual(Object.keys(catalogue), KEYS);
  });

  test(`${locale}: the same placeholders as English`, async () => {
    const catalogue = await catalogueOf(locale);
    for (const key of KEYS) {
      const english = EN[key] as string | PluralForms;
      const value = catalogue[key];
      if (typeof english === 'string') {
        assert.equal(typeof value, 'string', `${locale}.${key} is a plain string`);
        assert.deepEqual(placeholders(value as string), placeholders(english), `${locale}.${key}: ${value}`);
        continue;
      }
      assert.equal(typeof value, 'object', `${locale}.${key} is a plural`);
      const forms = value as PluralForms;
      const allowed = placeholders(english.other);
      for (const [category, form] of Object.entries(forms)) {
        for (const name of placeholders(form)) assert.ok(allowed.has(name), `${locale}.${key}.${category}: {${name}} is not in English`);
        if (!WORDED_CATEGORIES.has(category)) assert.ok(form.includes('{count}'), `${locale}.${key}.${category} has {count}`);
      }
      assert.ok(forms.other.includes('{count}'), `${locale}.${key}.other has {count}`);
      // the other placeholders of the English string are used in every form
      for (const name of allowed) {
        if (name === 'count') continue;
        for (const [category, form] of Object.entries(forms)) assert.ok(form.includes(`{${name}}`), `${locale}.${key}.${category} has {${name}}`);
      }
    }
  });

  test(`${locale}: plural strings have exactly the language's plural categories`, async () => {
    const catalogue = await catalogueOf(locale);
    const categories = [...new Intl.PluralRules(locale).resolvedOptions().pluralCategories].sort();
    for (const key of PLURAL_KEYS) assert.deepEqual(Object.keys(catalogue[key]).sort(), categories, `${locale}.${key}`);
  });

  test(`${locale}: no string is empty, the key's name or a stray English literal`, async () => {
    const catalogue = await catalogueOf(locale);
    for (const key of KEYS) {
      const english = texts(EN[key] as string | PluralForms);
      for (const text of texts(catalogue[key])) {
        assert.ok(text.trim().length > 0, `${locale}.${key} is empty`);
        assert.notEqual(text, key, `${locale}.${key} is its key`);
        assert.ok(!text.includes('...'), `${locale}.${key}: … not three dots`);
        // the technical literals of the English string stay as written
        for (const literal of ['token-url', '2 MB']) {
          if (english.some((e) => e.includes(literal))) assert.ok(text.includes(literal), `${locale}.${key} keeps ${literal}`);
        }
        // an ellipsis in English (an ongoing state) is one in the translation too
        if (english.every((e) => e.endsWith('…'))) assert.ok(text.endsWith('…'), `${locale}.${key} ends with …`);
      }
    }
  });

  test(`${locale}: the chunk imports nothing at run time`, () => {
    const source = readFileSync(new URL(`../../src/i18n/locales/${locale}.ts`, import.meta.url), 'utf8');
    const imports = source.split('\n').filter((line) => /^\s*(import|export)\b.*\bfrom\b/.test(line));
    assert.deepEqual(imports, ["import type { Catalogue } from '../strings.js';"]);
    assert.ok(!/\bimport\s*\(/.test(source), 'no dynamic import');
  });

  test(`${locale}: the Localizer fills plural strings with the formatted count`, async () => {
    const catalogue = await catalogueOf(locale);
    const localizer = new Localizer(locale, catalogue);
    const rules = new Intl.PluralRules(locale);
    for (const key of PLURAL_KEYS) {
      for (const count of [0, 1, 2, 3, 5, 11, 21, 100, 1234, 1_000_000]) {
        const form = catalogue[key][rules.select(count)] ?? catalogue[key].other;
        const text = localizer.plural(key, count);
        assert.ok(!text.includes('{'), `${locale}.${key}(${count}): ${text}`);
        if (form.includes('{count}')) assert.ok(text.includes(localizer.number(count)), `${locale}.${key}(${count}): ${text}`);
        else assert.equal(text, form);
      }
    }
    assert.ok(localizer.plural('tokens', 1234).includes(new Intl.NumberFormat(locale).format(1234)));
    if (catalogue.tokens[rules.select(2)]?.includes('{count}') ?? true) assert.ok(localizer.plural('tokens', 2).includes('2'));
  });

  test(`${locale}: loadCatalogue fetches the chunk once`, async () => {
    const first = loadCatalogue(locale);
    assert.equal(loadCatalogue(locale), first);
    assert.equal(await first, await catalogueOf(locale));
  });
}

test('German plural forms and numbers', async () => {
  const de = new Localizer('de', await catalogueOf('de'));
  assert.equal(de.plural('tokens', 1), '1 Token');
  assert.equal(de.plural('tokens', 1234), '1.234 Tokens');
  assert.equal(de.plural('showMoreLines', 2), '2 weitere Zeilen anzeigen');
});

test('Arabic names zero, one and two in words, then uses the count', async () => {
  const ar = new Localizer('ar', await catalogueOf('ar'));
  assert.equal(ar.plural('tokens', 0), 'لا رموز');
  assert.equal(ar.plural('tokens', 2), 'رمزان');
  assert.equal(ar.plural('tokens', 3), '3 رموز');
  assert.equal(ar.plural('tokens', 11), '11 رمزًا');
  assert.equal(ar.plural('tokens', 100), '100 رمز');
});

test('builtInLocaleFor: the language of a tag, else English', () => {
  assert.equal(builtInLocaleFor('pt-BR'), 'pt');
  assert.equal(builtInLocaleFor('zh-Hant-TW'), 'zh');
  assert.equal(builtInLocaleFor('zh-Hans-CN'), 'zh');
  assert.equal(builtInLocaleFor('iw'), 'he');
  assert.equal(builtInLocaleFor('iw-IL'), 'he');
  assert.equal(builtInLocaleFor('DE-at'), 'de');
  assert.equal(builtInLocaleFor('en-GB'), 'en');
  assert.equal(builtInLocaleFor('sv'), 'en');
  assert.equal(builtInLocaleFor('sv-SE'), 'en');
  for (const locale of BUILT_IN_LOCALES) assert.equal(builtInLocaleFor(locale), locale);
});

test('loadCatalogue: English is built in', async () => {
  assert.equal(await loadCatalogue('en'), EN);
});

test('Localizer.text fills placeholders and leaves unknown ones as written', () => {
  const en = new Localizer('en');
  assert.equal(en.text('heading'), 'Chat');
  assert.equal(en.text('usage', { tokens: '5 tokens', cost: '$0.01' }), '5 tokens · $0.01');
  assert.equal(en.text('usage', { tokens: '5 tokens' }), '5 tokens · {cost}');
  assert.equal(en.text('usage'), '{tokens} · {cost}');
  const custom = new Localizer('en', EN, { heading: 'Ask {name} about {topic}' });
  assert.equal(custom.text('heading', { topic: 'plans' }), 'Ask {name} about plans');
});

test('Localizer overrides: any key, a plural key as a plain string or as forms', async () => {
  const de = await catalogueOf('de');
  const localizer = new Localizer('de', de, {
    heading: 'Hilfe',
    tokens: 'Verbrauch: {count}',
    showMoreLines: { one: 'Eine Zeile mehr', other: '{count} Zeilen mehr' },
  });
  assert.equal(localizer.text('heading'), 'Hilfe');
  assert.equal(localizer.text('send'), de.send);
  assert.equal(localizer.plural('tokens', 1), 'Verbrauch: 1');
  assert.equal(localizer.plural('tokens', 12_345), 'Verbrauch: 12.345');
  assert.equal(localizer.plural('showMoreLines', 1), 'Eine Zeile mehr');
  assert.equal(localizer.plural('showMoreLines', 7), '7 Zeilen mehr');
  // a missing form falls back to `other`
  const partial = new Localizer('en', EN, { tokens: { other: '{count} units' } });
  assert.equal(partial.plural('tokens', 1), '1 units');
});

test('Localizer.plural in English', () => {
  const en = new Localizer('en');
  assert.equal(en.plural('tokens', 1), '1 token');
  assert.equal(en.plural('tokens', 0), '0 tokens');
  assert.equal(en.plural('tokens', 1234), '1,234 tokens');
  assert.equal(en.plural('errorBusyRetrying', 3), 'The agent is busy. Trying again in 3 seconds…');
});

test('Localizer.relativeTime: now, minutes ago, yesterday', async () => {
  const now = Date.UTC(2024, 4, 15, 12, 0, 0);
  const en = new Localizer('en');
  assert.equal(en.relativeTime(now - 10_000, now), 'now');
  assert.equal(en.relativeTime(now + 5_000, now), 'now'); // a clock a little ahead
  assert.equal(en.relativeTime(now - 5 * 60_000, now), '5 minutes ago');
  assert.equal(en.relativeTime(now - 3 * 3_600_000, now), '3 hours ago');
  assert.equal(en.relativeTime(now - 26 * 3_600_000, now), 'yesterday');
  const de = new Localizer('de', await catalogueOf('de'));
  assert.equal(de.relativeTime(now - 10_000, now), 'jetzt');
  assert.equal(de.relativeTime(now - 5 * 60_000, now), 'vor 5 Minuten');
  assert.equal(de.relativeTime(now - 26 * 3_600_000, now), 'gestern');
  // beyond a month: the date itself
  assert.equal(de.relativeTime(now - 40 * 86_400_000, now), de.dateTime(now - 40 * 86_400_000));
});

test('Localizer.duration in the language’s units', async () => {
  const en = new Localizer('en');
  assert.match(en.duration(850), /0\.9/);
  assert.match(en.duration(12_300), /^12\s?sec/);
  assert.match(en.duration(95_000), /^1\s?min 35\s?sec$/);
  const de = new Localizer('de', await catalogueOf('de'));
  assert.match(de.duration(850), /0,9/);
  assert.ok(!de.duration(850).includes('0.9'));
  assert.match(de.duration(95_000), /1\s?Min\. 35\s?Sek\./);
});
