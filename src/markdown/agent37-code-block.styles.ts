import { css } from 'lit';

// Colours come from the chat's palette (`--_*`, inherited) when inside <agent37-chat>, else from the
// page's `--agent37-*` properties, else defaults; these and the token colours follow `color-scheme`.
// Code reads left to right in any page (from its first character, punctuation where it was written).
// A capped block (`.capped`) shows 24 lines (the next shows through the padding); `.faded` once it is complete.
export const codeBlockStyles = css`
  :host {
    display: block;
    margin: 0.75em 0;
    border-radius: var(--_radius-small, 8px);
    background: var(--_code-bg, var(--agent37-code-background, light-dark(#eef0f3, #1c1f26)));
    color: var(--_text, var(--agent37-text, inherit));
    overflow: hidden;
  }
  .header {
    display: flex;
    align-items: center;
    gap: 0.5em;
    padding-block: 0.25em;
    padding-inline: 0.85em 0.35em;
    border-block-end: 1px solid var(--_border, var(--agent37-border, light-dark(#d5d9e0, #3a3f4b)));
    font-size: 0.8em;
    color: var(--_muted, var(--agent37-muted, light-dark(#5a6270, #a3aab8)));
  }
  .language {
    font-family: var(--agent37-code-font-family, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
  }
  button {
    padding: 0.2em 0.6em;
    font: inherit;
    color: inherit;
    background: transparent;
    border: 1px solid transparent;
    border-radius: 6px;
    cursor: pointer;
  }
  .copy {
    margin-inline-start: auto;
  }
  .copy:hover {
    border-color: var(--_border, var(--agent37-border, light-dark(#d5d9e0, #3a3f4b)));
  }
  .expand {
    display: block;
    width: 100%;
    padding: 0.45em;
    font-size: 0.8em;
    color: var(--_muted, var(--agent37-muted, light-dark(#5a6270, #a3aab8)));
    border-radius: 0;
    border-block-start-color: var(--_border, var(--agent37-border, light-dark(#d5d9e0, #3a3f4b)));
  }
  .expand:hover {
    color: inherit;
  }
  button:focus-visible,
  pre:focus-visible {
    outline: 2px solid var(--_focus, var(--agent37-focus-ring, light-dark(#1a56db, #9db8ff)));
    outline-offset: -2px;
  }
  pre {
    direction: ltr;
    text-align: left;
    unicode-bidi: isolate;
    margin: 0;
    padding: 0.75em 0.85em;
    overflow-x: auto;
    font-family: var(--agent37-code-font-family, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
    font-size: 0.875em;
    line-height: 1.45;
    tab-size: 2;
  }
  .capped {
    max-height: calc(24 * 1.45em);
    overflow-y: auto;
  }
  .faded {
    overflow-y: hidden;
    mask-image: linear-gradient(#000 calc(100% - 3.5em), transparent);
  }
  .hljs-comment,
  .hljs-quote {
    color: light-dark(#5c6370, #8b93a1);
    font-style: italic;
  }
  .hljs-keyword,
  .hljs-selector-tag,
  .hljs-doctag,
  .hljs-meta .hljs-keyword {
    color: light-dark(#a626a4, #d291e4);
  }
  .hljs-string,
  .hljs-regexp,
  .hljs-addition,
  .hljs-attribute,
  .hljs-meta .hljs-string {
    color: light-dark(#3c7a1e, #98c379);
  }
  .hljs-number,
  .hljs-literal,
  .hljs-built_in,
  .hljs-type,
  .hljs-symbol,
  .hljs-bullet {
    color: light-dark(#855a00, #e5c07b);
  }
  .hljs-title,
  .hljs-section,
  .hljs-name,
  .hljs-selector-id,
  .hljs-selector-class {
    color: light-dark(#2b5fc9, #7ea2ff);
  }
  .hljs-attr,
  .hljs-variable,
  .hljs-template-variable,
  .hljs-params,
  .hljs-property {
    color: light-dark(#9c4511, #e79a6b);
  }
  .hljs-deletion {
    color: light-dark(#b42318, #ff9d94);
  }
  .hljs-meta {
    color: light-dark(#4a6b8a, #9fb4c9);
  }
  .hljs-emphasis {
    font-style: italic;
  }
  .hljs-strong {
    font-weight: 600;
  }
`;
