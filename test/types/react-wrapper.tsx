/**
 * Type test of `agent37-chat/react`, compiled (not run) by `npm run typecheck`: what an app may write
 * with the wrapper, and, under each @ts-expect-error, a mistake its types must refuse.
 */
import { createRef } from 'react';
import type { Agent37Error, TokenGrant } from 'agent37-chat';
import { Agent37Chat, type Agent37ChatElement } from 'agent37-chat/react';

const ref = createRef<Agent37ChatElement>();
const grant: TokenGrant = { token: 't', expires_at: 0, api_base: '/api/agent37' };

export const everyProp = (
  <Agent37Chat
    ref={ref}
    id="support"
    className="chat"
    style={{ height: 480 }}
    tokenUrl="/api/agent37/token"
    tokenCredentials="include"
    getToken={async () => grant}
    persistKey="user-42"
    agent="hermes"
    model="gpt-5"
    provider="openai"
    reasoningEffort="high"
    metadata={{ plan: 'pro' }}
    heading="Support"
    greeting="Ask away"
    showReasoning="false"
    placeholder="Your question"
    disabled
    theme="dark"
    mode="launcher"
    position="bottom-left"
    imageOrigins="https://cdn.example.com"
    fetch={(input, init) => fetch(input, init)}
    stallTimeoutMs={45_000}
    reconnect={{ giveUpAfterMs: 30_000 }}
    onSend={(event) => {
      const text: string = event.detail.text;
      if (text === 'stop') event.preventDefault();
    }}
    onResponseCreated={(event) => event.detail.responseId.length + event.detail.sessionId.length}
    onResponseCompleted={(event) => [event.detail.text, event.detail.status, event.detail.usage?.output_tokens]}
    onError={(event) => {
      const error: Agent37Error = event.detail.error;
      return error.code;
    }}
    onSessionChange={(event) => event.detail.sessionId ?? 'none'}
    onOpen={(event) => event.type}
    onClose={(event) => event.type}
  >
    <span slot="header">Support</span>
  </Agent37Chat>
);

export const refIsTheElement = () => ref.current?.send('hello');

// @ts-expect-error persistKey is a string
export const wrongPropertyType = <Agent37Chat persistKey={42} />;

// @ts-expect-error theme is light, dark or auto
export const wrongTheme = <Agent37Chat theme="blue" />;

// @ts-expect-error getToken must return a grant
export const wrongGetToken = <Agent37Chat getToken={async () => 'token'} />;

// @ts-expect-error onSend is given an Agent37SendEvent, whose detail has no sessionId
export const wrongEventDetail = <Agent37Chat onSend={(event) => event.detail.sessionId} />;

// @ts-expect-error onError is the element's event, not React's media error handler
export const reactErrorHandler = <Agent37Chat onError={(event: React.SyntheticEvent<HTMLImageElement>) => event.currentTarget.src} />;

// @ts-expect-error read-only state is not a prop
export const readOnlyState = <Agent37Chat messages={[]} />;

// @ts-expect-error nor is a method
export const method = <Agent37Chat send={async () => true} />;

// @ts-expect-error nor is internal state
export const internalState = <Agent37Chat _pinned />;

// @ts-expect-error the ref is to the element
export const wrongRef = <Agent37Chat ref={createRef<HTMLInputElement>()} />;
