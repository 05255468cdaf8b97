import { LitElement, css, html, nothing } from 'lit';
import { consumeLocalizer } from '../i18n/localizer-context.js';
import type { ToolStep } from '../state/conversation-types.js';
import { visuallyHiddenStyles } from './shared-styles.js';

/**
 * The agent's tool calls for one answer, live: a spinner while a step runs, then its duration or a
 * failure mark.
 *
 * @summary Tool steps of one answer.
 * @csspart list - the list of steps
 */
export class Agent37ToolSteps extends LitElement {
  static override styles = [
    css`
    :host {
      display: block;
    }
    ol {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 0.25em;
      font-size: 0.88em;
      color: var(--_muted, GrayText);
    }
    li {
      display: flex;
      align-items: center;
      gap: 0.5em;
    }
    .mark {
      flex: none;
      width: 1em;
      height: 1em;
      display: inline-grid;
      place-items: center;
      font-size: 0.9em;
    }
    .spinner {
      width: 0.8em;
      height: 0.8em;
      border: 2px solid currentColor;
      border-right-color: transparent;
      border-radius: 50%;
      box-sizing: border-box;
    }
    @media (prefers-reduced-motion: no-preference) {
      .spinner {
        animation: spin 0.8s linear infinite;
      }
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
    .done {
      color: var(--_success, #2e7d32);
    }
    .failed {
      color: var(--_danger, #b42318);
    }
    .label {
      color: var(--_text, CanvasText);
    }
    .detail {
      font-variant-numeric: tabular-nums;
    }
  `,
    visuallyHiddenStyles,
  ];

  static override properties = {
    steps: { attribute: false },
  };

  /** the answer's tool steps, in the order they started */
  declare steps: readonly ToolStep[];
  #localizer = consumeLocalizer(this);

  constructor() {
    super();
    this.steps = [];
  }

  override render() {
    if (this.steps.length === 0) return nothing;
    return html`<ol part="list" aria-label=${this.#localizer.value.text('steps')}>
      ${this.steps.map((step) => this.renderStep(step))}
    </ol>`;
  }

  /** One step: running (spinner), completed (its duration) or failed. */
  protected renderStep(step: ToolStep) {
    const l = this.#localizer.value;
    const label = step.label || step.tool;
    switch (step.status) {
      case 'running':
        return html`<li class="step step--running">
          <span class="mark" aria-hidden="true"><span class="spinner"></span></span>
          <span class="label">${withEllipsis(label)}</span>
          <span class="visually-hidden">${l.text('stepRunning')}</span>
        </li>`;
      case 'completed':
        return html`<li class="step step--completed">
          <span class="mark done" aria-hidden="true">✓</span>
          <span class="label">${withoutEllipsis(label)}</span>
          ${step.duration_ms === undefined ? nothing : html`<span class="detail">${l.duration(step.duration_ms)}</span>`}
        </li>`;
      case 'failed':
        return html`<li class="step step--failed">
          <span class="mark failed" aria-hidden="true">✕</span>
          <span class="label">${withoutEllipsis(label)}</span>
          <span class="detail failed">${l.text('stepFailed')}${step.error ? `: ${step.error}` : nothing}</span>
        </li>`;
    }
  }
}

function withEllipsis(label: string): string {
  return /(\.\.\.|…)$/.test(label) ? label : `${label}…`;
}

function withoutEllipsis(label: string): string {
  return label.replace(/\s*(\.\.\.|…)$/, '');
}

declare global {
  interface HTMLElementTagNameMap {
    'agent37-tool-steps': Agent37ToolSteps;
  }
}
