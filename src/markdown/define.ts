/**
 * Defines <agent37-markdown> and the <agent37-code-block> it renders, unless the tags are taken
 * (src/index.ts imports this; so do the markdown tests and demos). The class modules define nothing.
 */
import { Agent37CodeBlock } from './agent37-code-block.js';
import { Agent37Markdown } from './agent37-markdown.js';
import { defineElement } from '../define-element.js';

defineElement('agent37-code-block', Agent37CodeBlock);
defineElement('agent37-markdown', Agent37Markdown);

export { Agent37CodeBlock, Agent37Markdown };
