/**
 * The first message of each conversation this browser started, shortened: the title of a
 * conversation the gateway does not title (the first revision titles none). Kept in localStorage,
 * one entry per deployment and persist-key, so every tab of the chat shares it; bounded to the most
 * recent conversations. Blocked or full storage keeps them in memory for this page.
 */

/** Conversations kept; the least recently titled go first. */
const MAX_TITLES = 200;

export class ConversationTitles {
  private readonly key: string;
  private memory: Record<string, string> | null = null;

  /** `name`: the chat's store name (persistence.ts's persistenceDbName) */
  constructor(name: string) {
    this.key = `${name}:titles`;
  }

  get(sessionId: string): string | undefined {
    return this.read()[sessionId];
  }

  set(sessionId: string, title: string): void {
    const titles = { ...this.read() };
    delete titles[sessionId];
    titles[sessionId] = title;
    const ids = Object.keys(titles);
    for (const id of ids.slice(0, Math.max(0, ids.length - MAX_TITLES))) delete titles[id];
    this.write(titles);
  }

  remove(sessionId: string): void {
    const titles = this.read();
    if (!(sessionId in titles)) return;
    const rest = { ...titles };
    delete rest[sessionId];
    this.write(rest);
  }

  private read(): Record<string, string> {
    if (this.memory) return this.memory;
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(this.key) ?? '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      }
    } catch {
      // blocked storage or garbage: none known
    }
    return {};
  }

  private write(titles: Record<string, string>): void {
    try {
      localStorage.setItem(this.key, JSON.stringify(titles));
      this.memory = null;
    } catch {
      // blocked or full: this page keeps them
      this.memory = titles;
    }
  }
}
