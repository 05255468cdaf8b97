/**
 * `import { Agent37Chat } from 'agent37-chat/react'`: <agent37-chat> as a React component, for React
 * 18 and 19. Its properties are props (set as properties, so functions and objects work), its events
 * are `onSend`, `onResponseCreated`, `onResponseCompleted`, `onError`, `onSessionChange`,
 * `onConversationChange`, and, in launcher mode, `onOpen` and `onClose`.
 *
 * In a browser, importing it loads and defines the elements (guarded, as `import 'agent37-chat'`
 * does). On a server it loads nothing of the element, not even lit (whose Node build would put a
 * stand-in `customElements` on the global object): server rendering writes the bare tag, and the
 * browser upgrades it with the props React set on it.
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import type { Agent37Chat as Agent37ChatElement } from '../agent37-chat.js';
import type {
  Agent37CloseEvent,
  Agent37ErrorEvent,
  Agent37OpenEvent,
  Agent37ResponseCompletedEvent,
  Agent37ResponseCreatedEvent,
  Agent37SendEvent,
  Agent37SessionChangeEvent,
  Agent37ConversationChangeEvent,
} from '../events.js';

export type { Agent37ChatElement };

/** The element's public properties: its `static properties`, less the internal `_state` ones. */
export type Agent37ChatPropertyName = Exclude<keyof (typeof Agent37ChatElement)['properties'], `_${string}`> & keyof Agent37ChatElement;

/**
 * Which props @lit/react sets on the element as properties (it asks `name in prototype`; every other
 * prop goes to React). The type lists every property, so a new one does not compile until it is here.
 */
const PROPERTY_NAMES: Record<Agent37ChatPropertyName, true> = {
  tokenUrl: true,
  tokenCredentials: true,
  getToken: true,
  persistKey: true,
  agent: true,
  model: true,
  provider: true,
  reasoningEffort: true,
  metadata: true,
  heading: true,
  greeting: true,
  agentName: true,
  agentAvatar: true,
  suggestions: true,
  strings: true,
  showUsage: true,
  showReasoning: true,
  conversations: true,
  modelPicker: true,
  models: true,
  effortPicker: true,
  placeholder: true,
  disabled: true,
  theme: true,
  mode: true,
  position: true,
  imageOrigins: true,
  fetch: true,
  stallTimeoutMs: true,
  reconnect: true,
};

interface EventClass {
  readonly eventName: string;
  readonly prototype: Event;
}

/** An event's name, checked against its class, typed for @lit/react's handler props. */
function eventName<C extends EventClass>(name: C['eventName']): EventName<C['prototype']> {
  return name as EventName<C['prototype']>;
}

const events = {
  onSend: eventName<typeof Agent37SendEvent>('agent37-send'),
  onResponseCreated: eventName<typeof Agent37ResponseCreatedEvent>('agent37-response-created'),
  onResponseCompleted: eventName<typeof Agent37ResponseCompletedEvent>('agent37-response-completed'),
  onError: eventName<typeof Agent37ErrorEvent>('agent37-error'),
  onSessionChange: eventName<typeof Agent37SessionChangeEvent>('agent37-session-change'),
  onOpen: eventName<typeof Agent37OpenEvent>('agent37-open'),
  onClose: eventName<typeof Agent37CloseEvent>('agent37-close'),
  onConversationChange: eventName<typeof Agent37ConversationChangeEvent>('agent37-conversation-change'),
};

type Events = typeof events;

/** The handler props, each called with its event's class (`onSend(event: Agent37SendEvent)`). */
export type Agent37ChatEventProps = { [K in keyof Events]?: (event: Events[K]['__eventType']) => void };

/**
 * `<Agent37Chat>`'s props: the element's properties, its event handlers, a ref to the element, and
 * what React gives any element (`id`, `className`, `style`, `slot`, children for the `header` and
 * `greeting` slots, a `slot="launcher"` button…).
 */
export type Agent37ChatProps = Omit<React.HTMLAttributes<Agent37ChatElement>, Agent37ChatPropertyName | keyof Events> &
  Partial<Pick<Agent37ChatElement, Agent37ChatPropertyName>> &
  Agent37ChatEventProps &
  React.RefAttributes<Agent37ChatElement>;

// Only in a browser page: on a server lit's Node build would install its stand-in registry.
if (typeof document !== 'undefined' && typeof customElements !== 'undefined') void import('../index.js');

/**
 * @lit/react reads no more of the class than its name and which props are on its prototype, so it
 * gets those without the class, which is not loaded yet (and never is on a server).
 */
const elementShape = { name: 'Agent37Chat', prototype: PROPERTY_NAMES } as unknown as new () => Agent37ChatElement;

export const Agent37Chat: React.ForwardRefExoticComponent<Agent37ChatProps> = createComponent({
  react: React,
  tagName: 'agent37-chat',
  elementClass: elementShape,
  events,
  displayName: 'Agent37Chat',
});
