import { isServer } from 'lit';

/**
 * Defines `tag` unless it is taken; warns when another copy (another version, a second bundle) took it.
 * On a server (lit's Node build, which brings only a stand-in registry) or without any registry it
 * defines nothing: server rendering writes the bare tag, and the page's browser defines it.
 */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  if (isServer || typeof customElements === 'undefined') return;
  const existing = customElements.get(tag);
  if (existing === element) return;
  if (existing) {
    console.warn(`agent37-chat: <${tag}> is already defined by another copy of the package; this copy does not register it.`);
    return;
  }
  customElements.define(tag, element);
}
