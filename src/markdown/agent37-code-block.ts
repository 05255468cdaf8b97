import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { Root, RootContent } from 'hast';
import { visuallyHiddenStyles } from '../components/shared-styles.js';
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

type CopyState = 'idle' | 'copied' | 'failed';

const COPY_FEEDBACK_MS = 2000;

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
 * each grammar, loaded on the first block in its language).
 *
 * @summary A code block with a Copy button.
 * @csspart code-header - the bar with the language and the Copy button
 * @csspart code-language - the language label
 * @csspart copy-button - Copy (then "Copied")
 * @csspart code - the scrolling code
 *
 * @cssproperty [--agent37-code-background=#eef0f3] - the block's background
 * @cssproperty [--agent37-code-font-family=ui-monospace] - code font
 * @cssproperty [--agent37-text=inherit] - code text
 * @cssproperty [--agent37-border=#d5d9e0] - the bar's line, and Copy's outline on hover
 * @cssproperty [--agent37-muted=#5a6270] - the language label and Copy
 * @cssproperty [--agent37-focus-ring=#1a56db] - keyboard focus
 */
export class Agent37CodeBlock extends LitElement {
  static override styles = [codeBlockStyles, visuallyHiddenStyles];

  static override properties = {
    code: {},
    language: {},
    streaming: { type: Boolean },
    _copyState: { state: true },
  };

  /** the code, as text */
  declare code: string;
  /** the info string's first word (`ts`, `python`); empty for none */
  declare language: string;
  /** the block is still being written: highlight once it is complete */
  declare streaming: boolean;
  declare private _copyState: CopyState;

  #highlighted: { code: string; language: string; tree: Root } | undefined;
  #requestedLanguage = '';
  #feedbackTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.code = '';
    this.language = '';
    this.streaming = false;
    this._copyState = 'idle';
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

  private async _onCopy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.code);
      this._copyState = 'copied';
    } catch {
      this._copyState = 'failed';
    }
    clearTimeout(this.#feedbackTimer);
    this.#feedbackTimer = setTimeout(() => {
      this._copyState = 'idle';
    }, COPY_FEEDBACK_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#feedbackTimer);
    this._copyState = 'idle';
  }

  protected override render() {
    const tree = this.#tree();
    const state = this._copyState;
    return html`<div class="header" part="code-header">
        ${this.language ? html`<span class="language" part="code-language">${this.language}</span>` : nothing}
        <button
          class="copy"
          part="copy-button"
          type="button"
          aria-label=${state === 'idle' ? 'Copy code' : nothing}
          @click=${this._onCopy}
        >
          ${state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
        </button>
      </div>
      <pre part="code" tabindex="0"><code>${tree ? renderTree(tree.children) : this.code}</code></pre>
      <span class="visually-hidden" role="status">${state === 'copied' ? 'Code copied to the clipboard' : ''}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-code-block': Agent37CodeBlock;
  }
}
