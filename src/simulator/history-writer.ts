/**
 * Writes one turn into its session's history. The first revision writes the docs' way: one user and
 * one assistant row when the turn ends. The newer one writes Hermes' rows: the user's message, an
 * assistant row for each text that precedes a tool call, the final text; `live` as the turn runs
 * (Hermes' own code), `at-end` all together when it ends (the docs and the vendor's starter kit).
 */
import type { ResponseStatus, StreamEvent } from '../contract/gateway.js';
import type { Revision } from './revision.js';
import { backgroundNotice, parseDirectives, type Directives } from './scripted-agent.js';
import type { HistoryDraft, Session } from './sessions.js';

export type HistoryMode = 'live' | 'at-end';

export const COMPACTION_NOTICE = 'Context compacted. Earlier conversation was summarized so the agent could continue.';

export interface HistoryWriterOptions {
  session: Session;
  input: string;
  /** epoch ms the turn started: the user row's time */
  created: number;
  revision: Revision;
  mode: HistoryMode;
  now: () => number;
}

export class HistoryWriter {
  private readonly options: HistoryWriterOptions;
  private readonly directives: Directives;
  /** at-end: rows held back until the turn ends */
  private readonly held: HistoryDraft[] = [];
  /** text and reasoning streamed since the last assistant row */
  private text = '';
  private reasoning = '';
  private allText = '';
  private allReasoning = '';

  constructor(options: HistoryWriterOptions) {
    this.options = options;
    this.directives = parseDirectives(options.input);
  }

  /** The turn started (response.created is out): the compaction marker and the user row. */
  start(): void {
    if (this.options.revision === 'first') return;
    const { session, input, created } = this.options;
    if (this.directives.compact) {
      session.compact();
      this.write({ role: 'system', content: COMPACTION_NOTICE, created_at: created });
    }
    const content = this.directives.notice ? `${backgroundNotice(input)}\n\n${input}` : input;
    this.write({ role: 'user', content, created_at: created });
  }

  /** Called before each event goes out, so an interim row is in history before its tool call is. */
  observe(event: StreamEvent): void {
    if (event.event === 'response.output_text.delta') {
      this.text += event.data.text;
      this.allText += event.data.text;
    } else if (event.event === 'response.reasoning.delta') {
      this.reasoning += event.data.text;
      this.allReasoning += event.data.text;
    } else if (event.event === 'response.tool_call.started' && this.options.revision === 'newer') {
      this.writeAssistant();
    }
  }

  /** The turn ended with `status`: the final row, and every held row under at-end. */
  finish(status: Exclude<ResponseStatus, 'in_progress'>): void {
    const { session, revision, now } = this.options;
    if (revision === 'first') {
      session.append({ role: 'user', content: this.options.input, created_at: this.options.created });
      if (status !== 'failed' || this.allText) {
        session.append({ role: 'assistant', content: this.allText, thinking: this.allReasoning || null, created_at: now() });
      }
      return;
    }
    this.writeAssistant();
    for (const draft of this.held.splice(0)) session.append(draft);
  }

  /** The text since the last row as an assistant row, with the reasoning that came before it; none when empty. */
  private writeAssistant(): void {
    if (!this.text) return;
    const reasoning = this.reasoning;
    // non-text reasoning is serialized by Hermes; the stream still carried prose
    const thinking = !reasoning ? null : this.directives.jsonThinking ? JSON.stringify([{ type: 'thinking', thinking: reasoning }]) : reasoning;
    this.write({ role: 'assistant', content: this.text, thinking, created_at: this.options.now() });
    this.text = '';
    this.reasoning = '';
  }

  private write(draft: HistoryDraft): void {
    if (this.options.mode === 'live') this.options.session.append(draft);
    else this.held.push(draft);
  }
}
