/**
 * GET /v1/models as the model picker offers it: one shape for both revisions (agent37-api.md). The
 * first revision names each model's provider in `provider`; the newer one in `owned_by`.
 */
import type { ModelList } from './gateway.js';

/** One model the visitor may pick. */
export interface ModelOption {
  id: string;
  /** what the visitor reads; the id when the gateway gave no label */
  label: string;
  /** the provider to send with the model, when the gateway named one */
  provider: string | null;
  /** the gateway runs this model when the turn names none */
  isDefault: boolean;
}

/**
 * The models of a GET /v1/models answer, in the gateway's order. Entries without an id are skipped,
 * and so is a repeated id (a pick names a model by its id alone); a missing or broken `data` is no
 * models. At most one option is the default: the first flagged `is_default`, else the one named by
 * `default_model`.
 */
export function modelOptions(list: ModelList | unknown): ModelOption[] {
  if (!isRecord(list) || !Array.isArray(list.data)) return [];
  const defaultModel = nonEmpty(list.default_model);
  const defaultProvider = nonEmpty(list.default_provider);
  const options: ModelOption[] = [];
  const flagged: ModelOption[] = [];
  const seen = new Set<string>();
  for (const entry of list.data) {
    if (!isRecord(entry)) continue;
    const id = nonEmpty(entry.id);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const option: ModelOption = {
      id,
      label: nonEmpty(entry.label)?.trim() ?? id,
      provider: nonEmpty(entry.provider) ?? nonEmpty(entry.owned_by) ?? (id === defaultModel ? defaultProvider : null),
      isDefault: false,
    };
    if (entry.is_default === true) flagged.push(option);
    options.push(option);
  }
  const chosen = flagged[0] ?? options.find((option) => option.id === defaultModel);
  if (chosen) chosen.isDefault = true;
  return options;
}

/** The options whose id the page allows, in the gateway's order; an empty allow-list allows every model. */
export function restrictModels(options: readonly ModelOption[], allowed: readonly string[]): ModelOption[] {
  const ids = new Set(allowed.map((id) => id.trim()).filter((id) => id !== ''));
  return ids.size === 0 ? [...options] : options.filter((option) => ids.has(option.id));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
