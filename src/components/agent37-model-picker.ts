// Loaded when a chat first shows a picker (src/components/lazy-elements.ts): it imports types only,
// and its element is made from the entry's Lit (see lit-kit.ts).
import type { ReasoningEffort } from '../contract/gateway.js';
import type { ModelOption } from '../contract/model-options.js';
import type { Localizer } from '../i18n/localizer.js';
import type { TextKey } from '../i18n/strings.js';
import type { LitKit } from './lit-kit.js';

/** Internal: the visitor picked a model; null is the gateway's default. */
export class ModelPickEvent extends Event {
  constructor(
    readonly model: string | null,
    readonly provider: string | null,
  ) {
    super('model-pick', { bubbles: false, composed: false });
  }
}

/** Internal: the visitor picked a reasoning effort; null is the model's default. */
export class EffortPickEvent extends Event {
  constructor(readonly effort: ReasoningEffort | null) {
    super('effort-pick', { bubbles: false, composed: false });
  }
}

const EFFORT_LABELS: Record<ReasoningEffort, TextKey> = {
  none: 'effortNone',
  minimal: 'effortMinimal',
  low: 'effortLow',
  medium: 'effortMedium',
  high: 'effortHigh',
  xhigh: 'effortXhigh',
};

/** <agent37-model-picker> as the chat and tests use it (the class is made by modelPickerElement). */
export interface Agent37ModelPicker extends HTMLElement {
  /** the models to offer, in this order; null while they load */
  options: readonly ModelOption[] | null;
  /** the picked model's id; null for the gateway's default */
  value: string | null;
  showModels: boolean;
  showEffort: boolean;
  /** the picked effort; null for the default */
  effort: ReasoningEffort | null;
  /** the efforts offered (all of them by default) */
  efforts: readonly ReasoningEffort[];
  disabled: boolean;
  /** the models could not be loaded */
  error: boolean;
  readonly updateComplete: Promise<boolean>;
}

/** The element's class, made from the entry's Lit (`kit`); lazy-elements.ts defines it. */
export function modelPickerElement(kit: LitKit): CustomElementConstructor {
  const { LitElement, css, html, nothing, live, consumeLocalizer, focusRingStyles, touchTargetStyles, reasoningEfforts } = kit;

  /**
   * Which model and how much reasoning the next turn asks for: two compact native selects in a row
   * (a keyboard, a screen reader and a phone each get their own, familiar control). It never fetches:
   * the chat hands it the gateway's models (`options`), and sets `value` and `effort` from what the
   * visitor picked before. A pick updates the select and fires an event; the chat remembers and sends it.
   *
   * @summary The model and reasoning effort pickers.
   * @csspart model-picker - the model select
   * @csspart effort-picker - the reasoning effort select
   *
   * @event model-pick - internal, not composed: the visitor picked a model; `model` is its id (null: the gateway's default), `provider` its provider
   * @event effort-pick - internal, not composed: the visitor picked a reasoning effort; `effort` is null for the default
   */
  class Agent37ModelPicker extends LitElement {
    static override styles = [
      css`
        :host {
          display: flex;
          flex-wrap: wrap;
          align-items: center;
          gap: 0.4em;
          min-inline-size: 0;
        }
        :host([hidden]) {
          display: none;
        }
        select {
          min-inline-size: 0;
          max-inline-size: 100%;
          box-sizing: border-box;
          font: inherit;
          font-size: 0.85em;
          line-height: 1.3;
          text-overflow: ellipsis;
          /* as wide as the picked option, not the longest (where supported) */
          field-sizing: content;
          /* outside a chat, CanvasText: GrayText on Canvas is too faint for a control's text (3.9:1) */
          color: var(--_muted, CanvasText);
          background-color: var(--_bg, Canvas);
          border: 1px solid var(--_border, GrayText);
          border-radius: 999px;
          padding-block: 0.3em;
          padding-inline: 0.8em 0.45em;
          cursor: pointer;
        }
        select:hover:not(:disabled) {
          color: var(--_text, CanvasText);
          background-color: var(--_surface, ButtonFace);
        }
        select:disabled {
          opacity: 0.6;
          cursor: default;
        }
        /* the open list reads as text, not muted */
        option {
          color: var(--_text, CanvasText);
          background-color: var(--_bg, Canvas);
        }
        /* touchTargetStyles covers buttons; a select is a control a finger hits too */
        @media (pointer: coarse) {
          select {
            min-inline-size: 44px;
            min-block-size: 44px;
          }
        }
      `,
      focusRingStyles,
      touchTargetStyles,
    ];

    static override properties = {
      options: { attribute: false },
      value: { attribute: false },
      showModels: { type: Boolean, attribute: 'show-models' },
      showEffort: { type: Boolean, attribute: 'show-effort' },
      effort: { attribute: false },
      efforts: { attribute: false },
      disabled: { type: Boolean, reflect: true },
      error: { type: Boolean },
    };

    /** the models to offer, in this order; null while they load */
    declare options: readonly ModelOption[] | null;
    /** the picked model's id; null for the gateway's default */
    declare value: string | null;
    /** show the model select */
    declare showModels: boolean;
    /** show the reasoning effort select */
    declare showEffort: boolean;
    /** the picked reasoning effort; null for the default */
    declare effort: ReasoningEffort | null;
    /** the efforts to offer (always in the contract's order, from none to xhigh) */
    declare efforts: readonly ReasoningEffort[];
    /** neither select can be changed */
    declare disabled: boolean;
    /** the models could not be loaded: the model select says so, and cannot be changed */
    declare error: boolean;

    readonly #localizer = consumeLocalizer(this);

    constructor() {
      super();
      this.options = null;
      this.value = null;
      this.showModels = false;
      this.showEffort = false;
      this.effort = null;
      this.efforts = reasoningEfforts;
      this.disabled = false;
      this.error = false;
    }

    private _onModelChange(e: Event) {
      const model = (e.target as HTMLSelectElement).value || null;
      const option = model === null ? undefined : this.options?.find((o) => o.id === model);
      this.value = model;
      this.dispatchEvent(new ModelPickEvent(model, option?.provider ?? null));
    }

    private _onEffortChange(e: Event) {
      const effort = ((e.target as HTMLSelectElement).value || null) as ReasoningEffort | null;
      this.effort = effort;
      this.dispatchEvent(new EffortPickEvent(effort));
    }

    override render() {
      const l = this.#localizer.value;
      return html`${this.showModels ? this._renderModels(l) : nothing}${this.showEffort ? this._renderEffort(l) : nothing}`;
    }

    // One select in every state, so focus stays on it when the list arrives or changes.
    private _renderModels(l: Localizer) {
      const blocked = this.error ? 'modelsUnavailable' : this.options === null ? 'modelsLoading' : null;
      const options = this.options ?? [];
      return html`<select
        part="model-picker"
        class="model-picker"
        aria-label=${l.text('model')}
        ?disabled=${this.disabled || blocked !== null || options.length === 0}
        @change=${this._onModelChange}
      >
        ${blocked ? html`<option value="" selected>${l.text(blocked)}</option>` : this._renderModelOptions(l, options)}
      </select>`;
    }

    private _renderModelOptions(l: Localizer, options: readonly ModelOption[]) {
      // a model the visitor picked earlier that the list no longer has: shown by its id, as it is what goes out
      const shown =
        this.value !== null && !options.some((o) => o.id === this.value) ? [...options, { id: this.value, label: this.value, provider: null, isDefault: false }] : options;
      const texts = optionTexts(shown);
      const fallback = shown.find((o) => o.isDefault);
      const defaultText = fallback ? l.text('modelDefault', { model: texts.get(fallback.id)! }) : l.text('effortDefault');
      return html`<option value="" .selected=${live(this.value === null)}>${defaultText}</option>
        ${shown.map((o) => html`<option value=${o.id} .selected=${live(o.id === this.value)}>${texts.get(o.id)}</option>`)}`;
    }

    private _renderEffort(l: Localizer) {
      const efforts = reasoningEfforts.filter((effort) => this.efforts.includes(effort) || effort === this.effort);
      return html`<select part="effort-picker" class="effort-picker" aria-label=${l.text('reasoningEffort')} ?disabled=${this.disabled} @change=${this._onEffortChange}>
        <option value="" .selected=${live(this.effort === null)}>${l.text('effortDefault')}</option>
        ${efforts.map((effort) => html`<option value=${effort} .selected=${live(effort === this.effort)}>${l.text(EFFORT_LABELS[effort])}</option>`)}
      </select>`;
    }
  }
  return Agent37ModelPicker;
}

/**
 * Each option's text by id: its label, with the provider after it where another option has the same
 * label (the id where the provider does not tell them apart either).
 */
function optionTexts(options: readonly ModelOption[]): Map<string, string> {
  const count = (key: (o: ModelOption) => string) => {
    const counts = new Map<string, number>();
    for (const o of options) counts.set(key(o), (counts.get(key(o)) ?? 0) + 1);
    return (o: ModelOption) => counts.get(key(o))!;
  };
  const sameLabel = count((o) => o.label);
  const sameLabelAndProvider = count((o) => `${o.label}\n${o.provider ?? ''}`);
  return new Map(
    options.map((o) => {
      if (sameLabel(o) === 1) return [o.id, o.label];
      return [o.id, `${o.label} (${o.provider && sameLabelAndProvider(o) === 1 ? o.provider : o.id})`];
    }),
  );
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-model-picker': Agent37ModelPicker;
  }
}
