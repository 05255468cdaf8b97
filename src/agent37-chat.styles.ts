import { css } from 'lit';
import { launcherStyles } from './components/launcher-styles.js';
import { touchTargetStyles } from './components/shared-styles.js';

/**
 * Design tokens. Pages set `--agent37-*`; the element reads them through private `--_*` variables
 * that carry the fallbacks, so sub-elements (which inherit custom properties) share one palette.
 */
const lightTokens = css`
  --_bg: var(--agent37-background, #ffffff);
  --_surface: var(--agent37-surface, #f3f4f6);
  --_text: var(--agent37-text, #1f2328);
  --_muted: var(--agent37-muted, #5a6270);
  --_border: var(--agent37-border, #d5d9e0);
  --_accent: var(--agent37-accent, #2f5bd3);
  --_accent-text: var(--agent37-accent-text, #ffffff);
  --_user-bg: var(--agent37-user-background, #2f5bd3);
  --_user-text: var(--agent37-user-text, #ffffff);
  --_success: var(--agent37-success, #1e7b34);
  --_danger: var(--agent37-danger, #b42318);
  --_danger-bg: var(--agent37-danger-background, #fdecea);
  --_focus: var(--agent37-focus-ring, #1a56db);
  --_code-bg: var(--agent37-code-background, #eef0f3);
  --_scheme: light;
`;

const darkTokens = css`
  --_bg: var(--agent37-background, #15171c);
  --_surface: var(--agent37-surface, #23262e);
  --_text: var(--agent37-text, #e8eaef);
  --_muted: var(--agent37-muted, #a3aab8);
  --_border: var(--agent37-border, #3a3f4b);
  --_accent: var(--agent37-accent, #7ea2ff);
  --_accent-text: var(--agent37-accent-text, #0c1330);
  --_user-bg: var(--agent37-user-background, #34497f);
  --_user-text: var(--agent37-user-text, #f3f6ff);
  --_success: var(--agent37-success, #7dd38f);
  --_danger: var(--agent37-danger, #ff9d94);
  --_danger-bg: var(--agent37-danger-background, #3b1d1b);
  --_focus: var(--agent37-focus-ring, #9db8ff);
  --_code-bg: var(--agent37-code-background, #1c1f26);
  --_scheme: dark;
`;

/**
 * Every inherited text property, set, so nothing of the page's text styles reaches the chat. On
 * :host, and again on the wrappers inside the shadow root: a page's `* {…}` or `agent37-chat {…}`
 * beats :host, never an element inside.
 */
const textReset = css`
  color: var(--_text);
  font: var(--_font-size) / 1.5 var(--_font);
  letter-spacing: normal;
  word-spacing: normal;
  text-align: start;
  text-indent: 0;
  text-transform: none;
  text-shadow: none;
  white-space: normal;
  color-scheme: var(--_scheme);
`;

export const chatStyles = [
  css`
    :host {
      ${lightTokens}
      --_font: var(--agent37-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
      --_font-size: var(--agent37-font-size, 15px);
      --_radius: var(--agent37-radius, 12px);
      --_space: var(--agent37-spacing, 12px);
      display: block;
      height: 100%;
      ${textReset}
    }
    :host([theme='dark']) {
      ${darkTokens}
    }
    @media (prefers-color-scheme: dark) {
      :host([theme='auto']) {
        ${darkTokens}
      }
    }
    /* important: a page rule such as agent37-chat { display: block } must not give the host a box that traps the fixed launcher */
    :host([mode='launcher']) {
      display: contents !important;
    }
    :host([hidden]) {
      display: none;
    }

    /* all: initial drops whatever the page's rules put on the host; direction comes from dir alone */
    .chat,
    .corner {
      all: initial;
      visibility: inherit;
      ${textReset}
    }
    :host,
    .chat,
    .corner,
    .panel {
      direction: ltr;
    }
    :host(:dir(rtl)),
    :host(:dir(rtl)) .chat,
    :host(:dir(rtl)) .corner,
    :host(:dir(rtl)) .panel {
      direction: rtl;
    }

    /* No height from the page: 600 px (at most the viewport), scrolling inside; a definite one: filled. */
    .chat {
      box-sizing: border-box;
      display: flex;
      flex-direction: column;
      height: min(600px, 100vh);
      height: min(600px, 100dvh);
      min-height: 100%;
      max-height: 100%;
      background: var(--_bg);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      overflow: hidden;
    }

    .header {
      display: flex;
      align-items: center;
      gap: var(--_space);
      padding: calc(var(--_space) * 0.6) var(--_space);
      border-block-end: 1px solid var(--_border);
    }
    .header__title {
      flex: 1;
      min-inline-size: 0;
      font-weight: 600;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }

    .button {
      font: inherit;
      font-size: 0.9em;
      color: var(--_text);
      background: transparent;
      border: 1px solid var(--_border);
      border-radius: calc(var(--_radius) * 0.7);
      padding: 0.3em 0.8em;
      cursor: pointer;
    }
    .button:hover:not(:disabled) {
      background: var(--_surface);
    }
    .button:disabled {
      opacity: 0.55;
      cursor: default;
    }
    :focus-visible {
      outline: 2px solid var(--_focus);
      outline-offset: 2px;
    }

    .list-button {
      margin-inline: -0.35em 0;
    }
    .list-button[aria-expanded='true'] {
      background: var(--_surface);
    }
    .conversation-list {
      position: absolute;
      inset: 0;
      z-index: 2;
      overflow-y: auto;
      background: var(--_bg);
    }

    .body {
      position: relative;
      flex: 1;
      min-height: 0;
      display: flex;
      flex-direction: column;
    }
    .messages {
      flex: 1;
      min-height: 0;
      overflow-y: auto;
      overscroll-behavior: contain;
      padding: var(--_space);
    }
    .messages:focus-visible {
      outline-offset: -3px;
    }
    .messages__list {
      display: flex;
      flex-direction: column;
      gap: var(--_space);
    }

    .restoring {
      color: var(--_muted);
      text-align: center;
      padding: var(--_space);
    }

    .jump {
      position: absolute;
      inset-inline: 0;
      inset-block-end: calc(var(--_space) * 0.75);
      width: fit-content;
      margin-inline: auto;
      font: inherit;
      font-size: 0.85em;
      color: var(--_accent-text);
      background: var(--_accent);
      border: none;
      border-radius: 999px;
      padding: 0.35em 1em;
      box-shadow: 0 2px 8px rgb(0 0 0 / 0.2);
      cursor: pointer;
    }
  `,
  launcherStyles,
  touchTargetStyles,
];
