// <agent37-model-picker> on its own: the gateway's models and the reasoning efforts as native
// selects, their loading and error states, the events a pick fires (and that setting a property
// does not), the language, a finger-sized target, light and dark; and the composer's `tools` row
// that hosts it.
import { ContextProvider } from '@lit/context';
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/index.js';
import { loadModelPicker } from '../../src/components/lazy-elements.js';
import type { Agent37Composer } from '../../src/components/agent37-composer.js';
import { EffortPickEvent, ModelPickEvent, type Agent37ModelPicker } from '../../src/components/agent37-model-picker.js';
import { modelOptions, type ModelOption } from '../../src/contract/model-options.js';
import { localizerContext } from '../../src/i18n/localizer-context.js';
import { Localizer } from '../../src/i18n/localizer.js';
import de from '../../src/i18n/locales/de.js';
import { modelList } from '../../src/simulator/models.js';
import { emulateColorScheme, emulateMedia, failOnLitWarnings, mountChat, shadow, until } from './element-harness.js';

failOnLitWarnings();
// the element comes as a chunk of its own, defined when a chat first shows a picker
before(() => loadModelPicker());

/** The simulator's models, as the newer gateway lists them. */
const MODELS = modelOptions(modelList('newer', 'hermes'));

function modelSelect(el: Agent37ModelPicker): HTMLSelectElement | null {
  return shadow(el).querySelector('select[part="model-picker"]');
}

function effortSelect(el: Agent37ModelPicker): HTMLSelectElement | null {
  return shadow(el).querySelector('select[part="effort-picker"]');
}

function texts(select: HTMLSelectElement): string[] {
  return [...select.options].map((option) => option.text);
}

function shown(select: HTMLSelectElement): string {
  return select.selectedOptions[0]!.text;
}

/** What a visitor's pick does to a select: its value changes, then `change` fires. */
function pick(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

async function picker(options: readonly ModelOption[] | null = MODELS, more: Partial<Agent37ModelPicker> = {}): Promise<Agent37ModelPicker> {
  const el = await fixture<Agent37ModelPicker>(html`<agent37-model-picker show-models show-effort .options=${options}></agent37-model-picker>`);
  Object.assign(el, more);
  await el.updateComplete;
  return el;
}

describe('<agent37-model-picker>', () => {
  it("offers the gateway's models by label, the default first, named by the default model", async () => {
    const el = await picker();
    const select = modelSelect(el)!;
    expect(select.getAttribute('aria-label')).to.equal('Model');
    expect(select.disabled).to.equal(false);
    expect(texts(select)).to.deep.equal(['Default (Claude Sonnet 4.5)', 'Claude Sonnet 4.5', 'GPT-5', 'Gemini 2.5 Pro']);
    expect(shown(select)).to.equal('Default (Claude Sonnet 4.5)');
    el.value = 'gpt-5';
    await el.updateComplete;
    expect(shown(select)).to.equal('GPT-5');
    el.value = null;
    await el.updateComplete;
    expect(shown(select)).to.equal('Default (Claude Sonnet 4.5)');
  });

  it('names the provider after a label two models share, and the id where that does not tell them apart', async () => {
    const options: ModelOption[] = [
      { id: 'gpt-5', label: 'GPT-5', provider: 'openai', isDefault: true },
      { id: 'azure/gpt-5', label: 'GPT-5', provider: 'azure', isDefault: false },
      { id: 'o3', label: 'o3', provider: 'openai', isDefault: false },
      { id: 'llama-a', label: 'Llama', provider: null, isDefault: false },
      { id: 'llama-b', label: 'Llama', provider: null, isDefault: false },
    ];
    const el = await picker(options);
    expect(texts(modelSelect(el)!)).to.deep.equal(['Default (GPT-5 (openai))', 'GPT-5 (openai)', 'GPT-5 (azure)', 'o3', 'Llama (llama-a)', 'Llama (llama-b)']);
  });

  it('shows a model picked earlier that the list no longer has by its id; without a default model, "Default"', async () => {
    const el = await picker(
      MODELS.map((option) => ({ ...option, isDefault: false })),
      { value: 'retired-model' },
    );
    const select = modelSelect(el)!;
    expect(texts(select)).to.deep.equal(['Default', 'Claude Sonnet 4.5', 'GPT-5', 'Gemini 2.5 Pro', 'retired-model']);
    expect(shown(select)).to.equal('retired-model');
  });

  it('is a disabled select saying so while the models load, and when they could not be loaded', async () => {
    const el = await picker(null);
    const select = modelSelect(el)!;
    expect(select.disabled).to.equal(true);
    expect(texts(select)).to.deep.equal(['Loading models…']);
    expect(effortSelect(el)!.disabled, 'the effort does not wait for the models').to.equal(false);
    el.options = MODELS;
    await el.updateComplete;
    expect(modelSelect(el), 'the same select').to.equal(select);
    expect(select.disabled).to.equal(false);
    expect(texts(select)).to.have.length(4);
    el.error = true;
    await el.updateComplete;
    expect(select.disabled).to.equal(true);
    expect(texts(select)).to.deep.equal(['Models unavailable']);
    el.options = null;
    await el.updateComplete;
    expect(texts(select)).to.deep.equal(['Models unavailable']);
    // no models at all: nothing to pick but the default
    el.error = false;
    el.options = [];
    await el.updateComplete;
    expect(select.disabled).to.equal(true);
    expect(texts(select)).to.deep.equal(['Default']);
  });

  it('fires model-pick with the model and its provider when the visitor picks one, null for the default', async () => {
    const el = await picker();
    const select = modelSelect(el)!;
    setTimeout(() => pick(select, 'gpt-5'));
    const picked = await oneEvent(el, 'model-pick');
    expect(picked).to.be.instanceOf(ModelPickEvent);
    expect(picked).to.include({ model: 'gpt-5', provider: 'openai', bubbles: false, composed: false });
    expect(el.value).to.equal('gpt-5');
    await el.updateComplete;
    expect(shown(select)).to.equal('GPT-5');
    setTimeout(() => pick(select, ''));
    expect(await oneEvent(el, 'model-pick')).to.include({ model: null, provider: null });
    expect(el.value).to.equal(null);
  });

  it('offers Default and every effort, labelled; fires effort-pick for a pick, null for Default', async () => {
    const el = await picker();
    const select = effortSelect(el)!;
    expect(select.getAttribute('aria-label')).to.equal('Reasoning effort');
    expect(texts(select)).to.deep.equal(['Default', 'None', 'Minimal', 'Low', 'Medium', 'High', 'Extra high']);
    expect([...select.options].map((option) => option.value)).to.deep.equal(['', 'none', 'minimal', 'low', 'medium', 'high', 'xhigh']);
    expect(shown(select)).to.equal('Default');
    setTimeout(() => pick(select, 'high'));
    const picked = await oneEvent(el, 'effort-pick');
    expect(picked).to.be.instanceOf(EffortPickEvent);
    expect(picked).to.include({ effort: 'high', bubbles: false, composed: false });
    expect(el.effort).to.equal('high');
    setTimeout(() => pick(select, ''));
    expect(await oneEvent(el, 'effort-pick')).to.include({ effort: null });
    expect(el.effort).to.equal(null);
  });

  it('offers only the efforts it is given, in the contract order, and the picked one', async () => {
    const el = await picker(MODELS, { efforts: ['high', 'low'], effort: 'xhigh' });
    const select = effortSelect(el)!;
    expect(texts(select)).to.deep.equal(['Default', 'Low', 'High', 'Extra high']);
    expect(shown(select)).to.equal('Extra high');
  });

  it('fires nothing when the chat sets a value, and follows the chat when it puts a pick back', async () => {
    const el = await picker();
    const fired: Event[] = [];
    el.addEventListener('model-pick', (e) => fired.push(e));
    el.addEventListener('effort-pick', (e) => fired.push(e));
    el.value = 'gemini-2.5-pro';
    el.effort = 'low';
    await el.updateComplete;
    expect(shown(modelSelect(el)!)).to.equal('Gemini 2.5 Pro');
    expect(shown(effortSelect(el)!)).to.equal('Low');
    // the visitor picks; the chat refuses it and sets the old value back
    pick(modelSelect(el)!, 'gpt-5');
    pick(effortSelect(el)!, 'none');
    expect(fired).to.have.length(2);
    el.value = 'gemini-2.5-pro';
    el.effort = 'low';
    await el.updateComplete;
    expect(shown(modelSelect(el)!)).to.equal('Gemini 2.5 Pro');
    expect(shown(effortSelect(el)!)).to.equal('Low');
    expect(fired).to.have.length(2);
  });

  it('shows the model select, the effort select, both or neither', async () => {
    const el = await fixture<Agent37ModelPicker>(html`<agent37-model-picker .options=${MODELS}></agent37-model-picker>`);
    expect(shadow(el).querySelectorAll('select')).to.have.length(0);
    el.showModels = true;
    await el.updateComplete;
    expect([modelSelect(el) !== null, effortSelect(el) !== null]).to.deep.equal([true, false]);
    el.showModels = false;
    el.showEffort = true;
    await el.updateComplete;
    expect([modelSelect(el) !== null, effortSelect(el) !== null]).to.deep.equal([false, true]);
    el.setAttribute('show-models', '');
    await el.updateComplete;
    expect(el.showModels).to.equal(true);
    expect([modelSelect(el) !== null, effortSelect(el) !== null]).to.deep.equal([true, true]);
  });

  it('disabled: neither select can be changed', async () => {
    const el = await picker(MODELS, { disabled: true });
    expect(el.hasAttribute('disabled')).to.equal(true);
    expect([modelSelect(el)!.disabled, effortSelect(el)!.disabled]).to.deep.equal([true, true]);
  });

  it("speaks the chat's language", async () => {
    const page = await fixture<HTMLElement>(html`<div></div>`);
    new ContextProvider(page, { context: localizerContext, initialValue: new Localizer('de', de) });
    const el = document.createElement('agent37-model-picker');
    Object.assign(el, { options: MODELS, showModels: true, showEffort: true });
    page.append(el);
    await el.updateComplete;
    expect(modelSelect(el)!.getAttribute('aria-label')).to.equal('Modell');
    expect(shown(modelSelect(el)!)).to.equal('Standard (Claude Sonnet 4.5)');
    expect(effortSelect(el)!.getAttribute('aria-label')).to.equal('Denkaufwand');
    expect(texts(effortSelect(el)!)).to.deep.equal(['Standard', 'Keiner', 'Minimal', 'Niedrig', 'Mittel', 'Hoch', 'Sehr hoch']);
    el.options = null;
    await el.updateComplete;
    expect(texts(modelSelect(el)!)).to.deep.equal(['Modelle werden geladen…']);
  });

  it('lays the selects out from the start of the line, right to left too', async () => {
    const page = await fixture<HTMLElement>(html`<div dir="rtl" style="width: 600px">
      <agent37-model-picker show-models show-effort .options=${MODELS}></agent37-model-picker>
    </div>`);
    const el = page.querySelector('agent37-model-picker')!;
    await el.updateComplete;
    const model = modelSelect(el)!.getBoundingClientRect();
    const effort = effortSelect(el)!.getBoundingClientRect();
    expect(model.right).to.be.closeTo(page.getBoundingClientRect().right, 1);
    expect(effort.right).to.be.at.most(model.left);
  });

  it('selects are at least 44 px on a coarse pointer', async () => {
    const el = await picker();
    expect(modelSelect(el)!.getBoundingClientRect().height, 'compact on a mouse').to.be.below(44);
    await emulateMedia({ pointer: 'coarse', 'any-pointer': 'coarse' });
    try {
      await until(() => modelSelect(el)!.getBoundingClientRect().height >= 44, 'a 44 px model select');
      const effort = effortSelect(el)!.getBoundingClientRect();
      expect(effort.height).to.be.at.least(44);
      expect(effort.width).to.be.at.least(44);
    } finally {
      await emulateMedia({ pointer: '', 'any-pointer': '' });
    }
  });

  for (const state of ['loaded', 'loading', 'error', 'disabled'] as const) {
    it(`is accessible (${state})`, async () => {
      const el = await picker(state === 'loading' ? null : MODELS, { error: state === 'error', disabled: state === 'disabled', value: 'gpt-5', effort: 'medium' });
      await expect(el).to.be.accessible();
    });
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`is accessible in the chat's ${theme} theme`, async () => {
      await emulateColorScheme(theme);
      const { el: chat } = await mountChat({ attributes: { theme: 'auto' } });
      const el = document.createElement('agent37-model-picker');
      Object.assign(el, { slot: 'header', options: MODELS, showModels: true, showEffort: true, effort: 'high' });
      chat.append(el);
      await el.updateComplete;
      const style = getComputedStyle(modelSelect(el)!);
      expect(style.colorScheme).to.equal(theme);
      // the chat's muted text on its background
      expect(style.color).to.equal(theme === 'dark' ? 'rgb(163, 170, 184)' : 'rgb(90, 98, 112)');
      await expect(chat).to.be.accessible();
    });
  }
});

describe('<agent37-composer> tools row', () => {
  function toolsRow(composer: Agent37Composer): HTMLElement {
    return shadow(composer).querySelector('.tools')!;
  }

  it('takes no room while nothing is slotted; shows what is, above the message box', async () => {
    const composer = await fixture<Agent37Composer>(html`<agent37-composer style="width: 480px"></agent37-composer>`);
    const bare = composer.getBoundingClientRect().height;
    expect(getComputedStyle(toolsRow(composer)).display).to.equal('none');
    const el = document.createElement('agent37-model-picker');
    Object.assign(el, { slot: 'tools', options: MODELS, showModels: true, showEffort: true });
    composer.append(el);
    await until(() => getComputedStyle(toolsRow(composer)).display !== 'none', 'the tools row to show');
    await el.updateComplete;
    const textarea = shadow(composer).querySelector('textarea')!.getBoundingClientRect();
    expect(modelSelect(el)!.getBoundingClientRect().bottom).to.be.at.most(textarea.top);
    expect(composer.getBoundingClientRect().height).to.be.above(bare);
    el.remove();
    await until(() => getComputedStyle(toolsRow(composer)).display === 'none', 'the tools row to hide');
    await composer.updateComplete;
    expect(composer.getBoundingClientRect().height).to.equal(bare);
  });

  it('ignores what goes in no slot of its own', async () => {
    const composer = await fixture<Agent37Composer>(html`<agent37-composer><span>not a tool</span></agent37-composer>`);
    await composer.updateComplete;
    expect(getComputedStyle(toolsRow(composer)).display).to.equal('none');
  });
});
