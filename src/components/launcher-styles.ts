import { css } from 'lit';

/**
 * `mode="launcher"`: a round button fixed in a bottom corner (the inline end, or the start with
 * `position="bottom-left"`), and the chat as a floating panel above it, full-screen on a phone.
 * No backdrop: the page stays usable around it.
 */
export const launcherStyles = css`
  :host {
    --_size: var(--agent37-launcher-size, 56px);
    --_z: var(--agent37-z-index, 2147483000);
  }
  .corner,
  .panel {
    position: fixed;
    z-index: var(--_z);
    inset-inline: auto 20px;
    inset-block-end: 20px;
  }
  .left {
    inset-inline: 20px auto;
  }
  .launcher {
    display: grid;
    place-items: center;
    width: var(--_size);
    height: var(--_size);
    padding: 0;
    border: 0;
    border-radius: 50%;
    color: var(--_accent-text);
    background: var(--_accent);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.18);
    cursor: pointer;
  }
  .launcher svg {
    width: 45%;
    height: 45%;
  }
  .launcher svg,
  .icon svg {
    fill: currentColor;
  }
  .dot {
    position: absolute;
    inset-block-start: 1px;
    inset-inline-end: 1px;
    width: 12px;
    height: 12px;
    border-radius: 50%;
    background: var(--_danger);
    box-shadow: 0 0 0 2px var(--_bg);
    pointer-events: none;
  }

  .panel {
    inset-block-end: calc(var(--_size) + 36px);
    width: min(var(--agent37-panel-width, 400px), 100vw - 40px);
    height: min(var(--agent37-panel-height, 640px), 100vh - var(--_size) - 56px);
    height: min(var(--agent37-panel-height, 640px), 100dvh - var(--_size) - 56px);
    border-radius: calc(var(--_radius) + 4px);
    box-shadow: 0 12px 48px rgb(0 0 0 / 0.2);
  }
  .panel .chat {
    border-radius: inherit;
  }
  .panel:focus {
    outline: none;
  }
  .closed {
    visibility: hidden;
    opacity: 0;
    transform: translateY(12px) scale(0.98);
  }
  .icon {
    display: grid;
    padding: 0.25em;
    border-color: transparent;
    margin-inline-end: -0.35em;
  }
  .icon svg {
    width: 1.35em;
    height: 1.35em;
  }
  @media (prefers-reduced-motion: no-preference) {
    .panel {
      transition:
        opacity 0.2s,
        transform 0.2s cubic-bezier(0.2, 0.8, 0.3, 1),
        visibility 0s;
      transform-origin: 50% 100%;
    }
    .closed {
      transition-delay: 0s, 0s, 0.2s;
    }
  }
  @media (max-width: 480px) {
    .panel {
      inset: 0;
      width: auto;
      height: auto;
      border-radius: 0;
    }
    .panel .chat {
      border: 0;
    }
  }
`;
