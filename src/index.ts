/**
 * `import 'agent37-chat'`: defines <agent37-chat> and its sub-elements (guarded) and exports the
 * public API. The class modules themselves define nothing, so they can be imported side-effect free.
 * <agent37-conversation-list> and <agent37-model-picker> come as chunks, defined the first time a
 * chat needs one (src/components/lazy-elements.ts).
 */
import { Agent37Chat } from './agent37-chat.js';
import { Agent37Composer } from './components/agent37-composer.js';
import { Agent37EmptyState } from './components/agent37-empty-state.js';
import { Agent37Message } from './components/agent37-message.js';
import { Agent37Notice } from './components/agent37-notice.js';
import { Agent37ToolSteps } from './components/agent37-tool-steps.js';
import { defineElement } from './define-element.js';
// Defines <agent37-markdown> and <agent37-code-block> (guarded the same way), which answers render with.
import { Agent37CodeBlock, Agent37Markdown } from './markdown/define.js';

defineElement('agent37-tool-steps', Agent37ToolSteps);
defineElement('agent37-notice', Agent37Notice);
defineElement('agent37-message', Agent37Message);
defineElement('agent37-composer', Agent37Composer);
defineElement('agent37-empty-state', Agent37EmptyState);
defineElement('agent37-chat', Agent37Chat);

export { Agent37Chat, Agent37CodeBlock, Agent37Composer, Agent37EmptyState, Agent37Markdown, Agent37Message, Agent37Notice, Agent37ToolSteps };
export {
  Agent37CloseEvent,
  Agent37ConversationChangeEvent,
  Agent37ErrorEvent,
  Agent37OpenEvent,
  Agent37ResponseCompletedEvent,
  Agent37ResponseCreatedEvent,
  Agent37SendEvent,
  Agent37SessionChangeEvent,
} from './events.js';
export { Agent37Error, type Agent37ErrorInit, type LocalErrorCode } from './contract/errors.js';
export type { ReasoningEffort, ResponseStatus, TokenGrant, Usage } from './contract/gateway.js';
export type { AssistantMessage, ChatMessage, MessageStatus, ToolStep, ToolStepStatus, UserMessage } from './state/conversation-types.js';
