/**
 * Which of a conversation's messages the chat renders: a long conversation opens with its newest
 * messages only, and older ones come in pages, above, as the visitor nears the top of the log (a
 * sentinel watched by an IntersectionObserver). The view does not move when a page comes in: the
 * message the visitor is looking at stays where it is on screen. The newest messages, the running
 * answer among them, are always rendered, so following the answer at the bottom is unchanged.
 * Another conversation (or a new one) starts again from its newest messages.
 *
 * A price of not rendering everything: find-in-page does not see older messages until the visitor
 * has scrolled up to them.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { ChatMessage } from '../state/conversation-types.js';

/**
 * Rendered when a conversation opens: typical answers fill a tall log several times over, while each
 * message costs a few milliseconds to render (markdown, code). Short messages that leave the sentinel
 * in view bring the next page at once.
 */
const FIRST_PAGE = 20;
/** Added above each time the visitor nears the top: small enough to render within a frame or two. */
const OLDER_PAGE = 20;
/** How far above the top of the view the next page starts loading, so scrolling rarely waits for it. */
const LOOKAHEAD = '1200px 0px 0px';
/** This near the bottom, the chat is taken to follow the latest (as its own pin threshold does). */
const AT_BOTTOM_PX = 32;

export interface MessageWindowOptions {
  /** the scrolling log, which renders `sentinel()` right before the first rendered message */
  log(): HTMLElement | null;
  /** the chat keeps the view at the bottom itself (the visitor follows the latest) */
  following(): boolean;
  /** the conversation shown (null: a new one); another starts again from its newest messages */
  sessionId(): string | null;
}

export class MessageWindow implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #options: MessageWindowOptions;
  #messages: readonly ChatMessage[] = [];
  /** the first rendered message's id; null: from the newest FIRST_PAGE */
  #firstId: string | null = null;
  /** how many older messages are not rendered */
  #hidden = 0;
  /** the conversation the window is for: another one starts again from its newest messages */
  #sessionId: string | null | undefined = undefined;
  /**
   * While a page comes in: the first message in view, and where it was. Kept there by hand, not left
   * to the browser's scroll anchoring (`overflow-anchor`), which Safari lacks; where the browser
   * anchored already, the correction is zero.
   */
  #anchor: { element: Element; top: number } | null = null;
  #log: HTMLElement | null = null;
  #list: Element | null = null;
  #sentinelElement: Element | null = null;
  #intersection: IntersectionObserver | null = null;
  #resize: ResizeObserver | null = null;
  /** a page is coming in: the sentinel is not heeded until it has been painted */
  #loading = false;

  constructor(host: ReactiveControllerHost, options: MessageWindowOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** The messages to render: the newest ones, from the first the visitor has scrolled up to. */
  visible(messages: readonly ChatMessage[]): readonly ChatMessage[] {
    this.#messages = messages;
    let start = messages[this.#hidden]?.id === this.#firstId ? this.#hidden : messages.findIndex((m) => m.id === this.#firstId);
    // a new conversation, another one opened, or history read anew: from its newest messages again
    if (start < 0) start = Math.max(0, messages.length - FIRST_PAGE);
    this.#firstId = messages[start]?.id ?? null;
    this.#hidden = start;
    return start === 0 ? messages : messages.slice(start);
  }

  /** What the log renders right before the first rendered message: the sentinel, while older messages wait. */
  sentinel() {
    return this.#hidden > 0 ? html`<div class="messages__older" aria-hidden="true"></div>` : nothing;
  }

  hostUpdate(): void {
    // read on every update, not only when messages render: New conversation shows none, and opening
    // the same conversation again afterwards must start from its newest messages too
    const sessionId = this.#options.sessionId();
    if (sessionId !== this.#sessionId) {
      this.#sessionId = sessionId;
      this.#firstId = null;
    }
  }

  /** Back on the page, the log and the sentinel are observed anew at the next update (the chat restarts then). */
  hostDisconnected(): void {
    this.#resize?.disconnect();
    this.#intersection?.disconnect();
    this.#intersection = null;
    this.#log = null;
    this.#list = null;
    this.#sentinelElement = null;
  }

  hostUpdated(): void {
    const log = this.#options.log();
    if (log !== this.#log) {
      this.#resize?.disconnect();
      this.#intersection?.disconnect();
      this.#log = log;
      this.#list = null;
      this.#sentinelElement = null;
      this.#intersection = log ? new IntersectionObserver(this.#onIntersection, { root: log, rootMargin: LOOKAHEAD }) : null;
    }
    const sentinel = log?.querySelector('.messages__older') ?? null;
    if (sentinel !== this.#sentinelElement) {
      if (this.#sentinelElement) this.#intersection?.unobserve(this.#sentinelElement);
      this.#sentinelElement = sentinel;
      if (sentinel) this.#intersection?.observe(sentinel);
    }
    // the list the sentinel is in grows when a page renders (it stays observed once the last page is in)
    const list = sentinel?.parentElement;
    if (list && list !== this.#list) {
      this.#resize ??= new ResizeObserver(() => this.#keepAnchor());
      this.#resize.disconnect();
      this.#list = list;
      this.#resize.observe(list);
    }
  }

  readonly #onIntersection = (entries: IntersectionObserverEntry[]) => {
    if (entries.some((entry) => entry.isIntersecting)) this.#showOlder();
  };

  /** One more page of older messages above, the view kept where it is. */
  #showOlder(): void {
    if (this.#hidden === 0 || this.#loading) return;
    this.#loading = true;
    // At the bottom the chat follows the latest itself; elsewhere the message in view stays put. Told
    // by where the log is, not by `following()`: the visitor's scroll event may come after this.
    const log = this.#log;
    const atBottom = !log || log.scrollHeight - log.scrollTop - log.clientHeight <= AT_BOTTOM_PX;
    const inView = atBottom ? null : this.#firstInView();
    if (inView) this.#anchor = { element: inView, top: inView.getBoundingClientRect().top };
    const start = Math.max(0, this.#hidden - OLDER_PAGE);
    this.#firstId = this.#messages[start]?.id ?? null;
    this.#hidden = start;
    this.#host.requestUpdate();
    // The page renders before the next frame; once it has been painted, the anchor goes, and the
    // sentinel is looked at again: still near the view (a short page), the next page comes.
    const settled = () => {
      this.#loading = false;
      this.#anchor = null;
      const sentinel = this.#sentinelElement;
      if (sentinel && this.#intersection) {
        this.#intersection.unobserve(sentinel);
        this.#intersection.observe(sentinel);
      }
    };
    requestAnimationFrame(() => requestAnimationFrame(settled));
  }

  /**
   * The first rendered message at least partly in view: what the visitor looks at. (Near the top,
   * where pages come in, so found early.) A message off screen could stay still while what lies
   * between it and the view changes size.
   */
  #firstInView(): Element | null {
    const top = this.#log?.getBoundingClientRect().top ?? 0;
    for (let item = this.#sentinelElement?.nextElementSibling; item; item = item.nextElementSibling) {
      if (item.getBoundingClientRect().bottom > top) return item;
    }
    return null;
  }

  /** After layout, before paint: the anchor message back where it was. */
  #keepAnchor(): void {
    const anchor = this.#anchor;
    const log = this.#log;
    // gone with the conversation it was in, or the chat follows the latest itself
    if (!anchor?.element.isConnected || !log || this.#options.following()) return;
    const drift = anchor.element.getBoundingClientRect().top - anchor.top;
    if (Math.abs(drift) < 0.5) return;
    log.scrollTop += drift;
  }
}
