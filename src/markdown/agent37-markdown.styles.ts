import { css } from 'lit';

// Sized for a chat bubble: compact spacing, headings only a little larger than text, wide content
// (tables, code) scrolling inside the bubble. Colours come from the chat's palette (`--_*`, inherited)
// inside <agent37-chat>, else from the page's `--agent37-*` properties, else defaults that follow `color-scheme`.
// A table wider than the answer scrolls, with a shadow on each side where there is more to see: the
// shadows stay put (scroll), and covers in the colour behind move with the content (local) and hide
// each shadow at its end. The sides are the content's own, so this holds in either direction.
// `typing`: a caret after the last text while the answer is being written (content '' is never read out).
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
    padding-inline-start: 1.5em;
  }
  /* a tight item's text has no paragraph of its own: it reads in its own text's direction too */
  li {
    unicode-bidi: plaintext;
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
    margin: 0;
    margin-inline: -1.3em 0.4em;
    vertical-align: -0.1em;
  }
  blockquote {
    padding: 0;
    padding-inline-start: 0.85em;
    margin-inline: 0;
    border-inline-start: 3px solid var(--_border, var(--agent37-border, light-dark(#d5d9e0, #3a3f4b)));
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
    --_cover: var(--_surface, Canvas);
    --_shade: color-mix(in srgb, currentColor 25%, transparent);
    max-width: 100%;
    overflow-x: auto;
    background:
      linear-gradient(to right, var(--_cover) 40%, transparent) left / 2em 100% no-repeat local,
      linear-gradient(to left, var(--_cover) 40%, transparent) right / 2em 100% no-repeat local,
      radial-gradient(farthest-side at 0 50%, var(--_shade), transparent) left / 0.8em 100% no-repeat,
      radial-gradient(farthest-side at 100% 50%, var(--_shade), transparent) right / 0.8em 100% no-repeat;
  }
  table {
    border-collapse: collapse;
    font-size: 0.925em;
  }
  th,
  td {
    padding: 0.35em 0.7em;
    border: 1px solid var(--_border, var(--agent37-border, light-dark(#d5d9e0, #3a3f4b)));
    text-align: -webkit-match-parent;
    text-align: match-parent;
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
  :host([typing]) .body > :last-child:not(ul, ol, blockquote)::after,
  :host([typing]) .body > :is(ul, ol, blockquote):last-child > :last-child::after {
    content: '';
    display: inline-block;
    width: 0.45em;
    height: 1em;
    margin-inline-start: 0.2em;
    vertical-align: -0.12em;
    background: currentColor;
  }
  @media (prefers-reduced-motion: no-preference) {
    .body ::after {
      animation: blink 1.1s steps(2, jump-none) infinite;
    }
  }
  @keyframes blink {
    50% {
      opacity: 0;
    }
  }
`;
