import { LitElement, html, type PropertyValues } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { markdownStyles } from './agent37-markdown.styles.js';
import { renderBlock } from './markdown-templates.js';
import { StreamingLexer, type MarkdownBlock } from './streaming-lexer.js';
import { imageOriginSet } from './url-policy.js';

const originList = {
  fromAttribute: (value: string | null): string[] => (value ? value.split(/[\s,]+/).filter(Boolean) : []),
  toAttribute: (value: string[]): string => value.join(' '),
};

/**
 * Renders an agent's answer, written in markdown, safely: raw HTML shows as text, links keep only
 * https/http/mailto URLs and open in a new tab, images are off unless the page allows their origin.
 * While `streaming`, finished blocks are rendered once and kept; only the open block is lexed and
 * rendered again, at most once per animation frame.
 *
 * @summary Safe, streaming markdown.
 * @csspart body - the rendered answer
 * @csspart link - a link
 * @csspart image - an allowed image
 * @csspart table-scroll - the sideways-scrolling box around a table
 * @csspart table - a table
 * @csspart code-block - a fenced or indented code block
 * @csspart code-header - a code block's bar (language and Copy)
 * @csspart code-language - a code block's language label
 * @csspart copy-button - a code block's Copy button
 * @csspart code - a code block's scrolling code
 *
 * @cssproperty [--agent37-accent=#2f5bd3] - links
 * @cssproperty [--agent37-border=#d5d9e0] - table, quote and rule lines
 * @cssproperty [--agent37-muted=#5a6270] - quotes, code block labels
 * @cssproperty [--agent37-code-background=#eef0f3] - code and table headers
 * @cssproperty [--agent37-code-font-family=ui-monospace] - code font
 * @cssproperty [--agent37-focus-ring=#1a56db] - keyboard focus
 */
export class Agent37Markdown extends LitElement {
  static override styles = markdownStyles;

  static override properties = {
    text: {},
    streaming: { type: Boolean },
    imageOrigins: { attribute: 'image-origins', converter: originList },
  };

  /** the markdown source */
  declare text: string;
  /** the text is still growing: render once per frame and keep finished blocks */
  declare streaming: boolean;
  /** origins (`https://cdn.example.com`) whose images may load; images from others render as links */
  declare imageOrigins: string[];

  #lexer = new StreamingLexer();
  #blocks: readonly MarkdownBlock[] = [];
  #origins: ReadonlySet<string> = new Set();

  constructor() {
    super();
    this.text = '';
    this.streaming = false;
    this.imageOrigins = [];
  }

  // Deltas come faster than frames while streaming; render once per frame.
  protected override async scheduleUpdate(): Promise<void> {
    if (this.streaming) await new Promise((resolve) => requestAnimationFrame(resolve));
    super.scheduleUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('imageOrigins')) this.#origins = imageOriginSet(this.imageOrigins);
    if (changed.has('text') || changed.has('streaming')) {
      const text = this.text.includes('\r') ? this.text.replace(/\r\n?/g, '\n') : this.text;
      this.#blocks = this.#lexer.blocks(text, this.streaming);
    }
  }

  protected override render() {
    const imageOrigins = this.#origins;
    // A block renders again only when its source, the link definitions it saw, its openness or the
    // image policy changed: finished blocks cost nothing per frame.
    return html`<div class="body" part="body">
      ${this.#blocks.map(({ token, links, open }) =>
        guard([token.raw, links, open, imageOrigins], () => renderBlock(token, { open, imageOrigins })),
      )}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-markdown': Agent37Markdown;
  }
}
