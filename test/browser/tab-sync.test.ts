// The tab protocol alone (src/state/tab-sync.ts): TabSyncs of one name in this page stand for tabs
// (BroadcastChannel delivers between them, Web Locks queue them), each with a recording host.
import { expect } from '@open-wc/testing';
import { Agent37Error } from '../../src/contract/errors.js';
import { reduceConversation, emptyConversation, type ConversationState } from '../../src/state/conversation.js';
import { TabSync, type ConversationChange, type MirrorState, type TabCall, type TabHook, type TabSyncHost } from '../../src/state/tab-sync.js';
import { uniqueName, until } from './element-harness.js';

class Host implements TabSyncHost {
  role: 'leader' | 'follower' | null = null;
  led: (MirrorState | null)[] = [];
  mirrored: MirrorState | null = null;
  hooks: TabHook[] = [];
  changes: ConversationChange[] = [];
  calls: TabCall[] = [];
  conversation: ConversationState = emptyConversation;
  answer: (call: TabCall) => Promise<void> = async () => {};

  lead(mirrored: MirrorState | null): void {
    this.role = 'leader';
    this.led.push(mirrored);
    if (mirrored) this.conversation = mirrored.conversation;
  }
  follow(): void {
    this.role = 'follower';
  }
  state(): MirrorState {
    return { conversation: this.conversation, status: { sessionId: 's1', busy: false, restoring: false, notice: null, history: undefined, unsent: null }, turn: null };
  }
  call(call: TabCall): Promise<void> {
    this.calls.push(call);
    return this.answer(call);
  }
  mirror(state: MirrorState): void {
    this.mirrored = state;
  }
  hook(hook: TabHook): void {
    this.hooks.push(hook);
  }
  conversationsChanged(change: ConversationChange): void {
    this.changes.push(change);
  }
}

const open: TabSync[] = [];
function tab(name: string): { sync: TabSync; host: Host } {
  const sync = TabSync.create(name)!;
  const host = new Host();
  sync.start(host);
  open.push(sync);
  return { sync, host };
}

afterEach(() => {
  for (const sync of open.splice(0)) sync.close();
});

describe('TabSync', () => {
  it('elects one leader; a follower gets the leader\'s state and then every action, in order', async () => {
    const name = uniqueName('tabs');
    const a = tab(name);
    await until(() => a.host.role === 'leader', 'the first tab to lead');
    a.host.conversation = reduceConversation(emptyConversation, { type: 'user', id: 'u1', text: 'Hi' });
    const b = tab(name);
    await until(() => b.host.mirrored !== null, 'the second tab to follow');
    expect(b.host.role).to.equal('follower');
    expect(b.host.mirrored!.conversation.messages.map((m) => m.text)).to.deep.equal(['Hi']);

    a.sync.publishAction({ type: 'assistant', id: 'a1' });
    a.sync.publishAction({ type: 'event', id: 'a1', event: { event: 'response.output_text.delta', data: { text: 'Hel' } } }, 'k1');
    a.sync.publishAction({ type: 'event', id: 'a1', event: { event: 'response.output_text.delta', data: { text: 'lo' } } }, 'k2');
    await until(() => b.host.mirrored!.conversation.messages.length === 2 && b.host.mirrored!.conversation.messages[1]!.text === 'Hello', 'the answer mirrored');
  });

  it('carries errors with their fields, in actions, status and hooks', async () => {
    const name = uniqueName('tabs');
    const a = tab(name);
    await until(() => a.host.role === 'leader', 'a leader');
    const b = tab(name);
    await until(() => b.host.mirrored !== null, 'a follower');
    const error = new Agent37Error({ code: 'rate_limited', status: 429, message: 'Slow down', retryAfterMs: 2000, hint: 'wait' });
    a.sync.publishStatus({ sessionId: 's1', busy: true, restoring: false, notice: error, history: { lastId: null, turnsSince: 1 }, unsent: null });
    a.sync.publishHook({ name: 'error', error });
    await until(() => b.host.hooks.length === 1, 'the hook');
    const notice = b.host.mirrored!.status.notice!;
    expect(notice).to.be.instanceOf(Agent37Error);
    expect([notice.code, notice.status, notice.message, notice.retryAfterMs, notice.hint]).to.deep.equal(['rate_limited', 429, 'Slow down', 2000, 'wait']);
    const heard = (b.host.hooks[0] as Extract<TabHook, { name: 'error' }>).error;
    expect(heard).to.be.instanceOf(Agent37Error);
    expect(heard.code).to.equal('rate_limited');
  });

  it('answers a follower\'s call with the leader\'s outcome', async () => {
    const name = uniqueName('tabs');
    const a = tab(name);
    await until(() => a.host.role === 'leader', 'a leader');
    const b = tab(name);
    await until(() => b.host.mirrored !== null, 'a follower');
    await b.sync.call({ op: 'cancel' });
    a.host.answer = async () => {
      throw new Agent37Error({ code: 'session_busy', status: 409, message: 'Busy' });
    };
    const refused = await b.sync.call({ op: 'send', text: 'x', sentAt: 1, request: {}, inSession: null }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(Agent37Error);
    expect((refused as Agent37Error).code).to.equal('session_busy');
    expect(a.host.calls.map((c) => c.op)).to.deep.equal(['cancel', 'send']);
  });

  it('hands the lead to the next tab with what it mirrored when the leader closes', async () => {
    const name = uniqueName('tabs');
    const a = tab(name);
    await until(() => a.host.role === 'leader', 'a leader');
    a.host.conversation = reduceConversation(emptyConversation, { type: 'user', id: 'u1', text: 'Kept' });
    const b = tab(name);
    const c = tab(name);
    await until(() => b.host.mirrored !== null && c.host.mirrored !== null, 'two followers');
    a.sync.close();
    await until(() => b.host.role === 'leader' || c.host.role === 'leader', 'a new leader');
    const [leader, follower] = b.host.role === 'leader' ? [b, c] : [c, b];
    expect(leader.host.led.at(-1)!.conversation.messages.map((m) => m.text)).to.deep.equal(['Kept']);
    // the other follows the new leader, and hears it
    leader.sync.publishAction({ type: 'user', id: 'u2', text: 'After' });
    await until(() => follower.host.mirrored!.conversation.messages.length === 2, 'the new leader heard');
    expect(follower.host.role).to.equal('follower');
  });

  it('asks for the whole state again when a message went missing', async () => {
    const name = uniqueName('tabs');
    const a = tab(name);
    await until(() => a.host.role === 'leader', 'a leader');
    const b = tab(name);
    await until(() => b.host.mirrored !== null, 'a follower');
    // a seq the follower never saw: the next message is out of order
    (a.sync as unknown as { seq: number }).seq += 5;
    a.host.conversation = reduceConversation(emptyConversation, { type: 'user', id: 'u9', text: 'Whole state' });
    a.sync.publishAction({ type: 'user', id: 'u9', text: 'Whole state' });
    await until(() => b.host.mirrored?.conversation.messages[0]?.text === 'Whole state', 'the state again');
  });

  it('tells every other tab of a change of conversations', async () => {
    const name = uniqueName('tabs');
    const a = tab(name);
    await until(() => a.host.role === 'leader', 'a leader');
    const b = tab(name);
    await until(() => b.host.mirrored !== null, 'a follower');
    b.sync.publishConversations({ kind: 'renamed', sessionId: 's1', title: 'New' });
    await until(() => a.host.changes.length === 1, 'the leader to hear it');
    expect(a.host.changes[0]).to.deep.equal({ kind: 'renamed', sessionId: 's1', title: 'New' });
  });
});
