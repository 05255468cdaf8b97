/**
 * The public events of <agent37-chat>, one class each. All bubble and cross shadow roots (composed)
 * so a page can listen on any ancestor. They are fired for what happened (a visitor sent a message,
 * the server answered), never because code set a property.
 */
import type { Usage } from './contract/gateway.js';
import type { Agent37Error } from './contract/errors.js';
import type { MessageStatus } from './state/conversation-types.js';

const PUBLIC = { bubbles: true, composed: true } as const;

/** A message is about to be sent. Cancelable: `preventDefault()` stops the send and nothing goes out. */
export class Agent37SendEvent extends Event {
  static readonly eventName = 'agent37-send';
  readonly detail: { readonly text: string };

  constructor(text: string) {
    super(Agent37SendEvent.eventName, { ...PUBLIC, cancelable: true });
    this.detail = { text };
  }
}

/** The server accepted a message and started a turn (response.created). */
export class Agent37ResponseCreatedEvent extends Event {
  static readonly eventName = 'agent37-response-created';
  readonly detail: { readonly responseId: string; readonly sessionId: string };

  constructor(responseId: string, sessionId: string) {
    super(Agent37ResponseCreatedEvent.eventName, PUBLIC);
    this.detail = { responseId, sessionId };
  }
}

/** A turn ended with an answer: completed, or stopped by the visitor (then `status` is 'stopped'). */
export class Agent37ResponseCompletedEvent extends Event {
  static readonly eventName = 'agent37-response-completed';
  readonly detail: { readonly text: string; readonly usage: Usage | null; readonly status: MessageStatus; readonly responseId?: string };

  constructor(detail: { text: string; usage: Usage | null; status: MessageStatus; responseId?: string }) {
    super(Agent37ResponseCompletedEvent.eventName, PUBLIC);
    this.detail = detail;
  }
}

/** Something went wrong (a refused send, a failed turn, a lost connection, a token problem). */
export class Agent37ErrorEvent extends Event {
  static readonly eventName = 'agent37-error';
  readonly detail: { readonly error: Agent37Error };

  constructor(error: Agent37Error) {
    super(Agent37ErrorEvent.eventName, PUBLIC);
    this.detail = { error };
  }
}

/** The conversation now lives in another session: the first answer minted one, or a new conversation began (null). */
export class Agent37SessionChangeEvent extends Event {
  static readonly eventName = 'agent37-session-change';
  readonly detail: { readonly sessionId: string | null };

  constructor(sessionId: string | null) {
    super(Agent37SessionChangeEvent.eventName, PUBLIC);
    this.detail = { sessionId };
  }
}

/** Launcher mode: the panel opened (the visitor pressed the launcher, or `open()` / `toggle()`); not when a reload restores an open panel. */
export class Agent37OpenEvent extends Event {
  static readonly eventName = 'agent37-open';

  constructor() {
    super(Agent37OpenEvent.eventName, PUBLIC);
  }
}

/** Launcher mode: the panel closed (the launcher, the close button, Escape, or `close()` / `toggle()`). */
export class Agent37CloseEvent extends Event {
  static readonly eventName = 'agent37-close';

  constructor() {
    super(Agent37CloseEvent.eventName, PUBLIC);
  }
}

/**
 * The visitor's conversations changed, in this tab or another tab of the chat: one was `created`
 * (its first answer began; `title` is its first message, shortened), `opened` (from the list or
 * `openConversation()`), `renamed` (`title` is the new one) or `deleted`.
 */
export class Agent37ConversationChangeEvent extends Event {
  static readonly eventName = 'agent37-conversation-change';
  readonly detail: { readonly kind: 'created' | 'opened' | 'renamed' | 'deleted'; readonly sessionId: string; readonly title?: string };

  constructor(detail: Agent37ConversationChangeEvent['detail']) {
    super(Agent37ConversationChangeEvent.eventName, PUBLIC);
    this.detail = { ...detail };
  }
}

declare global {
  interface HTMLElementEventMap {
    'agent37-send': Agent37SendEvent;
    'agent37-response-created': Agent37ResponseCreatedEvent;
    'agent37-response-completed': Agent37ResponseCompletedEvent;
    'agent37-error': Agent37ErrorEvent;
    'agent37-session-change': Agent37SessionChangeEvent;
    'agent37-open': Agent37OpenEvent;
    'agent37-close': Agent37CloseEvent;
    'agent37-conversation-change': Agent37ConversationChangeEvent;
  }
}
