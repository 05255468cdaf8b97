import { expect } from '@open-wc/testing';
import { createStore, get } from 'idb-keyval';
import { MAX_REQUEST_BYTES } from '../../src/contract/gateway.js';
import { historyTurns } from '../../src/contract/history-turns.js';
import { persistenceDbName } from '../../src/state/persistence.js';
import { chat, client, idle, isPost, isSessionRead, lastAnswer, rejection } from '../support/client-harness.js';

const key = () => `chat-session-${Date.now()}-${Math.random().toString(36).slice(2)}`;

describe('ChatSession', () => {
  it('a first message creates a session whose id lands in IndexedDB; a reload shows the history and continues it', async () => {
    const c = client();
    const persistKey = key();
    const a = await chat(c, persistKey);
    await a.session.restore();
    expect(a.session.snapshot.messages).to.deep.equal([]);

    const sent = a.session.send('Hello there [chars=60]');
    // the visitor's message shows at once, before the server answered
    expect(a.session.snapshot.messages[0]).to.include({ role: 'user', text: 'Hello there [chars=60]' });
    expect(a.session.snapshot.busy).to.equal(true);
    await sent;
    const done = await idle(a.session);
    const sessionId = done.sessionId;
    expect(sessionId).to.match(/^[0-9a-f]{32}$/);
    const answer = lastAnswer(a.session);
    expect(answer.status).to.equal('complete');
    expect(answer.text).to.have.length(60);
    expect(answer.steps.length).to.be.above(0);
    expect(answer.steps.every((s) => s.status !== 'running')).to.equal(true);
    expect(a.hooks.created.map((x) => x.sessionId)).to.deep.equal([sessionId]);
    expect(a.hooks.sessions).to.deep.equal([sessionId]);
    expect(a.hooks.completed.length).to.equal(1);
    expect(a.hooks.completed[0]?.text).to.equal(answer.text);

    const grant = await c.tokens.get();
    const store = createStore(persistenceDbName(grant.api_base, persistKey), 'kv');
    expect(await get('session', store)).to.equal(sessionId);
    // the in-flight response id is cleared once the turn ended
    expect(await get('response', store)).to.equal(null);
    a.session.dispose();

    // a reload: same persist key, new session object
    const b = await chat(c, persistKey);
    await b.session.restore();
    expect(b.session.snapshot.sessionId).to.equal(sessionId);
    expect(b.session.snapshot.messages.map((m) => [m.role, m.text])).to.deep.equal([
      ['user', 'Hello there [chars=60]'],
      ['assistant', answer.text],
    ]);
    await b.session.send('And again [chars=10] [no-tools]');
    await idle(b.session);
    expect(b.session.snapshot.sessionId).to.equal(sessionId);
    expect(b.session.snapshot.messages.length).to.equal(4);
    const history = await c.api.getSession(sessionId!);
    // two turns (a turn that used tools may have left an interim row too)
    expect(historyTurns(history.history).map((t) => t.user?.content)).to.deep.equal(['Hello there [chars=60]', 'And again [chars=10] [no-tools]']);
    // every POST after the first named the session
    const bodies = c.net.requests.filter(isPost);
    expect(bodies.length).to.equal(2);
  });

  it('another persist key (another user of the page) does not see the conversation', async () => {
    const c = client();
    const a = await chat(c, key());
    await a.session.send('mine [chars=5] [no-tools] [no-reasoning]');
    await idle(a.session);
    const b = await chat(c, key());
    await b.session.restore();
    expect(b.session.snapshot.sessionId).to.equal(null);
    expect(b.session.snapshot.messages).to.deep.equal([]);
  });

  it('refuses an empty message and one over the request cap without sending anything', async () => {
    const c = client();
    const a = await chat(c, key());
    await a.session.restore();
    const empty = await rejection(a.session.send('  \n\t '));
    expect(empty.code).to.equal('empty_message');
    // 2 MB of text, a little over the cap once in the JSON body; multi-byte characters are counted as bytes
    const big = 'é'.repeat(MAX_REQUEST_BYTES / 2);
    const tooLarge = await rejection(a.session.send(big));
    expect(tooLarge.code).to.equal('payload_too_large');
    expect(tooLarge.message).to.contain('2 MB');
    // nothing sent: the only call is the session list read ahead of a first message (see ChatSession.listSessionsBefore)
    expect(c.net.requests.filter((r) => r.path.includes('/v1/') && !(r.method === 'GET' && r.path.endsWith('/v1/sessions')))).to.deep.equal([]);
    expect(a.session.snapshot.messages).to.deep.equal([]);
    expect(a.session.snapshot.busy).to.equal(false);
  });

  it('a turn that fails ([fail]) ends as a failed answer with the error; no completion', async () => {
    const c = client();
    const a = await chat(c, key());
    await a.session.send('Please [fail]');
    await idle(a.session);
    const answer = lastAnswer(a.session);
    expect(answer.status).to.equal('failed');
    expect(answer.error?.code).to.equal('agent_error');
    expect(answer.error?.message).to.be.a('string').and.not.empty;
    expect(a.hooks.completed.length).to.equal(0);
    expect(a.hooks.errors.map((e) => e.code)).to.deep.equal(['agent_error']);
    expect(a.session.snapshot.messages.map((m) => m.role)).to.deep.equal(['user', 'assistant']);
  });

  it('a server error on the POST (500) refuses the send: the message goes back, the notice says why', async () => {
    const c = client();
    const a = await chat(c, key());
    c.net.add({ when: isPost, fault: 'status=500', times: 1 });
    const e = await rejection(a.session.send('Hello [chars=5]'));
    expect([e.status, e.code]).to.deep.equal([500, 'internal_error']);
    expect(a.session.snapshot.messages).to.deep.equal([]);
    expect(a.session.snapshot.busy).to.equal(false);
    expect(a.session.snapshot.notice?.code).to.equal('internal_error');
    expect(c.net.requests.filter(isPost).length).to.equal(1);
    // the visitor sends again: it works, and the notice is gone
    await a.session.send('Hello [chars=5]');
    await idle(a.session);
    expect(lastAnswer(a.session).status).to.equal('complete');
    expect(a.session.snapshot.notice).to.equal(null);
  });

  it('a stored session the server does not know starts fresh, silently, and is forgotten', async () => {
    const c = client();
    const persistKey = key();
    const a = await chat(c, persistKey);
    await a.persistence.save({ sessionId: 'f'.repeat(32), responseId: 'e'.repeat(32) });
    await a.session.restore();
    expect(a.session.snapshot.sessionId).to.equal(null);
    expect(a.session.snapshot.messages).to.deep.equal([]);
    expect(a.session.snapshot.notice).to.equal(null);
    expect(a.hooks.errors).to.deep.equal([]);
    expect(await (await chat(c, persistKey)).persistence.load()).to.deep.equal({ sessionId: null, responseId: null, pendingInput: null, historyBefore: null });
  });

  it('newConversation forgets the session without cancelling the running turn', async () => {
    const c = client();
    const persistKey = key();
    const a = await chat(c, persistKey);
    c.net.add({ when: isPost, pace: '40' });
    await a.session.send('Tell me about streams');
    const running = a.hooks.created[0]!;
    await a.session.newConversation();
    expect(a.session.snapshot).to.deep.include({ sessionId: null, busy: false, notice: null });
    expect(a.session.snapshot.messages).to.deep.equal([]);
    expect(a.hooks.sessions.at(-1)).to.equal(null);
    expect((await a.persistence.load()).sessionId).to.equal(null);
    expect(c.net.count('POST', '/cancel')).to.equal(0);
    // the old turn goes on to its end on the server
    const detail = await c.api.getSession(running.sessionId);
    expect(detail.active_response_id).to.equal(running.id);
  });

  it('Stop cancels on the server and keeps the partial answer, marked stopped', async () => {
    const c = client();
    const a = await chat(c, key());
    c.net.add({ when: isPost, pace: '40' });
    await a.session.send('Tell me about streams');
    // wait for some of the answer, then Stop
    const started = performance.now();
    while (lastAnswer(a.session).text.length < 20 && performance.now() - started < 15_000) await new Promise((r) => setTimeout(r, 20));
    await a.session.cancel();
    await idle(a.session);
    const answer = lastAnswer(a.session);
    expect(answer.status).to.equal('stopped');
    expect(answer.text.length).to.be.above(0);
    expect(c.net.count('POST', '/cancel')).to.equal(1);
    expect(a.hooks.completed.map((m) => m.status)).to.deep.equal(['stopped']);
    const history = await c.api.getSession(a.session.snapshot.sessionId!);
    expect(history.history.at(-1)?.content).to.equal(answer.text);
  });

  it('a restore whose history read fails is tried again before the next send, which then continues the conversation', async () => {
    const c = client();
    const persistKey = key();
    const a = await chat(c, persistKey);
    await a.session.send('Hello there [chars=20] [no-tools] [no-reasoning]');
    await idle(a.session);
    const sessionId = a.session.snapshot.sessionId;
    a.session.dispose();

    const b = await chat(c, persistKey);
    c.net.add({ when: isSessionRead, fault: 'status=503', times: 1 });
    await b.session.restore();
    expect(b.session.snapshot.messages).to.deep.equal([]);
    expect(b.session.snapshot.notice?.code).to.equal('agent_unavailable');
    await b.session.send('And again [chars=10] [no-tools] [no-reasoning]');
    // the history came first, then the new message
    expect(b.session.snapshot.messages.map((m) => m.role === 'user' && m.text)).to.deep.equal([
      'Hello there [chars=20] [no-tools] [no-reasoning]',
      false,
      'And again [chars=10] [no-tools] [no-reasoning]',
      false,
    ]);
    await idle(b.session);
    expect(b.session.snapshot.sessionId).to.equal(sessionId);
    expect(b.session.snapshot.notice).to.equal(null);
    expect(c.net.count('GET', `/v1/sessions/${sessionId}`)).to.equal(2);
    expect((await c.api.getSession(sessionId!)).history.length).to.equal(4);
  });
});
