/** textContent that walks into shadow roots (messages and markdown render inside their own); style text left out. */
export function deepText(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
  if (node instanceof HTMLStyleElement) return '';
  const root = node instanceof Element && node.shadowRoot ? node.shadowRoot : node;
  let text = '';
  for (const child of root.childNodes) text += deepText(child);
  return text;
}
