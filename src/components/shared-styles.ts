import { css } from 'lit';

/** The focus ring every control of the chat shows for keyboard focus. */
export const focusRingStyles = css`
  :focus-visible {
    outline: 2px solid var(--_focus, Highlight);
    outline-offset: 2px;
  }
`;

/** Text for screen readers only. */
export const visuallyHiddenStyles = css`
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
