import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { Root, RootContent } from 'hast';
import { visuallyHiddenStyles } from '../components/shared-styles.js';
import { codeBlockStyles } from './agent37-code-block.styles.js';

type Highlighter = typeof import('./code-highlighter.js');

/** undefined until the chunk loaded; null when it could not load (offline, blocked): code stays plain */
let highlighter: Highlighter | null | undefined;
let loading: Promise<void> | undefined;

/** Fetches the highlighter chunk once, on the first code block that names a language. */
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
 * block is complete (the highlighter is a separate chunk, loaded on the first code block).
 *
 * @summary A code block with a Copy button.
 * @csspart code-header - the bar with the language and the Copy button
 * @csspart code-language - the language label
 * @csspart copy-button - Copy (then "Copied")
 * @csspart code - the scrolling code
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

  #highlighted: { code: string; language: string; tree: Root | null } | undefined;
  #feedbackTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.code = '';
    this.language = '';
    this.streaming = false;
    this._copyState = 'idle';
  }

  /** The highlighted tree, or null while the highlighter loads or for an unknown language. */
  #tree(): Root | null {
    if (!this.language || highlighter === null) return null;
    if (highlighter === undefined) {
      void loadHighlighter().then(() => this.requestUpdate());
      return null;
    }
    if (this.streaming) return null;
    const { code, language } = this;
    if (this.#highlighted?.code !== code || this.#highlighted.language !== language) {
      this.#highlighted = { code, language, tree: highlighter.highlightCode(code, language) };
    }
    return this.#highlighted.tree;
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
