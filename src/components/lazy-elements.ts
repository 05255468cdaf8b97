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

let conversationList: Promise<void> | null = null;
let modelPicker: Promise<void> | null = null;

/** Defines <agent37-conversation-list> once its chunk is here; a failed fetch is tried again next time. */
export function loadConversationList(): Promise<void> {
  conversationList ??= import('./agent37-conversation-list.js').then(
    (m) => defineElement('agent37-conversation-list', m.conversationListElement(kit)),
    (cause: unknown) => {
      conversationList = null;
      throw cause;
    },
  );
  return conversationList;
}

/** Defines <agent37-model-picker> once its chunk is here; a failed fetch is tried again next time. */
export function loadModelPicker(): Promise<void> {
  modelPicker ??= import('./agent37-model-picker.js').then(
    (m) => defineElement('agent37-model-picker', m.modelPickerElement(kit)),
    (cause: unknown) => {
      modelPicker = null;
      throw cause;
    },
  );
  return modelPicker;
}
