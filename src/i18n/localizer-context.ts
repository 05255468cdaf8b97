import { ContextConsumer, createContext } from '@lit/context';
import type { ReactiveControllerHost, ReactiveElement } from 'lit';
import { ENGLISH, type Localizer } from './localizer.js';

/** The chat provides its Localizer to every sub-element in its shadow tree (answers, code blocks, …). */
export const localizerContext = createContext<Localizer>(Symbol('agent37-localizer'));

/**
 * The Localizer of the chat around `host`, kept current (a language change re-renders the host);
 * English while the host is not inside a chat.
 */
export function consumeLocalizer(host: ReactiveElement & ReactiveControllerHost): { readonly value: Localizer } {
  const consumer = new ContextConsumer(host, { context: localizerContext, subscribe: true });
  return {
    get value() {
      return consumer.value ?? ENGLISH;
    },
  };
}
