// Tabs of one origin and persist-key act as one chat (src/state/tab-sync.ts): one tab holds the
// network stream, the others show it over a BroadcastChannel; when that tab closes, the next one
// takes the answer over. Real tabs of the test page's browser context (test/support/tab-commands.ts),
// against the real relay and simulator.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import { failOnLitWarnings, mountChat, RecordingFetch, sendFromComposer, textareaOf, uniqueName, until, untilAnswerEnds } from './element-harness.js';

failOnLitWarnings();

interface ShownMessage {
  role: 'user' | 'assistant';
  text: string;
  status?: string;
}

/** Another tab of this browser with the chat for `user` and `persistKey` (test/fixtures/tab.ts). */
class Tab {
  static async open(user: string, persistKey: string, extra: Record<string, string> = {}): Promise<Tab> {
    const query = new URLSearchParams({ user, 'persist-key': persistKey, ...extra });
    const { tab } = await executeServerCommand<{ tab: string }, { url: string }>('open-tab', { url: `/test/fixtures/tab.html?${query}` });
    const opened = new Tab(tab);
    open.add(opened);
    await opened.until('tab.el !== undefined && !tab.restoring()', 'the other tab to load');
    return opened;
  }

  private constructor(readonly id: string) {}

  async eval<T>(expression: string): Promise<T> {
    const { value } = await executeServerCommand<{ value?: T }, { tab: string; expression: string }>('tab-eval', { tab: this.id, expression });
    return value as T;
  }

  messages(): Promise<ShownMessage[]> {
    return this.eval('tab.messages()');
  }

  requests(): Promise<string[]> {
    return this.eval('tab.requests()');
  }

  async until(expression: string, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!(await this.eval<boolean>(`(() => { try { return Boolean(${expression}); } catch { return false; } })()`))) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    open.delete(this);
    await executeServerCommand('close-tab', { tab: this.id });
  }
}

const open = new Set<Tab>();
afterEach(async () => {
  for (const tab of [...open]) await tab.close();
});

function shown(el: Agent37Chat): ShownMessage[] {
  return el.messages.map((m) => ({ role: m.role, text: m.text, ...(m.role === 'assistant' ? { status: m.status } : {}) }));
}

const POST = (r: string) => r === 'POST /api/agent37/v1/responses';
const STREAM = (r: string) => /^GET \/api\/agent37\/v1\/responses\/[^/]+\/stream$/.test(r);
const seen = (net: RecordingFetch) => net.requests.map((r) => `${r.method} ${r.path}`);

/** The session's answers as the server's history holds them, one per turn (its rows joined). */
async function answersOnServer(user: string, sessionId: string): Promise<string[]> {
  const grant = (await (await fetch(`/api/agent37/token?user=${user}`, { method: 'POST' })).json()) as { token: string };
  const detail = (await (await fetch(`/api/agent37/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${grant.token}` } })).json()) as {
    history: { role: string; content: string }[];
  };
  const answers: string[] = [];
  let open = false;
  for (const row of detail.history) {
    if (row.role === 'user') open = false;
    else if (row.role === 'assistant') {
      if (open) answers[answers.length - 1] += row.content;
      else answers.push(row.content);
      open = true;
    }
  }
  return answers;
}

async function lastAnswerEnded(tab: Tab): Promise<void> {
  await tab.until("['complete', 'stopped', 'failed'].includes(tab.messages().at(-1)?.status)", 'the answer to end in the other tab');
}

describe('tabs of one chat', () => {
  it('shows a message sent in either tab in both, exactly, over one POST and one stream', async () => {
    const { el, net, user, persistKey } = await mountChat();
    const other = await Tab.open(user, persistKey);

    await sendFromComposer(el, 'Hello from the first tab');
    await other.until("tab.messages()[0]?.text === 'Hello from the first tab'", 'the question in the other tab');
    await untilAnswerEnds(el);
    await lastAnswerEnded(other);
    expect(await other.messages()).to.deep.equal(shown(el));
    expect(shown(el).map((m) => m.role)).to.deep.equal(['user', 'assistant']);

    // the other tab's visitor asks next: this tab (the leader) sends it
    await other.eval("tab.send('And this from the second tab')");
    await until(() => el.messages.length === 4 && el.messages[2]!.text === 'And this from the second tab', 'the second question here');
    await untilAnswerEnds(el);
    await lastAnswerEnded(other);
    expect(await other.messages()).to.deep.equal(shown(el));

    const answers = await answersOnServer(user, el.sessionId!);
    expect(shown(el).filter((m) => m.role === 'assistant').map((m) => m.text)).to.deep.equal(answers);
    expect(seen(net).filter(POST)).to.have.length(2);
    expect((await other.requests()).filter((r) => POST(r) || STREAM(r))).to.deep.equal([]);
    expect(await other.eval('tab.sessionId()')).to.equal(el.sessionId);
  });

  it('refuses a second send while an answer runs, in every tab alike', async () => {
    const net = new RecordingFetch().add({ when: (r) => r.method === 'POST' && r.path.endsWith('/responses'), pace: '60' });
    const { el, user, persistKey } = await mountChat({ net });
    const other = await Tab.open(user, persistKey);
    await sendFromComposer(el, 'Tell me something long [chars=3000]');
    await other.until("tab.messages().at(-1)?.status === 'streaming'", 'the answer streaming in the other tab');

    expect(await other.eval("tab.send('Another one')")).to.equal(false);
    const refusal = await other.eval<{ type: string; detail: { error: { code: string } } }[]>("tab.events().filter((e) => e.type === 'agent37-error')");
    expect(refusal.map((e) => e.detail.error.code)).to.deep.equal(['session_busy']);
    expect(await el.send('And another')).to.equal(false);
    await el.cancel();
    await untilAnswerEnds(el);
  });

  it('stops the answer from a tab that does not hold its stream', async () => {
    const net = new RecordingFetch().add({ when: (r) => r.method === 'POST' && r.path.endsWith('/responses'), pace: '60' });
    const { el, user, persistKey } = await mountChat({ net });
    const other = await Tab.open(user, persistKey);
    await sendFromComposer(el, 'Write a long story [chars=3000]');
    await other.until("tab.messages().at(-1)?.status === 'streaming' && tab.messages().at(-1)?.text.length > 0", 'text in the other tab');

    await other.eval('tab.stop()');
    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('stopped');
    await lastAnswerEnded(other);
    expect(await other.messages()).to.deep.equal(shown(el));
  });

  it('switches every tab to New conversation and to an opened conversation', async () => {
    const { el, user, persistKey } = await mountChat();
    const other = await Tab.open(user, persistKey);
    await sendFromComposer(el, 'The first conversation');
    await untilAnswerEnds(el);
    const first = el.sessionId!;

    await other.eval('tab.newConversation()');
    await until(() => el.messages.length === 0 && el.sessionId === null, 'a new conversation here');
    await other.until('tab.messages().length === 0 && tab.sessionId() === null', 'a new conversation there');
    await sendFromComposer(el, 'The second conversation');
    await untilAnswerEnds(el);
    await lastAnswerEnded(other);
    expect(await other.eval('tab.sessionId()')).to.equal(el.sessionId);

    await other.eval(`tab.openConversation('${first}')`);
    await until(() => el.sessionId === first && el.messages[0]?.text === 'The first conversation' && el.messages.length === 2, 'the first conversation here');
    await other.until(`tab.sessionId() === '${first}' && tab.messages().length === 2`, 'the first conversation there');
    expect(await other.messages()).to.deep.equal(shown(el));
  });

  it('hands the answer over when the tab holding its stream closes: the other finishes it exactly', async () => {
    const user = uniqueName('u');
    const persistKey = uniqueName('k');
    // the other tab comes first, so it leads and sends
    const leader = await Tab.open(user, persistKey, { pace: '40' });
    const { el, net } = await mountChat({ user, persistKey });
    await until(() => !el.shadowRoot!.querySelector('.restoring'), 'this tab to follow');

    await sendFromComposer(el, 'Explain it at length [chars=2500]');
    await until(() => el.messages.length === 2 && el.messages[1]!.text.length > 200, 'part of the answer here');
    const before = el.messages[1]!.text;
    await leader.close();

    const answer = await untilAnswerEnds(el, 30_000);
    expect(answer.status).to.equal('complete');
    expect(answer.text.startsWith(before)).to.equal(true);
    expect([answer.text]).to.deep.equal(await answersOnServer(user, el.sessionId!));
    // this tab never sent it: it reattached to the running turn, once
    expect(seen(net).filter(POST)).to.deep.equal([]);
    expect(seen(net).filter(STREAM)).to.have.length(1);
    expect(shown(el).map((m) => m.text.length > 0)).to.deep.equal([true, true]);
  });

  it('gives the text back when the tab sending it closes before its message went out', async () => {
    const user = uniqueName('u');
    const persistKey = uniqueName('k');
    const leader = await Tab.open(user, persistKey, { 'post-delay': '3000' });
    const { el, net } = await mountChat({ user, persistKey });
    await until(() => !el.shadowRoot!.querySelector('.restoring'), 'this tab to follow');

    await sendFromComposer(el, 'A message that never leaves');
    await until(() => el.messages.some((m) => m.role === 'user'), 'the question shown');
    await leader.close();

    await until(() => textareaOf(el).value === 'A message that never leaves', 'the text back in the composer');
    await until(() => el.messages.length === 0, 'no message left that was not sent');
    expect(seen(net).filter(POST)).to.deep.equal([]);
    // this tab leads now and sends it itself
    await sendFromComposer(el, 'Sent from here');
    const answer = await untilAnswerEnds(el);
    expect(answer.status).to.equal('complete');
    expect(seen(net).filter(POST)).to.have.length(1);
    expect(el.messages.map((m) => m.role)).to.deep.equal(['user', 'assistant']);
  });

  it('lets go of the lead while the page is in the back/forward cache, and takes the conversation up on return', async () => {
    const { el } = await mountChat();
    await sendFromComposer(el, 'Before the page was cached');
    await untilAnswerEnds(el);
    const held = async () => ((await navigator.locks.query()).held ?? []).some((lock) => lock.name?.startsWith('agent37-chat:lead:') && lock.name.endsWith(`:${el.persistKey}`));
    // the lock manager lets go (and grants) a moment after it is asked to
    const untilHeld = async (expected: boolean) => {
      const deadline = performance.now() + 5000;
      while ((await held()) !== expected) {
        if (performance.now() > deadline) throw new Error(`the lead lock is still ${expected ? 'free' : 'held'}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await untilHeld(true);

    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    await untilHeld(false);
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await until(() => el.messages.length === 2 && (el.messages[1] as { status?: string }).status === 'complete', 'the conversation again');
    await untilHeld(true);
  });

  it('lets each tab work alone where the browser has no Web Locks', async () => {
    const locks = Object.getOwnPropertyDescriptor(Navigator.prototype, 'locks');
    Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined });
    try {
      const { el, net } = await mountChat();
      await sendFromComposer(el, 'Hello alone');
      const answer = await untilAnswerEnds(el);
      expect(answer.status).to.equal('complete');
      expect(seen(net).filter(POST)).to.have.length(1);
    } finally {
      if (locks) Object.defineProperty(Navigator.prototype, 'locks', locks);
    }
  });
});
