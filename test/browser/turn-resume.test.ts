/**
 * Issue 5 beyond the cut sweep: stalls, 409, Retry-After, offline → online, a replay after the
 * buffer expired, response_not_found after the record expired, and a reload in the middle. Every
 * test runs the real client against the real relay and simulator; the fetch wrapper only adds fault
 * and pace headers (or holds a request back), it never answers anything.
 */
import { expect } from '@open-wc/testing';
import type { StreamEvent } from '../../src/contract/gateway.js';
import { readEvents } from '../../src/client/sse.js';
import { TurnRunner, type TurnOutcome } from '../../src/client/turn.js';
import { emptyConversation, reduceConversation, type ConversationState } from '../../src/state/conversation.js';
import type { AssistantMessage } from '../../src/state/conversation-types.js';
import { chat, type Client, client, idle, isAttach, isCancel, isPost, isSessionRead, lastAnswer, rejection, sleep, type StackPrefix, until, visible } from '../support/client-harness.js';

const INPUT = 'How do resumable streams work?';
const key = () => `resume-${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** The answer to INPUT when nothing goes wrong (the simulator's answers depend only on the input). */
const uncutCache = new Map<string, ReturnType<typeof visible>>();
async function uncut(prefix: StackPrefix, input = INPUT): Promise<ReturnType<typeof visible>> {
  const cached = uncutCache.get(prefix + input);
  if (cached) return cached;
  const c = client(prefix);
  const a = await chat(c, key());
  await a.session.send(input);
  await idle(a.session);
  const answer = visible(lastAnswer(a.session));
  a.session.dispose();
  expect(answer.status).to.equal('complete');
  uncutCache.set(prefix + input, answer);
  return answer;
}

/** Waits until the server reports no running turn in the session. */
async function turnOver(c: Client, sessionId: string): Promise<void> {
  for (const deadline = performance.now() + 15_000; performance.now() < deadline; await sleep(50)) {
    if (!(await c.api.getSession(sessionId)).active_response_id) return;
  }
  throw new Error('the turn did not end');
}

/** A turn runner outside ChatSession, folding its events into one answer. */
function runner(c: Client, o: Partial<ConstructorParameters<typeof TurnRunner>[0]> = {}) {
  let state: ConversationState = reduceConversation(emptyConversation, { type: 'assistant', id: 'a' });
  const events: StreamEvent[] = [];
  const r = new TurnRunner({
    api: c.api,
    onEvent: (event, meta) => {
      events.push(event);
      state = reduceConversation(state, { type: 'event', id: 'a', event, cancelled: meta.cancelled });
    },
    ...o,
  });
  return { r, events, answer: () => state.messages[0] as AssistantMessage };
}

describe('turn runner: resume', () => {
  it('a stall with no keepalives is caught by the watchdog and resumed', async function () {
    this.timeout(20_000);
    const expected = await uncut('/api/agent37');
    const c = client();
    const a = await chat(c, key(), { stallTimeoutMs: 500 });
    // the simulator goes silent (keepalives too) for 30 s after 5 events; only the watchdog can end that
    c.net.add({ when: isPost, fault: 'stall-seconds=30,stall-after-events=5', times: 1 });
    await a.session.send(INPUT);
    await idle(a.session, 15_000);
    expect(visible(lastAnswer(a.session))).to.deep.equal(expected);
    expect(a.statuses).to.include('reconnecting');
    expect(c.net.count('GET', '/stream')).to.be.at.least(1);
    expect(c.net.requests.filter(isPost).length).to.equal(1);
    expect(a.hooks.completed.length).to.equal(1);
  });

  it('offline with the stream open and silent: says so at once; back online, the dead stream is cut and reattached at once', async function () {
    this.timeout(20_000);
    const expected = await uncut('/api/agent37');
    const c = client();
    // the default watchdog (75 s): only coming back online can end this stall in time
    const a = await chat(c, key());
    c.net.add({ when: isPost, fault: 'stall-seconds=30,stall-after-events=2', times: 1 });
    await a.session.send(INPUT);
    // created, then one reasoning delta, then silence: once reasoning shows, nothing more arrives
    await until(() => lastAnswer(a.session).reasoning.length > 0, 'the first events');
    window.dispatchEvent(new Event('offline'));
    expect(lastAnswer(a.session).status).to.equal('offline');
    await sleep(300);
    expect(c.net.count('GET', '/stream'), 'an open stream is not given up while offline').to.equal(0);
    window.dispatchEvent(new Event('online'));
    await idle(a.session, 10_000);
    expect(visible(lastAnswer(a.session))).to.deep.equal(expected);
    expect(a.statuses).to.include('offline');
    expect(c.net.count('GET', '/stream')).to.equal(1);
    expect(c.net.requests.filter(isPost).length).to.equal(1);
    expect(a.hooks.completed.length).to.equal(1);
    expect(a.hooks.errors).to.deep.equal([]);
  });

  it('offline while events still arrive: back to streaming with the next one, and coming online cuts nothing', async function () {
    this.timeout(20_000);
    const expected = await uncut('/api/agent37');
    const c = client();
    const a = await chat(c, key());
    c.net.add({ when: isPost, pace: '10', times: 1 });
    await a.session.send(INPUT);
    await until(() => lastAnswer(a.session).text.length > 0, 'part of the answer');
    window.dispatchEvent(new Event('offline'));
    expect(lastAnswer(a.session).status).to.equal('offline');
    await until(() => lastAnswer(a.session).status === 'streaming', 'streaming again');
    window.dispatchEvent(new Event('online'));
    await idle(a.session);
    expect(visible(lastAnswer(a.session))).to.deep.equal(expected);
    expect(a.statuses.slice(-4)).to.deep.equal(['streaming', 'offline', 'streaming', 'complete']);
    expect(c.net.count('GET', '/stream')).to.equal(0);
  });

  it('409 session_busy: attaches to the running turn, never sends again, gives the text back', async function () {
    this.timeout(20_000);
    const c = client();
    const a = await chat(c, key());
    await a.session.send('First [chars=5] [no-tools] [no-reasoning]');
    await idle(a.session);
    const sessionId = a.session.snapshot.sessionId!;
    // another tab starts a long turn in the same session
    const { reader, created } = await startTurnInOtherTab(c, sessionId);
    const postsBefore = c.net.requests.filter(isPost).length;

    const e = await rejection(a.session.send('Hello?'));
    expect([e.status, e.code]).to.deep.equal([409, 'session_busy']);
    expect(a.session.snapshot.messages.filter((m) => m.role === 'user').map((m) => m.text)).to.deep.equal([
      'First [chars=5] [no-tools] [no-reasoning]',
    ]);
    // the running turn is shown, live
    await until(() => lastAnswer(a.session).responseId === created.data.id, 'the running turn to show');
    expect(a.session.snapshot.busy).to.equal(true);
    expect(a.session.snapshot.notice?.code).to.equal('session_busy');
    await sleep(300);
    expect(c.net.requests.filter(isPost).length - postsBefore).to.equal(1);

    // it ends when the other tab stops it
    await c.api.cancel(created.data.id);
    await reader.return(undefined);
    await idle(a.session);
    expect(lastAnswer(a.session).status).to.equal('complete');
    expect(a.hooks.completed.length).to.equal(2);
    expect(c.net.requests.filter(isPost).length - postsBefore).to.equal(1);
  });

  it('409 on the first revision (no response id anywhere): refused, nothing attached, nothing re-sent', async function () {
    this.timeout(20_000);
    const c = client('/api/agent37-first');
    const a = await chat(c, key());
    await a.session.send('First [chars=5] [no-tools] [no-reasoning]');
    await idle(a.session);
    const sessionId = a.session.snapshot.sessionId!;
    const { reader, created } = await startTurnInOtherTab(c, sessionId);
    const postsBefore = c.net.requests.filter(isPost).length;
    const e = await rejection(a.session.send('Hello?'));
    expect([e.status, e.code]).to.deep.equal([409, 'session_busy']);
    expect(a.session.snapshot.messages.length).to.equal(2);
    expect(a.session.snapshot.busy).to.equal(false);
    expect(c.net.requests.filter(isPost).length - postsBefore).to.equal(1);
    await c.api.cancel(created.data.id);
    await reader.return(undefined);
  });

  it('429 with Retry-After: waits that long, shows waiting, then POSTs once more', async function () {
    this.timeout(20_000);
    const expected = await uncut('/api/agent37');
    const c = client();
    const a = await chat(c, key());
    c.net.add({ when: isPost, fault: 'status=429,retry-after=1', times: 1 });
    const sent = a.session.send(INPUT);
    await until(() => a.statuses.includes('waiting'), 'the waiting state');
    expect(a.session.snapshot.messages.map((m) => m.role)).to.deep.equal(['user', 'assistant']);
    await sent;
    await idle(a.session);
    expect(visible(lastAnswer(a.session))).to.deep.equal(expected);
    const posts = c.net.requests.filter(isPost);
    expect(posts.length).to.equal(2);
    expect(posts[1]!.at - posts[0]!.at).to.be.at.least(1000);
    expect(a.hooks.completed.length).to.equal(1);
  });

  for (const trigger of ['online', 'visibilitychange', 'resume()'] as const) {
    it(`offline, then ${trigger}: interrupted, waits without polling, resumes at once`, async function () {
      this.timeout(20_000);
      const expected = await uncut('/api/agent37');
      const c = client();
      let offline = true;
      const a = await chat(c, key(), { reconnect: { giveUpAfterMs: 300 } });
      c.net.add({ when: isPost, fault: 'drop-after-bytes=2500', pace: '5', times: 1 });
      // every reattach fails while "offline"
      c.net.add({ when: (r) => offline && (isAttach(r) || isSessionRead(r)), fault: 'status=503' });
      await a.session.send(INPUT);
      await until(() => lastAnswer(a.session).status === 'interrupted', 'Connection lost');
      expect(lastAnswer(a.session).error?.code).to.equal('agent_unavailable');
      const attempts = c.net.count('GET', '/stream');
      await sleep(500);
      expect(c.net.count('GET', '/stream'), 'no retries while interrupted').to.equal(attempts);
      offline = false;
      if (trigger === 'online') window.dispatchEvent(new Event('online'));
      else if (trigger === 'visibilitychange') document.dispatchEvent(new Event('visibilitychange'));
      else a.session.resume();
      await idle(a.session);
      expect(document.visibilityState).to.equal('visible');
      expect(visible(lastAnswer(a.session))).to.deep.equal(expected);
      expect(a.statuses.indexOf('interrupted')).to.be.below(a.statuses.lastIndexOf('streaming'));
      expect(a.statuses.at(-1)).to.equal('complete');
      expect(a.hooks.completed.length).to.equal(1);
      expect(c.net.requests.filter(isPost).length).to.equal(1);
    });
  }

  it('after the replay buffer expired: the synthesized replay gives the final text; reasoning seen stays', async function () {
    this.timeout(30_000);
    const expected = await uncut('/api/agent37-expiring');
    const c = client('/api/agent37-expiring');
    let blocked = true;
    const a = await chat(c, key(), { reconnect: { giveUpAfterMs: 300 } });
    c.net.add({ when: isPost, fault: 'drop-after-bytes=3000', pace: '2', times: 1 });
    c.net.add({ when: (r) => blocked && isAttach(r), fault: 'status=503' });
    await a.session.send(INPUT);
    await until(() => lastAnswer(a.session).status === 'interrupted', 'Connection lost');
    const seen = lastAnswer(a.session);
    expect(seen.text.length).to.be.above(0);
    expect(seen.text.length).to.be.below(expected.text.length);
    await turnOver(c, a.session.snapshot.sessionId!);
    await sleep(2000); // past the 1.5 s buffer
    blocked = false;
    a.session.resume();
    await idle(a.session);
    const answer = lastAnswer(a.session);
    expect(answer.status).to.equal('complete');
    expect(answer.text).to.equal(expected.text);
    expect(answer.reasoning).to.equal(seen.reasoning);
    expect(expected.reasoning.startsWith(seen.reasoning)).to.equal(true);
    expect(a.hooks.completed.length).to.equal(1);
  });

  it('detached, then reattached after the buffer expired: the synthesized replay from scratch', async function () {
    this.timeout(30_000);
    const expected = await uncut('/api/agent37-expiring');
    const c = client('/api/agent37-expiring');
    const first = runner(c);
    c.net.add({ when: isPost, pace: '2', times: 1 });
    const done = first.r.run({ kind: 'create', body: { input: INPUT } });
    const { responseId, sessionId } = await first.r.accepted;
    first.r.detach();
    expect((await done).kind).to.equal('detached');
    expect(c.net.count('POST', '/cancel')).to.equal(0);
    await turnOver(c, sessionId);
    await sleep(2000);
    const second = runner(c);
    const outcome = await second.r.run({ kind: 'attach', responseId: responseId!, sessionId, input: INPUT });
    expect(outcome).to.deep.include({ kind: 'completed', via: 'stream' });
    expect(second.answer().text).to.equal(expected.text);
    // reasoning and tool events are gone from a synthesized replay
    expect(second.events.map((e) => e.event)).to.deep.equal(['response.created', 'response.output_text.delta', 'response.completed']);
  });

  it('after the record expired (404 response_not_found): the answer comes from the session history', async function () {
    this.timeout(30_000);
    const expected = await uncut('/api/agent37-expiring');
    const c = client('/api/agent37-expiring');
    let blocked = true;
    const a = await chat(c, key(), { reconnect: { giveUpAfterMs: 300 } });
    c.net.add({ when: isPost, fault: 'drop-after-bytes=3000', pace: '2', times: 1 });
    c.net.add({ when: (r) => blocked && isAttach(r), fault: 'status=503' });
    await a.session.send(INPUT);
    await until(() => lastAnswer(a.session).status === 'interrupted', 'Connection lost');
    const seen = lastAnswer(a.session);
    await turnOver(c, a.session.snapshot.sessionId!);
    await sleep(4500); // past the 4 s record
    blocked = false;
    const attachesBefore = c.net.count('GET', '/stream');
    a.session.resume();
    await idle(a.session);
    expect(c.net.count('GET', '/stream')).to.equal(attachesBefore + 1);
    const answer = lastAnswer(a.session);
    expect(answer.status).to.equal('complete');
    expect(answer.text).to.equal(expected.text);
    expect(answer.reasoning).to.equal(seen.reasoning);
    expect(a.hooks.completed.length).to.equal(1);
    expect(a.session.snapshot.messages.filter((m) => m.role === 'user').length).to.equal(1);
  });

  it('a new runner after the record expired reads the history, thinking included', async function () {
    this.timeout(30_000);
    const expected = await uncut('/api/agent37-expiring');
    const c = client('/api/agent37-expiring');
    const first = runner(c);
    c.net.add({ when: isPost, pace: '2', times: 1 });
    const done = first.r.run({ kind: 'create', body: { input: INPUT } });
    const { responseId, sessionId } = await first.r.accepted;
    first.r.detach();
    await done;
    await turnOver(c, sessionId);
    await sleep(4500);
    const second = runner(c);
    const outcome: TurnOutcome = await second.r.run({ kind: 'attach', responseId: responseId!, sessionId, input: INPUT });
    expect(outcome).to.deep.include({ kind: 'completed', via: 'history' });
    expect(second.answer().text).to.equal(expected.text);
    expect(second.answer().reasoning).to.equal(expected.reasoning);
    expect(second.answer().status).to.equal('complete');
  });

  it('a cut before response.created after the turn already ended: found in the history, never re-sent', async function () {
    this.timeout(20_000);
    const expected = await uncut('/api/agent37');
    const c = client();
    const a = await chat(c, key());
    await a.session.send('First [chars=5] [no-tools] [no-reasoning]');
    await idle(a.session);
    // nothing of the stream arrives, and the session is read only once the (fast) turn is long over
    c.net.add({ when: isPost, fault: 'drop-after-bytes=1', times: 1 });
    c.net.add({ when: isSessionRead, delayMs: 1000, times: 1 });
    await a.session.send(INPUT);
    await idle(a.session);
    const answer = lastAnswer(a.session);
    expect(answer.status).to.equal('complete');
    expect(answer.text).to.equal(expected.text);
    expect(answer.reasoning).to.equal(expected.reasoning);
    expect(a.hooks.completed.length).to.equal(2);
    expect(c.net.requests.filter(isPost).length).to.equal(2);
    expect(a.session.snapshot.messages.filter((m) => m.role === 'user').length).to.equal(2);
  });

  for (const prefix of ['/api/agent37', '/api/agent37-first'] as const) {
    it(`a reload in the middle (${prefix}): the new session shows the history, then finishes the answer live`, async function () {
      this.timeout(30_000);
      const expected = await uncut(prefix);
      const c = client(prefix);
      const persistKey = key();
      const a = await chat(c, persistKey);
      await a.session.send('First [chars=5] [no-tools] [no-reasoning]');
      await idle(a.session);
      c.net.add({ when: isPost, pace: '10', times: 1 });
      await a.session.send(INPUT);
      await until(() => lastAnswer(a.session).text.length > 50, 'part of the answer');
      a.session.dispose();

      const b = await chat(c, persistKey);
      await b.session.restore();
      expect(b.session.snapshot.messages.map((m) => [m.role, m.role === 'user' ? m.text : '…'])).to.deep.equal([
        ['user', 'First [chars=5] [no-tools] [no-reasoning]'],
        ['assistant', '…'],
        ['user', INPUT],
        ['assistant', '…'],
      ]);
      expect(b.session.snapshot.busy).to.equal(true);
      await idle(b.session);
      expect(visible(lastAnswer(b.session))).to.deep.equal(expected);
      expect(b.hooks.completed.length).to.equal(1);
      expect(a.hooks.completed.length).to.equal(1); // only the first turn: the disposed one said nothing more
      expect(c.net.count('POST', '/cancel')).to.equal(0);
      expect(c.net.requests.filter(isPost).length).to.equal(2);
      expect((await b.persistence.load()).responseId).to.equal(null);
    });
  }
});

describe('turn runner: lost POSTs, refusals and waits', () => {
  it('a first message cut inside response.created: the new session is found, the answer completes, one POST', async function () {
    this.timeout(20_000);
    const expected = await uncut('/api/agent37');
    const c = client();
    const a = await chat(c, key());
    await a.session.restore();
    // an older conversation of the same visitor exists: it must not be mistaken for the new one
    const old = await chat(c, key());
    await old.session.send('Older [chars=5] [no-tools] [no-reasoning]');
    await idle(old.session);
    await a.session.restore();
    // the relay saw response.created (and so knows the new session is this visitor's); the page got 20 bytes of it
    c.net.add({ when: isPost, cutAfterBytes: 20, pace: '5', times: 1 });
    await a.session.send(INPUT);
    await idle(a.session);
    expect(visible(lastAnswer(a.session))).to.deep.equal(expected);
    expect(a.session.snapshot.sessionId).to.match(/^[0-9a-f]{32}$/);
    expect(a.session.snapshot.sessionId).to.not.equal(old.session.snapshot.sessionId);
    expect(c.net.requests.filter(isPost).length).to.equal(2); // the older conversation's and this one
    expect(a.hooks.completed.length).to.equal(1);
  });

  it('502 on a POST in a known session: looks for the turn, never sends again; no turn → the text comes back', async function () {
    this.timeout(20_000);
    const c = client();
    const a = await chat(c, key());
    await a.session.send('First [chars=5] [no-tools] [no-reasoning]');
    await idle(a.session);
    const reads = c.net.count('GET', /\/v1\/sessions\/[^/]+$/);
    c.net.add({ when: isPost, fault: 'status=502', times: 1 });
    const e = await rejection(a.session.send('Second'));
    expect([e.status, e.code]).to.deep.equal([502, 'agent_error']);
    expect(c.net.count('GET', /\/v1\/sessions\/[^/]+$/)).to.be.above(reads);
    await sleep(300);
    expect(c.net.requests.filter(isPost).length).to.equal(2);
    expect(a.session.snapshot.messages.map((m) => m.role)).to.deep.equal(['user', 'assistant']);
    expect(a.session.snapshot.notice?.code).to.equal('agent_error');
  });

  it('newConversation() during a Retry-After wait: the send is superseded, nothing shown or reported, nothing re-sent', async function () {
    this.timeout(20_000);
    const c = client();
    const a = await chat(c, key());
    await a.session.restore();
    c.net.add({ when: isPost, fault: 'status=429,retry-after=2', times: 1 });
    const refused = rejection(a.session.send(INPUT));
    await until(() => a.statuses.includes('waiting'), 'the waiting state');
    await a.session.newConversation();
    const e = await refused;
    expect(e.code).to.equal('superseded');
    await sleep(2500);
    expect(a.session.snapshot.notice).to.equal(null);
    expect(a.session.snapshot.messages).to.deep.equal([]);
    expect(a.hooks.errors).to.deep.equal([]);
    expect(c.net.requests.filter(isPost).length).to.equal(1);
  });

  it('401 on reattach (still refused after the refresh): interrupted with unauthorized, the error hook fires once', async function () {
    this.timeout(20_000);
    const expected = await uncut('/api/agent37');
    const c = client();
    const a = await chat(c, key(), { reconnect: { giveUpAfterMs: 300 } });
    // paced, so the turn still runs if Chromium throws away the bytes that held response.created
    c.net.add({ when: isPost, fault: 'drop-after-bytes=2500', pace: '2', times: 1 });
    // the attach and its retry with a refreshed token are both refused
    c.net.add({ when: isAttach, authorization: 'Bearer signed-out', times: 2 });
    await a.session.send(INPUT);
    await until(() => lastAnswer(a.session).status === 'interrupted', 'the interrupted state');
    expect(lastAnswer(a.session).error?.code).to.equal('unauthorized');
    await sleep(500);
    expect(a.hooks.errors.map((x) => x.code)).to.deep.equal(['unauthorized']);
    a.session.resume();
    await idle(a.session);
    expect(visible(lastAnswer(a.session))).to.deep.equal(expected);
    expect(a.hooks.errors.length).to.equal(1);
    expect(c.net.requests.filter(isPost).length).to.equal(1);
  });

  it('Stop whose cancel POST fails: the answer ends complete (not stopped) and the error is reported', async function () {
    this.timeout(20_000);
    const expected = await uncut('/api/agent37');
    const c = client();
    const a = await chat(c, key());
    c.net.add({ when: isPost, pace: '5', times: 1 });
    c.net.add({ when: isCancel, fault: 'status=500', times: 1 });
    await a.session.send(INPUT);
    await until(() => lastAnswer(a.session).text.length > 0, 'part of the answer');
    await a.session.cancel();
    await idle(a.session);
    expect(visible(lastAnswer(a.session))).to.deep.equal(expected);
    expect(a.hooks.errors.map((x) => x.code)).to.deep.equal(['internal_error']);
    expect(a.hooks.completed.length).to.equal(1);
  });

  it('503 with Retry-After on a reattach: the next attach waits at least that long', async function () {
    this.timeout(20_000);
    const expected = await uncut('/api/agent37');
    const c = client();
    const a = await chat(c, key(), { reconnect: { baseMs: 10, capMs: 20 } });
    // paced, so the turn still runs if Chromium throws away the bytes that held response.created
    c.net.add({ when: isPost, fault: 'drop-after-bytes=2500', pace: '2', times: 1 });
    c.net.add({ when: isAttach, fault: 'status=503,retry-after=1', times: 1 });
    await a.session.send(INPUT);
    await idle(a.session);
    expect(visible(lastAnswer(a.session))).to.deep.equal(expected);
    const attaches = c.net.requests.filter(isAttach);
    expect(attaches.length).to.equal(2);
    expect(attaches[1]!.at - attaches[0]!.at).to.be.at.least(1000);
  });

  it('a reattach 404 whose session was deleted too: the turn fails with a clear error, no endless reconnecting', async function () {
    this.timeout(30_000);
    const c = client('/api/agent37-expiring');
    let blocked = true;
    const a = await chat(c, key(), { reconnect: { giveUpAfterMs: 300 } });
    c.net.add({ when: isPost, fault: 'drop-after-bytes=3000', pace: '2', times: 1 });
    c.net.add({ when: (r) => blocked && isAttach(r), fault: 'status=503' });
    await a.session.send(INPUT);
    await until(() => lastAnswer(a.session).status === 'interrupted', 'Connection lost');
    const sessionId = a.session.snapshot.sessionId!;
    await turnOver(c, sessionId);
    await c.api.deleteSession(sessionId);
    await sleep(4500); // past the 4 s record: /stream answers 404 response_not_found
    blocked = false;
    a.session.resume();
    await idle(a.session, 10_000);
    const answer = lastAnswer(a.session);
    expect(answer.status).to.equal('failed');
    expect(answer.error?.code).to.equal('session_not_found');
    expect(a.hooks.errors.at(-1)?.code).to.equal('session_not_found');
  });
});

/** Another tab of the same visitor starts a long turn in `sessionId`; returns its stream, past response.created. */
async function startTurnInOtherTab(c: Client, sessionId: string) {
  const other = await c.api.createResponse({ input: 'Other tab [slow]', session_id: sessionId });
  const reader = readEvents(other.body!);
  const created = (await reader.next()).value as StreamEvent;
  if (created.event !== 'response.created') throw new Error('no response.created');
  return { reader, created };
}
