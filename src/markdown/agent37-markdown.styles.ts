import { css } from 'lit';

// Sized for a chat bubble: compact spacing, headings only a little larger than text, wide content
// (tables, code) scrolling inside the bubble. Colours come from the chat's palette (`--_*`, inherited)
// inside <agent37-chat>, else from the page's `--agent37-*` properties, else defaults that follow `color-scheme`.
export const markdownStyles = css`
  :host {
    display: block;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .body > :first-child {
    margin-top: 0;
  }
  .body > :last-child {
    margin-bottom: 0;
  }
  p,
  ul,
  ol,
  blockquote,
  .table-scroll {
    margin: 0.6em 0;
  }
  h1,
  h2,
  h3,
  h4,
  h5,
  h6 {
    margin: 1em 0 0.4em;
    line-height: 1.3;
    font-weight: 600;
  }
  h1 {
    font-size: 1.3em;
  }
  h2 {
    font-size: 1.18em;
  }
  h3 {
    font-size: 1.06em;
  }
  h4,
  h5,
  h6 {
    font-size: 1em;
  }
  h6 {
    color: var(--_muted, var(--agent37-muted, light-dark(#5a6270, #a3aab8)));
  }
  ul,
  ol {
    padding-left: 1.5em;
  }
  li + li,
  li > ul,
  li > ol {
    margin-top: 0.2em;
  }
  li > ul,
  li > ol {
    margin-bottom: 0;
  }
  li.task {
    list-style: none;
  }
  li.task > input {
    margin: 0 0.4em 0 -1.3em;
    vertical-align: -0.1em;
  }
  blockquote {
    padding: 0 0 0 0.85em;
    margin-left: 0;
    margin-right: 0;
    border-left: 3px solid var(--_border, var(--agent37-border, light-dark(#d5d9e0, #3a3f4b)));
    color: var(--_muted, var(--agent37-muted, light-dark(#5a6270, #a3aab8)));
  }
  hr {
    margin: 1em 0;
    border: 0;
    border-top: 1px solid var(--_border, var(--agent37-border, light-dark(#d5d9e0, #3a3f4b)));
  }
  a {
    color: var(--_accent, var(--agent37-accent, light-dark(#2f5bd3, #7ea2ff)));
    text-decoration: underline;
    text-underline-offset: 0.15em;
  }
  a:not([href]) {
    color: inherit;
  }
  a:focus-visible,
  .table-scroll:focus-visible {
    outline: 2px solid var(--_focus, var(--agent37-focus-ring, light-dark(#1a56db, #9db8ff)));
    outline-offset: 2px;
  }
  img {
    max-width: 100%;
    height: auto;
    border-radius: 6px;
  }
  code {
    padding: 0.1em 0.35em;
    border-radius: 4px;
    font-family: var(--agent37-code-font-family, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
    font-size: 0.875em;
    background: var(--_code-bg, var(--agent37-code-background, light-dark(#eef0f3, #1c1f26)));
  }
  /* raw HTML shown as text, and the whole text while the markdown renderer loads */
  .html,
  .plain {
    white-space: pre-wrap;
  }
  .table-scroll {
    max-width: 100%;
    overflow-x: auto;
  }
  table {
    border-collapse: collapse;
    font-size: 0.925em;
  }
  th,
  td {
    padding: 0.35em 0.7em;
    border: 1px solid var(--_border, var(--agent37-border, light-dark(#d5d9e0, #3a3f4b)));
    text-align: left;
    vertical-align: top;
    overflow-wrap: normal;
  }
  th {
    font-weight: 600;
    background: var(--_code-bg, var(--agent37-code-background, light-dark(#eef0f3, #1c1f26)));
  }
  .align-center {
    text-align: center;
  }
  .align-right {
    text-align: right;
  }
`;
