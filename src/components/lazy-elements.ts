/**
 * The sub-elements only some chats need, fetched the first time one is: the conversation list
 * (when the visitor first opens it) and the model picker (when a chat shows one). Each arrives as a
 * chunk that imports types only and is built from the entry's Lit (see lit-kit.ts); this module,
 * in the entry, hands that over and defines the element (guarded, as src/index.ts does).
 */
import { LitElement, css, html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { REASONING_EFFORTS } from '../contract/gateway.js';
import { defineElement } from '../define-element.js';
import { consumeLocalizer } from '../i18n/localizer-context.js';
import type { LitKit } from './lit-kit.js';
import { followMinutes } from './minute-clock.js';
import { focusRingStyles, touchTargetStyles } from './shared-styles.js';

const kit: LitKit = { LitElement, css, html, nothing, live, consumeLocalizer, followMinutes, focusRingStyles, touchTargetStyles, reasoningEfforts: REASONING_EFFORTS };

/**
 * Defines `tag` from its chunk the first time it is called (one fetch however many callers); a
 * failed fetch is tried again next time.
 */
function lazyDefinition(tag: string, load: () => Promise<(kit: LitKit) => CustomElementConstructor>): () => Promise<void> {
  let loading: Promise<void> | null = null;
  return () => {
    loading ??= load().then(
      (make) => defineElement(tag, make(kit)),
      (cause: unknown) => {
        loading = null;
        throw cause;
      },
    );
    return loading;
  };
}

/** <agent37-conversation-list>, when a chat first opens its list. */
export const loadConversationList = lazyDefinition('agent37-conversation-list', () => import('./agent37-conversation-list.js').then((m) => m.conversationListElement));

/** <agent37-model-picker>, when a chat first shows a picker. */
export const loadModelPicker = lazyDefinition('agent37-model-picker', () => import('./agent37-model-picker.js').then((m) => m.modelPickerElement));
