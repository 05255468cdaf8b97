import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { Root, RootContent } from 'hast';
import { CopyFeedback } from '../components/copy-feedback.js';
import { touchTargetStyles, visuallyHiddenStyles } from '../components/shared-styles.js';
import { consumeLocalizer } from '../i18n/localizer-context.js';
import { codeBlockStyles } from './agent37-code-block.styles.js';

type Highlighter = typeof import('./code-highlighter.js');

/** undefined until the chunk loaded; null when it could not load (offline, blocked): code stays plain */
let highlighter: Highlighter | null | undefined;
let loading: Promise<void> | undefined;

/** Fetches the highlighter chunk once, on the first code block that names a language (it fetches each grammar). */
function loadHighlighter(): Promise<void> {
  loading ??= import('./code-highlighter.js').then(
    (module) => {
      highlighter = module;
    },
    () => {
      highlighter = null;
    },
  );
  return loading;
}

/** A longer block shows this many lines until expanded (more than a screen of a phone). */
const SHOWN_LINES = 24;
/** …when it hides at least this many more: "Show 1 more line" would save nothing */
const HIDDEN_LINES_AT_LEAST = 5;

function renderTree(nodes: readonly RootContent[]): Array<TemplateResult | string> {
  return nodes.map((node) => {
    if (node.type === 'text') return node.value;
    if (node.type !== 'element') return '';
    const className = node.properties['className'];
    return html`<span class=${Array.isArray(className) ? className.join(' ') : ''}>${renderTree(node.children)}</span>`;
  });
}

/**
 * A fenced code block of an answer: language label, Copy button, and syntax highlighting once the
 * block is complete (the highlighter is a separate chunk, loaded on the first code block, and so is
 * each grammar, loaded on the first block in its language). Code reads left to right whatever the
 * page's direction.
 *
 * A block longer than about 24 lines shows its first 24, fading out, and an Expand button ("Show 16
 * more lines", then "Show less"). While it is still being written it is capped too, following its
 * newest line unless the reader scrolled up in it: the block does not push the answer down a line
 * per frame, and the reader sees what is arriving. Once complete it starts from its first line, with the Expand button.
 *
 * @summary A code block with a Copy button.
 * @csspart code-header - the bar with the language and the Copy button
 * @csspart code-language - the language label
 * @csspart copy-button - Copy (then "Copied")
 * @csspart code - the scrolling code
 * @csspart expand-button - Show more lines / Show less, on a long block
 *
 * @cssproperty [--agent37-code-background=#eef0f3] - the block's background
 * @cssproperty [--agent37-code-font-family=ui-monospace] - code font
 * @cssproperty [--agent37-text=inherit] - code text
 * @cssproperty [--agent37-border=#d5d9e0] - the bar's line, and Copy's outline on hover
 * @cssproperty [--agent37-muted=#5a6270] - the language label and Copy
 * @cssproperty [--agent37-focus-ring=#1a56db] - keyboard focus
 */
export class Agent37CodeBlock extends LitElement {
  static override styles = [codeBlockStyles, visuallyHiddenStyles, touchTargetStyles];

  static override properties = {
    code: {},
    language: {},
    streaming: { type: Boolean },
    _expanded: { state: true },
  };

  /** the code, as text */
  declare code: string;
  /** the info string's first word (`ts`, `python`); empty for none */
  declare language: string;
  /** the block is still being written: highlight once it is complete */
  declare streaming: boolean;
  declare private _expanded: boolean;

  #highlighted: { code: string; language: string; tree: Root } | undefined;
  #requestedLanguage = '';
  #localizer = consumeLocalizer(this);
  #copy = new CopyFeedback(this);
  /** a capped block being written follows its newest line while the reader has not scrolled up in it */
  #followEnd = true;

  constructor() {
    super();
    this.code = '';
    this.language = '';
    this.streaming = false;
    this._expanded = false;
  }

  /** The highlighted tree, or null while the highlighter or the grammar loads, while streaming, or for an unknown language. */
  #tree(): Root | null {
    const { code, language } = this;
    if (!language || highlighter === null) return null;
    if (highlighter === undefined) {
      void loadHighlighter().then(() => this.requestUpdate());
      return null;
    }
    const cached = this.#highlighted;
    if (!this.streaming && cached?.code === code && cached.language === language) return cached.tree;
    const tree = this.streaming ? null : highlighter.highlightCode(code, language);
    if (tree) {
      this.#highlighted = { code, language, tree };
      return tree;
    }
    // not registered yet: fetch the grammar already while streaming, so it is in when the block is complete
    if (this.#requestedLanguage !== language) {
      this.#requestedLanguage = language;
      void highlighter.loadLanguage(language).then((registered) => registered && this.requestUpdate());
    }
    return null;
  }

  private _onCopy() {
    void this.#copy.copy(this.code);
  }

  private _onToggle() {
    this._expanded = !this._expanded;
    // a block folding back up leaves its button where the reader is
    if (!this._expanded) void this.updateComplete.then(() => this.renderRoot.querySelector('.expand')?.scrollIntoView({ block: 'nearest' }));
  }

  /** The reader scrolled a capped block that is still being written: stay at its end only while they are there. */
  private _onCodeScroll(e: Event) {
    const pre = e.currentTarget as HTMLElement;
    this.#followEnd = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 8;
  }

  // while written, a capped block shows its newest lines (unless the reader scrolled up in it); complete, it starts from its first
  protected override updated(changed: PropertyValues<this>): void {
    const pre = this.renderRoot.querySelector('pre')!;
    if (changed.get('streaming') && !this.streaming) {
      pre.scrollTop = 0;
      this.#followEnd = true;
    } else if (this.streaming && this.#followEnd && pre.classList.contains('capped')) pre.scrollTop = pre.scrollHeight;
  }

  protected override render() {
    const l = this.#localizer.value;
    const tree = this.#tree();
    const state = this.#copy.state;
    const hidden = this.code.split('\n').length - SHOWN_LINES;
    const capped = hidden >= HIDDEN_LINES_AT_LEAST && !this._expanded;
    const expandable = hidden >= HIDDEN_LINES_AT_LEAST && !this.streaming;
    return html`<div class="header" part="code-header">
        ${this.language ? html`<span class="language" part="code-language">${this.language}</span>` : nothing}
        <button class="copy" part="copy-button" type="button" aria-label=${state === 'idle' ? l.text('copyCode') : nothing} @click=${this._onCopy}>
          ${l.text(state === 'copied' ? 'copied' : state === 'failed' ? 'copyFailed' : 'copy')}
        </button>
      </div>
      <pre part="code" id="code" tabindex="0" @scroll=${this._onCodeScroll} class=${capped ? (this.streaming ? 'capped' : 'capped faded') : ''}><code>${tree ? renderTree(tree.children) : this.code}</code></pre>
      ${expandable
        ? html`<button class="expand" part="expand-button" type="button" aria-expanded=${String(this._expanded)} aria-controls="code" @click=${this._onToggle}>${this._expanded ? l.text('showLess') : l.plural('showMoreLines', hidden)}</button>`
        : nothing}
      <span class="visually-hidden" role="status">${state === 'copied' ? l.text('codeCopied') : ''}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-code-block': Agent37CodeBlock;
  }
}
