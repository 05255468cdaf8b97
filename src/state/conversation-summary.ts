/**
 * One of the visitor's conversations as the conversation list shows it and `listConversations()`
 * answers: the gateway's session summary, titled.
 */
export interface ConversationSummary {
  sessionId: string;
  /** the gateway's title (Hermes titles sessions itself), else the first message, shortened; '' when neither is known */
  title: string;
  /** when it was last used (epoch ms); null when the gateway does not say */
  lastActive: number | null;
  /** the last message's start, as the gateway previews it; null when it does not */
  preview: string | null;
}

/** A conversation's title from its first message: one line, at most 60 characters (as Hermes titles one). */
export function shortTitle(text: string): string {
  const points = Array.from(text.replace(/\s+/g, ' ').trim());
  return points.length > 60 ? `${points.slice(0, 59).join('')}…` : points.join('');
}
