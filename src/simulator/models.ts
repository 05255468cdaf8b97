/** GET /v1/models in each revision's shape, from one catalog. */
import type { ModelList } from '../contract/gateway.js';
import type { Revision } from './revision.js';

const CATALOG = [
  { id: 'claude-sonnet-4-5', label: 'Claude Sonnet 4.5', provider: 'anthropic' },
  { id: 'gpt-5', label: 'GPT-5', provider: 'openai' },
  { id: 'gemini-2.5-pro', label: 'Gemini 2.5 Pro', provider: 'google' },
] as const;
const DEFAULT_MODEL = CATALOG[0];

export function modelList(revision: Revision, agent: string): ModelList {
  const head = { default_model: DEFAULT_MODEL.id, default_provider: DEFAULT_MODEL.provider };
  if (revision === 'first') {
    return { ...head, data: CATALOG.map(({ id, label, provider }) => ({ id, label, provider, is_default: id === DEFAULT_MODEL.id })) };
  }
  return {
    object: 'list',
    agent,
    ...head,
    // newer: no per-model provider; owned_by names it
    data: CATALOG.map(({ id, label, provider }) => ({
      id,
      object: 'model',
      created: 0,
      owned_by: provider,
      label,
      source: id === DEFAULT_MODEL.id ? 'config' : 'catalog',
      is_default: id === DEFAULT_MODEL.id,
    })),
  };
}
