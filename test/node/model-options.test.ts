// GET /v1/models in both revisions' shapes (agent37-api.md) as the model picker's options, and the
// page's allow-list on top.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelOptions, restrictModels, type ModelOption } from '../../src/contract/model-options.js';
import { modelList } from '../../src/simulator/models.js';

/** First revision: `{default_model, default_provider, data: [{id, label, provider, is_default}]}`. */
const FIRST = {
  default_model: 'claude-sonnet-4-5',
  default_provider: 'anthropic',
  data: [
    { id: 'claude-sonnet-4-5', label: 'Claude Sonnet 4.5', provider: 'anthropic', is_default: true },
    { id: 'gpt-5', label: 'GPT-5', provider: 'openai', is_default: false },
  ],
};

/** Newer: `{object: 'list', agent, default_model, default_provider, data: [{id, object: 'model', created: 0, owned_by, label, source, is_default}]}`. */
const NEWER = {
  object: 'list',
  agent: 'hermes',
  default_model: 'claude-sonnet-4-5',
  default_provider: 'anthropic',
  data: [
    { id: 'claude-sonnet-4-5', object: 'model', created: 0, owned_by: 'anthropic', label: 'Claude Sonnet 4.5', source: 'config', is_default: true },
    { id: 'gpt-5', object: 'model', created: 0, owned_by: 'openai', label: 'GPT-5', source: 'catalog', is_default: false },
  ],
};

const EXPECTED: ModelOption[] = [
  { id: 'claude-sonnet-4-5', label: 'Claude Sonnet 4.5', provider: 'anthropic', isDefault: true },
  { id: 'gpt-5', label: 'GPT-5', provider: 'openai', isDefault: false },
];

test('the first revision: the provider of each model, the flagged default', () => {
  assert.deepEqual(modelOptions(FIRST), EXPECTED);
});

test('the newer revision: owned_by names the provider', () => {
  assert.deepEqual(modelOptions(NEWER), EXPECTED);
});

test("both of the simulator's revisions give the same options", () => {
  const first = modelOptions(modelList('first', 'hermes'));
  assert.equal(first.length, 3);
  assert.deepEqual(modelOptions(modelList('newer', 'hermes')), first);
  assert.deepEqual(
    first.filter((option) => option.isDefault).map((option) => option.id),
    ['claude-sonnet-4-5'],
  );
});

test('no model flagged is_default: the one default_model names is the default', () => {
  const list = { ...NEWER, default_model: 'gpt-5', data: NEWER.data.map((entry) => ({ ...entry, is_default: false })) };
  assert.deepEqual(
    modelOptions(list).map((option) => [option.id, option.isDefault]),
    [
      ['claude-sonnet-4-5', false],
      ['gpt-5', true],
    ],
  );
  // a default_model that is not in the list: no default
  assert.ok(modelOptions({ ...list, default_model: 'gone' }).every((option) => !option.isDefault));
});

test('is_default wins over default_model, and only one option is the default', () => {
  const list = { ...FIRST, default_model: 'gpt-5', data: FIRST.data.map((entry) => ({ ...entry, is_default: true })) };
  assert.deepEqual(
    modelOptions(list).map((option) => option.isDefault),
    [true, false],
  );
});

test('the label falls back to the id; the default model without a provider takes default_provider', () => {
  const list = {
    default_model: 'local-llama',
    default_provider: 'ollama',
    data: [
      { id: 'local-llama', is_default: true },
      { id: 'gpt-5', label: '  ', is_default: false },
      { id: 'o3', label: 'o3', provider: '', owned_by: 'openai', is_default: false },
    ],
  };
  assert.deepEqual(modelOptions(list), [
    { id: 'local-llama', label: 'local-llama', provider: 'ollama', isDefault: true },
    { id: 'gpt-5', label: 'gpt-5', provider: null, isDefault: false },
    { id: 'o3', label: 'o3', provider: 'openai', isDefault: false },
  ]);
});

test('malformed entries are skipped, a repeated id counts once', () => {
  const list = {
    ...FIRST,
    data: [null, 'gpt-5', 42, [], { label: 'no id' }, { id: '' }, { id: 7, label: 'number id' }, ...FIRST.data, { id: 'gpt-5', label: 'GPT-5 again', provider: 'azure' }],
  };
  assert.deepEqual(modelOptions(list), EXPECTED);
});

test('a missing or broken data, or no object at all, is no models', () => {
  for (const answer of [{ default_model: 'gpt-5', default_provider: 'openai' }, { data: null }, { data: { id: 'gpt-5' } }, null, undefined, 'models', 3, []]) {
    assert.deepEqual(modelOptions(answer), [], JSON.stringify(answer));
  }
});

test("restrictModels keeps the allowed ids in the gateway's order", () => {
  const options = modelOptions(modelList('newer', 'hermes'));
  assert.deepEqual(
    restrictModels(options, ['gpt-5', 'claude-sonnet-4-5', 'not-offered']).map((option) => option.id),
    ['claude-sonnet-4-5', 'gpt-5'],
  );
  assert.deepEqual(
    restrictModels(options, [' gemini-2.5-pro ']).map((option) => option.id),
    ['gemini-2.5-pro'],
  );
  assert.deepEqual(restrictModels(options, ['not-offered']), []);
});

test('an empty allow-list keeps every model', () => {
  const options = modelOptions(FIRST);
  assert.deepEqual(restrictModels(options, []), options);
  assert.deepEqual(restrictModels(options, ['', ' ']), options);
  assert.notEqual(restrictModels(options, []), options, 'a copy');
});
