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

/** Controls a finger can hit: at least 44 px on a coarse pointer (a touch screen). */
export const touchTargetStyles = css`
  @media (pointer: coarse) {
    button,
    summary {
      min-width: 44px;
      min-height: 44px;
      box-sizing: border-box;
    }
    summary {
      padding-block: calc((44px - 1lh) / 2);
    }
  }
`;
