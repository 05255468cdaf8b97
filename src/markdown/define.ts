/**
 * Defines <agent37-markdown> and the <agent37-code-block> it renders, unless the tags are taken
 * (src/index.ts imports this; so do the markdown tests and demos). The class modules define nothing.
 */
import { Agent37CodeBlock } from './agent37-code-block.js';
import { Agent37Markdown } from './agent37-markdown.js';

function define(tag: string, element: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (existing === element) return;
  if (existing) {
    console.warn(`agent37-chat: <${tag}> is already defined by another copy of the package; this copy does not register it.`);
    return;
  }
  customElements.define(tag, element);
}

define('agent37-code-block', Agent37CodeBlock);
define('agent37-markdown', Agent37Markdown);

export { Agent37CodeBlock, Agent37Markdown };
