// Shared by the markdown browser tests: render <agent37-markdown>, stream text into it, and read what
// it rendered (its shadow DOM and nested shadow roots) as comparable text.
import { fixture, html } from '@open-wc/testing';
import '../../src/markdown/define.js';
import type { Agent37Markdown } from '../../src/markdown/agent37-markdown.js';

/** Elements, sorted attributes and text of `node`'s children and any shadow roots; comments dropped. */
export function renderedHtml(node: Node): string {
  let out = '';
  let text = '';
  const flush = () => {
    out += text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    text = '';
  };
  const children = node instanceof Element && node.shadowRoot ? [...node.shadowRoot.childNodes, ...node.childNodes] : [...node.childNodes];
  for (const child of children) {
    if (child.nodeType === Node.TEXT_NODE) {
      text += child.nodeValue;
    } else if (child instanceof Element) {
      flush();
      const tag = child.localName;
      const attributes = [...child.attributes]
        .map((a) => ` ${a.name}="${a.value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
        .sort()
        .join('');
      out += `<${tag}${attributes}>${renderedHtml(child)}</${tag}>`;
    }
  }
  flush();
  return out;
}

/** Every element under `root`, through shadow roots. */
export function allElements(root: Node): Element[] {
  const found: Element[] = [];
  const visit = (node: Node) => {
    for (const child of node instanceof Element && node.shadowRoot ? [node.shadowRoot, ...node.children] : [...(node as ParentNode).children ?? []]) {
      if (child instanceof Element) found.push(child);
      visit(child);
    }
  };
  visit(root);
  return found;
}

/** Waits until the element and the code blocks in it have rendered. */
export async function settled(element: Agent37Markdown): Promise<void> {
  await element.updateComplete;
  for (const block of element.shadowRoot!.querySelectorAll('agent37-code-block')) await block.updateComplete;
}

export async function renderMarkdown(text: string, imageOrigins: string[] = []): Promise<Agent37Markdown> {
  const element = await fixture<Agent37Markdown>(html`<agent37-markdown .text=${text} .imageOrigins=${imageOrigins}></agent37-markdown>`);
  await settled(element);
  return element;
}


/** The growing prefixes of `text`, cut in random chunks of 1 to `maxChunk` characters. */
export function prefixes(text: string, random: () => number, maxChunk = 6): string[] {
  const result: string[] = [];
  for (let end = 0; end < text.length; ) {
    end = Math.min(text.length, end + 1 + Math.floor(random() * maxChunk));
    result.push(text.slice(0, end));
  }
  return result;
}
