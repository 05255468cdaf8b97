import { EN, type Catalogue, type PluralForms, type PluralKey, type Placeholders, type StringOverrides, type TextKey } from './strings.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The chat's strings and formats in one language: a catalogue (with the page's overrides on top) and
 * `Intl` formatters for the language's tag, which may be more precise than the catalogue's
 * (`pt-BR` numbers and dates with the `pt` strings).
 */
export class Localizer {
  #plurals: Intl.PluralRules | undefined;
  #numbers: Intl.NumberFormat | undefined;
  #relative: Intl.RelativeTimeFormat | undefined;
  #dates: Intl.DateTimeFormat | undefined;

  constructor(
    /** a BCP 47 tag for Intl (`de`, `pt-BR`), already checked */
    readonly locale: string,
    private readonly catalogue: Catalogue = EN,
    private readonly overrides: StringOverrides = {},
  ) {}

  /** The string for `key`, with its `{placeholders}` filled in. */
  text(key: TextKey, values?: Placeholders): string {
    const value = this.overrides[key] ?? this.catalogue[key];
    return fill(typeof value === 'string' ? value : EN[key], values);
  }

  /** The plural string for `key` and `count` (the language's plural rules pick the form), `{count}` formatted. */
  plural(key: PluralKey, count: number, values?: Placeholders): string {
    const override = this.overrides[key];
    const forms: PluralForms = typeof override === 'string' ? { other: override } : (override ?? this.catalogue[key]);
    this.#plurals ??= new Intl.PluralRules(this.locale);
    const form = forms[this.#plurals.select(count)] ?? forms.other;
    return fill(form, { ...values, count: this.number(count) });
  }

  number(value: number, options?: Intl.NumberFormatOptions): string {
    if (options) return new Intl.NumberFormat(this.locale, options).format(value);
    this.#numbers ??= new Intl.NumberFormat(this.locale);
    return this.#numbers.format(value);
  }

  /** "now", "5 minutes ago", "yesterday", … for a past moment (milliseconds since the epoch). */
  relativeTime(time: number, now = Date.now()): string {
    this.#relative ??= new Intl.RelativeTimeFormat(this.locale, { numeric: 'auto' });
    const elapsed = Math.max(0, now - time);
    if (elapsed < MINUTE) return this.#relative.format(0, 'second');
    if (elapsed < HOUR) return this.#relative.format(-Math.floor(elapsed / MINUTE), 'minute');
    if (elapsed < DAY) return this.#relative.format(-Math.floor(elapsed / HOUR), 'hour');
    if (elapsed < 30 * DAY) return this.#relative.format(-Math.floor(elapsed / DAY), 'day');
    return this.dateTime(time);
  }

  /** The date and time in full words and digits of the language (a timestamp's tooltip). */
  dateTime(time: number): string {
    this.#dates ??= new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeStyle: 'short' });
    return this.#dates.format(time);
  }

  /** How long a step took: 850 → "0.9 s", 12_300 → "12 s", 95_000 → "1 min, 35 s" (in the language's units). */
  duration(ms: number): string {
    const unit = (value: number, name: 'second' | 'minute', digits = 0) =>
      this.number(value, { style: 'unit', unit: name, unitDisplay: 'short', maximumFractionDigits: digits, minimumFractionDigits: digits });
    if (ms < 10_000) return unit(Math.max(ms, 0) / 1000, 'second', 1);
    const seconds = Math.round(ms / 1000);
    if (seconds < 60) return unit(seconds, 'second');
    return `${unit(Math.floor(seconds / 60), 'minute')} ${unit(seconds % 60, 'second')}`;
  }
}

function fill(template: string, values: Placeholders | undefined): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** English with no overrides: what a sub-element outside a chat uses. */
export const ENGLISH = new Localizer('en');
