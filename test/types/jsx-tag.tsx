/**
 * Type test of `agent37-chat/jsx`, compiled (not run) by `npm run typecheck`: the bare tag in React
 * 19's JSX, its attributes, events, ref, class, style and children, and, under each
 * @ts-expect-error, a mistake its types must refuse. (TypeScript checks no hyphenated name it does not
 * know, so a misspelt attribute cannot be caught; a known one's value is.)
 */
import { createRef } from 'react';
import type {} from 'agent37-chat/jsx';
import type { Agent37Chat } from 'agent37-chat';

const ref = createRef<Agent37Chat>();

export const everyAttribute = (
  <agent37-chat
    ref={ref}
    key="chat"
    id="support"
    class="chat"
    className="chat"
    style={{ height: 480 }}
    token-url="/api/agent37/token"
    token-credentials="include"
    persist-key="user-42"
    agent="hermes"
    model="gpt-5"
    provider="openai"
    reasoning-effort="low"
    heading="Support"
    greeting="Ask away"
    show-reasoning="false"
    placeholder="Your question"
    disabled
    theme="light"
    mode="launcher"
    position="bottom-left"
    image-origins="https://cdn.example.com https://img.example.com"
    onagent37-send={(event) => event.detail.text.length}
    onagent37-response-created={(event) => event.detail.responseId}
    onagent37-response-completed={(event) => event.detail.status}
    onagent37-error={(event) => event.detail.error.code}
    onagent37-session-change={(event) => event.detail.sessionId}
    onagent37-open={(event) => event.type}
    onagent37-close={(event) => event.type}
  >
    <strong slot="header">Support</strong>
    <p slot="greeting">Ask me anything.</p>
  </agent37-chat>
);

// @ts-expect-error attributes are strings
export const numberAttribute = <agent37-chat token-url={42} />;

// @ts-expect-error theme is light, dark or auto
export const wrongTheme = <agent37-chat theme="blue" />;

// @ts-expect-error mode is inline or launcher
export const wrongMode = <agent37-chat mode="floating" />;

// @ts-expect-error position is bottom-right or bottom-left
export const wrongPosition = <agent37-chat position="top-left" />;

// @ts-expect-error reasoning-effort is one of the gateway's levels
export const wrongEffort = <agent37-chat reasoning-effort="max" />;

// @ts-expect-error show-reasoning is "true" or "false"
export const wrongShowReasoning = <agent37-chat show-reasoning="no" />;

// @ts-expect-error disabled is a boolean attribute
export const wrongDisabled = <agent37-chat disabled="yes" />;

// @ts-expect-error the send event's detail has no sessionId
export const wrongEventDetail = <agent37-chat onagent37-send={(event) => event.detail.sessionId} />;

// @ts-expect-error the ref is to the element
export const wrongRef = <agent37-chat ref={createRef<HTMLInputElement>()} />;

// @ts-expect-error style is React's style object
export const styleString = <agent37-chat style="height: 480px" />;
