/**
 * What a lazily loaded sub-element is made of: the entry's own Lit and helpers, handed over when
 * its chunk arrives (src/components/lazy-elements.ts). A chunk that imported them itself would make
 * the script-tag build split them out of the entry (rolldown puts any module shared by the entry and
 * a lazy chunk in a chunk of its own) or import the entry by its file name, which breaks the
 * versioned copy (see src/markdown/host-lit.ts). So these chunks import types only.
 */
import type { CSSResult, LitElement, css, html, nothing } from 'lit';
import type { live } from 'lit/directives/live.js';
import type { ReasoningEffort } from '../contract/gateway.js';
import type { consumeLocalizer } from '../i18n/localizer-context.js';
import type { followMinutes } from './minute-clock.js';

export interface LitKit {
  LitElement: typeof LitElement;
  css: typeof css;
  html: typeof html;
  nothing: typeof nothing;
  live: typeof live;
  consumeLocalizer: typeof consumeLocalizer;
  followMinutes: typeof followMinutes;
  focusRingStyles: CSSResult;
  touchTargetStyles: CSSResult;
  reasoningEfforts: readonly ReasoningEffort[];
}
