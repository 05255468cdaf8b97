/** Defines `tag` unless it is taken; warns when another copy (another version, a second bundle) took it. */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (existing === element) return;
  if (existing) {
    console.warn(`agent37-chat: <${tag}> is already defined by another copy of the package; this copy does not register it.`);
    return;
  }
  customElements.define(tag, element);
}
