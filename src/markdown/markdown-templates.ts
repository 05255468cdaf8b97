// marked tokens → Lit templates. Model output only ever reaches the DOM through Lit text and attribute
// bindings: raw HTML shows as text, and URLs pass the policy in url-policy.ts first. Paragraphs,
// headings and table cells take their direction from their own text (dir=auto): an English answer
// reads left to right in a right-to-left page, and the other way round; the layout (lists, the
// order of columns, where cells align) follows the page.
import type { TemplateResult } from 'lit';
import { html, nothing } from './host-lit.js';
import type { Token, Tokens } from 'marked';
import { decodeEntities } from './html-entities.js';
import { imageSrc, linkHref } from './url-policy.js';

export interface RenderContext {
  /** the block is still being written: its links get no href and its images stay text */
  readonly open: boolean;
  readonly imageOrigins: ReadonlySet<string>;
  /** a task list checkbox's name, checked and not, in the chat's language */
  readonly taskLabels: readonly [done: string, notDone: string];
}

type Content = TemplateResult | string | typeof nothing | readonly Content[];

export function renderBlock(token: Token, context: RenderContext): Content {
  const t = token as Tokens.Generic;
  switch (token.type) {
    case 'paragraph':
      return html`<p dir="auto">${renderInline(t.tokens, context)}</p>`;
    case 'heading':
      return renderHeading(token as Tokens.Heading, context);
    case 'code':
      return renderCode(token as Tokens.Code, context);
    case 'blockquote':
      return html`<blockquote>${renderBlocks(t.tokens, context)}</blockquote>`;
    case 'list':
      return renderList(token as Tokens.List, context);
    case 'table':
      return renderTable(token as Tokens.Table, context);
    case 'hr':
      return html`<hr />`;
    case 'html':
      return html`<p class="html">${(token as Tokens.HTML).text.replace(/\n+$/, '')}</p>`;
    case 'text':
      // a tight list item's text
      return renderText(token as Tokens.Text, context);
    case 'checkbox':
      return renderCheckbox(token as Tokens.Checkbox, context);
    case 'space':
    case 'def':
      return nothing;
    default:
      return token.raw;
  }
}

function renderBlocks(tokens: readonly Token[] | undefined, context: RenderContext): Content[] {
  return (tokens ?? []).map((token) => renderBlock(token, context));
}

function renderInline(tokens: readonly Token[] | undefined, context: RenderContext): Content[] {
  return (tokens ?? []).map((token) => renderInlineToken(token, context));
}

function renderInlineToken(token: Token, context: RenderContext): Content {
  const t = token as Tokens.Generic;
  switch (token.type) {
    case 'text':
      return renderText(token as Tokens.Text, context);
    case 'escape':
      return t.text;
    case 'codespan':
      return html`<code>${t.text}</code>`;
    case 'strong':
      return html`<strong>${renderInline(t.tokens, context)}</strong>`;
    case 'em':
      return html`<em>${renderInline(t.tokens, context)}</em>`;
    case 'del':
      return html`<del>${renderInline(t.tokens, context)}</del>`;
    case 'br':
      return html`<br />`;
    case 'html':
      return t.text;
    case 'link':
      return renderLink(token as Tokens.Link, context);
    case 'image':
      return renderImage(token as Tokens.Image, context);
    case 'checkbox':
      return renderCheckbox(token as Tokens.Checkbox, context);
    default:
      return token.raw;
  }
}

function renderText(token: Tokens.Text, context: RenderContext): Content {
  if (token.tokens) return renderInline(token.tokens, context);
  // `escaped` text sits inside raw HTML (`<pre>…</pre>`), which we show as written
  return token.escaped ? token.text : decodeEntities(token.text);
}

/** An image's alt text: the text of its label, without markup. */
function plainText(tokens: readonly Token[] | undefined): string {
  let text = '';
  for (const token of tokens ?? []) {
    const t = token as Tokens.Generic;
    if (token.type === 'text' && !t.tokens) text += t.escaped ? t.text : decodeEntities(t.text);
    else if (t.tokens) text += plainText(t.tokens);
    else if (token.type === 'escape' || token.type === 'codespan' || token.type === 'html') text += t.text;
  }
  return text;
}

function renderHeading(token: Tokens.Heading, context: RenderContext): TemplateResult {
  const content = renderInline(token.tokens, context);
  switch (token.depth) {
    case 1:
      return html`<h1 dir="auto">${content}</h1>`;
    case 2:
      return html`<h2 dir="auto">${content}</h2>`;
    case 3:
      return html`<h3 dir="auto">${content}</h3>`;
    case 4:
      return html`<h4 dir="auto">${content}</h4>`;
    case 5:
      return html`<h5 dir="auto">${content}</h5>`;
    default:
      return html`<h6 dir="auto">${content}</h6>`;
  }
}

function renderCode(token: Tokens.Code, context: RenderContext): TemplateResult {
  const language = decodeEntities(token.lang?.match(/^\S+/)?.[0] ?? '');
  return html`<agent37-code-block
    part="code-block"
    exportparts="code-header, code-language, copy-button, code"
    .code=${token.text}
    .language=${language}
    .streaming=${context.open}
  ></agent37-code-block>`;
}

function renderList(token: Tokens.List, context: RenderContext): TemplateResult {
  const items = token.items.map(
    (item) => html`<li class=${item.task ? 'task' : nothing}>${renderBlocks(item.tokens, context)}</li>`,
  );
  if (!token.ordered) return html`<ul>${items}</ul>`;
  return html`<ol start=${token.start === '' || token.start === 1 ? nothing : token.start}>${items}</ol>`;
}

function renderCheckbox(token: Tokens.Checkbox, { taskLabels }: RenderContext): TemplateResult {
  return html`<input type="checkbox" disabled ?checked=${token.checked} aria-label=${taskLabels[token.checked ? 0 : 1]} /> `;
}

function renderTable(token: Tokens.Table, context: RenderContext): TemplateResult {
  const cell = (c: Tokens.TableCell) => {
    const align = c.align ? `align-${c.align}` : nothing;
    const content = renderInline(c.tokens, context);
    return c.header ? html`<th class=${align} dir="auto">${content}</th>` : html`<td class=${align} dir="auto">${content}</td>`;
  };
  // the wrapper scrolls sideways inside a narrow bubble; focusable so keyboards can scroll it too (not a
  // named region: an answer with several tables would repeat the landmark)
  return html`<div class="table-scroll" part="table-scroll" tabindex="0">
    <table part="table">
      <thead>
        <tr>${token.header.map(cell)}</tr>
      </thead>
      ${token.rows.length ? html`<tbody>${token.rows.map((row) => html`<tr>${row.map(cell)}</tr>`)}</tbody>` : nothing}
    </table>
  </div>`;
}

function renderLink(token: Tokens.Link, context: RenderContext): Content {
  const label = token.autolink ? token.text : renderInline(token.tokens, context);
  const href = linkHref(token.href, token.autolink);
  if (href === null) return label;
  return anchor(context.open ? null : href, token.title, label);
}

/** A link; without an href while its block is still being written, so nothing points anywhere yet. */
function anchor(href: string | null, title: string | null | undefined, label: Content): TemplateResult {
  return html`<a
    part="link"
    href=${href ?? nothing}
    title=${title ? decodeEntities(title) : nothing}
    target="_blank"
    rel="noopener noreferrer"
    >${label}</a
  >`;
}

/**
 * Images are off unless the page allowed their origin; otherwise they become a link to the image
 * labelled with its alt text (when the URL may be a link) or just the alt text.
 */
function renderImage(token: Tokens.Image, context: RenderContext): Content {
  const alt = plainText(token.tokens) || decodeEntities(token.text);
  if (context.open) return alt;
  const src = imageSrc(token.href, context.imageOrigins);
  if (src !== null) {
    return html`<img
      part="image"
      src=${src}
      alt=${alt}
      title=${token.title ? decodeEntities(token.title) : nothing}
      referrerpolicy="no-referrer"
      loading="lazy"
    />`;
  }
  const href = linkHref(token.href);
  return href === null ? alt : anchor(href, token.title, alt || href);
}
