import { css } from 'lit';

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
`;

export const chatStyles = css`
  :host {
    ${lightTokens}
    --_font: var(--agent37-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_font-size: var(--agent37-font-size, 15px);
    --_radius: var(--agent37-radius, 12px);
    --_space: var(--agent37-spacing, 12px);
    display: block;
    position: relative;
    height: 100%;
    min-height: 280px;
    box-sizing: border-box;
    color-scheme: light;
    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.5;
    color: var(--_text);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${darkTokens}
      color-scheme: dark;
    }
  }
  :host([theme='dark']) {
    ${darkTokens}
    color-scheme: dark;
  }
  :host([hidden]) {
    display: none;
  }

  .chat {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: 0;
  }

  .header {
    display: flex;
    align-items: center;
    gap: var(--_space);
    padding: calc(var(--_space) * 0.6) var(--_space);
    border-bottom: 1px solid var(--_border);
  }
  .header__title {
    flex: 1;
    min-width: 0;
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

  .greeting {
    margin: auto;
    padding: calc(var(--_space) * 2) var(--_space);
    text-align: center;
    color: var(--_muted);
    font-size: 1.05em;
  }
  .restoring {
    color: var(--_muted);
    text-align: center;
    padding: var(--_space);
  }

  .jump {
    position: absolute;
    left: 50%;
    bottom: calc(var(--_space) * 0.75);
    transform: translateX(-50%);
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
`;
