import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { consumeLocalizer } from '../i18n/localizer-context.js';
import { markdownStyles } from './agent37-markdown.styles.js';
import type { MarkdownBlock, StreamingLexer } from './markdown-renderer.js';

type Renderer = typeof import('./markdown-renderer.js');

/** undefined while the renderer chunk loads; null when it could not load (offline, blocked): text stays plain */
let renderer: Renderer | null | undefined;
// Requested as soon as this module runs, so the chunk (marked among it) is usually in before an answer.
const rendererLoading: Promise<void> = import('./markdown-renderer.js').then(
  (module) => {
    module.useLit({ html, nothing });
    renderer = module;
  },
  () => {
    renderer = null;
  },
);

/** Resolves once the markdown renderer is in (or could not load); until then text shows as plain paragraphs. */
export function markdownRendererLoaded(): Promise<void> {
  return rendererLoading;
}

const originList = {
  fromAttribute: (value: string | null): string[] => (value ? value.split(/[\s,]+/).filter(Boolean) : []),
  toAttribute: (value: string[]): string => value.join(' '),
};

/**
 * Renders an agent's answer, written in markdown, safely: raw HTML shows as text, links keep only
 * https/http/mailto URLs and open in a new tab, images are off unless the page allows their origin.
 * While `streaming`, finished blocks are rendered once and kept; only the open block is lexed and
 * rendered again, at most once per animation frame. The markdown renderer is a chunk of its own: until
 * it is in, the text shows as plain paragraphs, and `updateComplete` waits for it (and for the full
 * table of character references when the text names an uncommon one). With `typing`, a caret
 * (blinking, unless the visitor asked for less motion) follows the last text.
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
 * @csspart expand-button - a long code block's Show more lines / Show less
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
    typing: { type: Boolean, reflect: true },
    imageOrigins: { attribute: 'image-origins', converter: originList },
  };

  /** the markdown source */
  declare text: string;
  /** the text is still growing: render once per frame and keep finished blocks */
  declare streaming: boolean;
  /** the text is growing right now: show a caret after it */
  declare typing: boolean;
  /** origins (`https://cdn.example.com`) whose images may load; images from others render as links */
  declare imageOrigins: string[];

  #lexer: StreamingLexer | undefined;
  #blocks: readonly MarkdownBlock[] = [];
  #origins: ReadonlySet<string> = new Set();
  /** bumped when references this element left as written can be decoded, so its blocks render again */
  #entityPass = 0;
  /** the chunk a render of this element waits for (the renderer, the entity table) */
  #waitingFor: Promise<void> | undefined;
  #localizer = consumeLocalizer(this);

  constructor() {
    super();
    this.text = '';
    this.streaming = false;
    this.typing = false;
    this.imageOrigins = [];
  }

  /** Renders again once `loaded` (and anything waited for before) resolved; updateComplete waits for it. */
  #renderAgainAfter(loaded: Promise<void>): void {
    const waiting: Promise<void> = Promise.all([this.#waitingFor, loaded]).then(() => {
      if (this.#waitingFor === waiting) this.#waitingFor = undefined;
      this.requestUpdate();
    });
    this.#waitingFor = waiting;
  }

  #source(): string {
    return this.text.includes('\r') ? this.text.replace(/\r\n?/g, '\n') : this.text;
  }

  // Deltas come faster than frames while streaming; render once per frame.
  protected override async scheduleUpdate(): Promise<void> {
    if (this.streaming) await new Promise((resolve) => requestAnimationFrame(resolve));
    super.scheduleUpdate();
  }

  // The text is complete in the DOM only once the chunks it waits for are in and it rendered again.
  protected override async getUpdateComplete(): Promise<boolean> {
    let complete = await super.getUpdateComplete();
    while (this.#waitingFor) {
      await this.#waitingFor;
      complete = await super.getUpdateComplete();
    }
    return complete;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!renderer) {
      if (renderer === undefined && !this.#waitingFor) this.#renderAgainAfter(rendererLoading);
      return;
    }
    const first = !this.#lexer;
    this.#lexer ??= new renderer.StreamingLexer();
    if (first || changed.has('imageOrigins')) this.#origins = renderer.imageOriginSet(this.imageOrigins);
    if (first || changed.has('text') || changed.has('streaming')) this.#blocks = this.#lexer.blocks(this.#source(), this.streaming);
  }

  protected override update(changed: PropertyValues<this>): void {
    const undecoded = renderer?.undecodedReferenceCount();
    super.update(changed);
    // this render left a reference as written until the full entity table is in: render again then
    if (renderer && renderer.undecodedReferenceCount() !== undecoded) {
      this.#renderAgainAfter(
        renderer.loadEntityTable().then(() => {
          this.#entityPass += 1;
        }),
      );
    }
  }

  protected override render() {
    return html`<div class="body" part="body">${renderer && this.#lexer ? this._renderBlocks(renderer) : this._renderPlainText()}</div>`;
  }

  private _renderBlocks({ renderBlock }: Renderer) {
    const imageOrigins = this.#origins;
    const entityPass = this.#entityPass;
    const l = this.#localizer.value;
    // A block renders again only when its source, the link definitions it saw, its openness, the image
    // policy, the decodable references or the language changed: finished blocks cost nothing per frame.
    return this.#blocks.map(({ token, links, open }) =>
      guard([token.raw, links, open, imageOrigins, entityPass, l], () =>
        renderBlock(token, { open, imageOrigins, taskLabels: [l.text('taskDone'), l.text('taskNotDone')] }),
      ),
    );
  }

  /** The text as written, in paragraphs, while the renderer is not in. */
  private _renderPlainText() {
    return this.#source()
      .split(/\n[ \t]*\n/)
      .filter((paragraph) => paragraph.trim())
      .map((paragraph) => html`<p class="plain">${paragraph.replace(/^\n+|\n+$/g, '')}</p>`);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-markdown': Agent37Markdown;
  }
}
