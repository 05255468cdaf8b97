/**
 * Every string the chat shows or reads out, in English: the catalogue every locale translates
 * (src/i18n/locales/*.ts) and the page's `strings` property overrides, key by key.
 *
 * `{name}` marks a value filled in when the string is shown. A plural string is one form per
 * `Intl.PluralRules` category of its language (`one`, `other`, and `zero`, `two`, `few`, `many`
 * where the language has them); `{count}` is the number, formatted for the language.
 */

/** A plural string: `other` is required, the rest as the language needs them. */
export type PluralForms = { readonly other: string } & { readonly [category in Intl.LDMLPluralRule]?: string };

export const EN = {
  // the chat
  heading: 'Chat',
  greeting: 'Hi! How can I help?',
  placeholder: 'Message',
  newConversation: 'New conversation',
  conversation: 'Conversation',
  restoring: 'Loading the conversation…',
  jumpToLatest: 'Jump to latest',
  suggestions: 'Suggestions',
  you: 'You',
  agent: 'Agent',
  // the conversation list
  conversations: 'Conversations',
  conversationsLoading: 'Loading conversations…',
  conversationsEmpty: 'No conversations yet.',
  conversationsLoadFailed: 'Could not load your conversations.',
  conversationUntitled: 'Untitled conversation',
  conversationRename: 'Rename “{title}”',
  conversationDelete: 'Delete “{title}”',
  conversationTitleLabel: 'Title',
  conversationDeleted: 'Conversation deleted',
  conversationUndo: 'Undo',
  conversationTitleTaken: 'Another conversation already has this title.',
  conversationTitleInvalid: 'This title cannot be used. Try a shorter one.',
  conversationRenameFailed: 'Could not rename the conversation. Try again.',
  conversationDeleteFailed: 'Could not delete the conversation. Try again.',
  // the launcher
  openChat: 'Open chat',
  openChatUnread: 'Open chat, new answer',
  closeChat: 'Close chat',
  // the model picker
  model: 'Model',
  modelsLoading: 'Loading models…',
  modelsUnavailable: 'Models unavailable',
  modelDefault: 'Default ({model})',
  reasoningEffort: 'Reasoning effort',
  effortDefault: 'Default',
  effortNone: 'None',
  effortMinimal: 'Minimal',
  effortLow: 'Low',
  effortMedium: 'Medium',
  effortHigh: 'High',
  effortXhigh: 'Extra high',
  // the composer
  send: 'Send',
  sendMessage: 'Send message',
  stop: 'Stop',
  stopAnswering: 'Stop answering',
  // an answer
  thinking: 'Thinking',
  thinkingLive: 'Thinking…',
  agentWorking: 'The agent is working',
  agentWriting: 'The agent is writing',
  stopped: 'Stopped',
  reconnecting: 'Reconnecting…',
  offline: 'You are offline. The answer goes on once you are back online.',
  copyAnswer: 'Copy answer',
  answerCopied: 'Answer copied to the clipboard',
  tokens: { one: '{count} token', other: '{count} tokens' },
  usage: '{tokens} · {cost}',
  // tool steps
  steps: 'Steps',
  stepRunning: '(running)',
  stepFailed: 'failed',
  // code blocks and markdown
  copy: 'Copy',
  copyCode: 'Copy code',
  copied: 'Copied',
  copyFailed: 'Copy failed',
  codeCopied: 'Code copied to the clipboard',
  showMoreLines: { one: 'Show {count} more line', other: 'Show {count} more lines' },
  showLess: 'Show less',
  taskDone: 'Done',
  taskNotDone: 'Not done',
  // notices
  resume: 'Resume',
  retry: 'Retry',
  details: 'Details',
  checkConnection: 'Check your connection and try again.',
  // errors: what happened and what to do
  errorSignIn: 'Sign in to chat.',
  errorRefused: 'The chat server did not accept the sign-in. Try again in a moment, or let the site know if this keeps happening.',
  errorTokenUnreachable: 'The chat could not reach its server. Check your connection and try again.',
  errorNoAccess: 'You do not have access to this chat.',
  errorTokenServer: "The chat's server had a problem. Try again in a moment.",
  errorSecretKey: 'This chat is set up wrongly (the page was given a secret key), so it is switched off.',
  errorConnectionLost: 'Connection lost.',
  errorBusy: 'The agent is busy. Try again in a moment.',
  errorBusyRetrying: { one: 'The agent is busy. Trying again in {count} second…', other: 'The agent is busy. Trying again in {count} seconds…' },
  errorTooLong: 'This message is too long to send (limit 2 MB).',
  errorStillAnswering: 'The agent is still answering your previous message.',
  errorQuota: 'The agent has used up its budget for now. Try again later, or let the site know.',
  errorProviderAuth: "The agent's AI provider refused its credentials. Trying again will not help; let the site know.",
  errorModel: "The agent's model could not handle this message. Try again, or rephrase it.",
  errorProvider: "The agent's AI provider had a problem. Try again in a moment.",
  errorEmptyAnswer: 'The agent gave no answer. The instance may be out of budget; try again later, or let the site know.',
  errorAgentUnavailable: 'The agent is not available right now. Try again in a moment.',
  errorAgentDown: 'The agent could not answer. Try again in a moment.',
  errorEmptyMessage: 'Type a message first.',
  errorNotConfigured: 'This chat is not set up yet: the page must give it a token-url.',
  errorUnknown: 'Something went wrong. Try again in a moment.',
} satisfies Record<string, string | PluralForms>;

/** A full catalogue: what every built-in locale provides. */
export type Catalogue = { readonly [K in keyof typeof EN]: (typeof EN)[K] extends string ? string : PluralForms };

export type TextKey = { [K in keyof Catalogue]: Catalogue[K] extends string ? K : never }[keyof Catalogue];
export type PluralKey = Exclude<keyof Catalogue, TextKey>;

/** What the page may override (the `strings` property): any key; a plural key also takes a plain string. */
export type StringOverrides = { [K in TextKey]?: string } & { [K in PluralKey]?: PluralForms | string };

export type Placeholders = Readonly<Record<string, string | number>>;
