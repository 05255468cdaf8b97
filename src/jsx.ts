/**
 * `agent37-chat/jsx` (types only): the `<agent37-chat>` tag in React 19's JSX, for an app that uses
 * the tag rather than the `agent37-chat/react` wrapper. React 19 sets such a tag's props as
 * properties once the element is defined (as attributes before, and on the server), and listens to
 * `on` + an event's name. Turn it on with `import type {} from 'agent37-chat/jsx'`, or
 * `"types": ["agent37-chat/jsx"]` in tsconfig. The element itself still comes from `import 'agent37-chat'`.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { Agent37Chat } from './agent37-chat.js';
import type {
  Agent37CloseEvent,
  Agent37ErrorEvent,
  Agent37OpenEvent,
  Agent37ResponseCompletedEvent,
  Agent37ResponseCreatedEvent,
  Agent37SendEvent,
  Agent37SessionChangeEvent,
  Agent37ConversationChangeEvent,
} from './events.js';

/** The attributes <agent37-chat> observes, as written in HTML (test/node/custom-elements-manifest.test.ts keeps them in step). */
export interface Agent37ChatAttributes {
  'token-url'?: string;
  'token-credentials'?: Agent37Chat['tokenCredentials'];
  'persist-key'?: string;
  agent?: string;
  model?: string;
  provider?: string;
  'reasoning-effort'?: NonNullable<Agent37Chat['reasoningEffort']>;
  heading?: string;
  greeting?: string;
  'agent-name'?: string;
  'agent-avatar'?: string;
  /** a JSON array: `'["What can you do?"]'` */
  suggestions?: string;
  /** a boolean attribute */
  'show-usage'?: boolean;
  'show-reasoning'?: 'true' | 'false';
  conversations?: 'true' | 'false';
  /** a boolean attribute */
  'model-picker'?: boolean;
  /** model ids, space- or comma-separated */
  models?: string;
  /** a boolean attribute */
  'effort-picker'?: boolean;
  placeholder?: string;
  /** a boolean attribute: React writes `true` as `disabled=""` and leaves `false` out */
  disabled?: boolean;
  theme?: Agent37Chat['theme'];
  mode?: Agent37Chat['mode'];
  position?: Agent37Chat['position'];
  'image-origins'?: string;
}

/** React 19 adds a prop named `on` + an event's name as a listener for that event. */
export interface Agent37ChatEventListeners {
  'onagent37-send'?: (event: Agent37SendEvent) => void;
  'onagent37-response-created'?: (event: Agent37ResponseCreatedEvent) => void;
  'onagent37-response-completed'?: (event: Agent37ResponseCompletedEvent) => void;
  'onagent37-error'?: (event: Agent37ErrorEvent) => void;
  'onagent37-session-change'?: (event: Agent37SessionChangeEvent) => void;
  'onagent37-open'?: (event: Agent37OpenEvent) => void;
  'onagent37-close'?: (event: Agent37CloseEvent) => void;
  'onagent37-conversation-change'?: (event: Agent37ConversationChangeEvent) => void;
}

/** What the tag takes: its attributes and events, plus `ref`, `key`, `class`, `style`, children and React's other HTML props. */
export type Agent37ChatJSXProps = DetailedHTMLProps<HTMLAttributes<Agent37Chat>, Agent37Chat> &
  Agent37ChatAttributes &
  Agent37ChatEventListeners & { class?: string };

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'agent37-chat': Agent37ChatJSXProps;
    }
  }
}
