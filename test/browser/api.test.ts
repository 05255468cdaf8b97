import { expect } from '@open-wc/testing';
import { Agent37Api } from '../../src/client/api.js';
import type { StreamEvent } from '../../src/contract/gateway.js';
import { readEvents } from '../../src/client/sse.js';
import { TokenSource } from '../../src/client/token.js';
import { client, rejection } from '../support/client-harness.js';

async function allEvents(response: Response): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of readEvents(response.body!)) events.push(e);
  return events;
}

describe('Agent37Api through the relay', () => {
  it('runs a turn, then reads, lists, renames and deletes its session', async () => {
    const { api, net } = client();
    expect(await api.listSessions()).to.deep.equal([]);
    const response = await api.createResponse({ input: 'Say hi [chars=40] [no-tools]' });
    expect(response.headers.get('content-type')).to.contain('text/event-stream');
    const events = await allEvents(response);
    const created = events[0];
    expect(created?.event).to.equal('response.created');
    const last = events.at(-1);
    expect(last?.event).to.equal('response.completed');
    if (created?.event !== 'response.created' || last?.event !== 'response.completed') return;
    expect(last.data.output_text).to.have.length(40);
    const post = net.requests.find((r) => r.path.endsWith('/v1/responses'));
    expect(post?.headers.get('authorization')).to.match(/^Bearer ey/);

    const session = await api.getSession(created.data.session_id);
    expect(session.history.map((h) => h.role)).to.deep.equal(['user', 'assistant']);
    expect(session.history[1]?.content).to.equal(last.data.output_text);
    expect((await api.listSessions()).map((s) => s.id)).to.deep.equal([created.data.session_id]);

    // the replay of a finished turn: every event again, from the start
    const replay = await allEvents(await api.attachStream(created.data.id));
    expect(replay).to.deep.equal(events);

    const cancelled = await api.cancel(created.data.id);
    expect(cancelled.status).to.equal('completed');

    await api.renameSession(created.data.session_id, 'Greetings');
    await api.deleteSession(created.data.session_id);
    // Hermes answers a deleted session with 200 and no history; through the relay it is the user's no
    // more, so 404 (as the first revision answers, below)
    const gone = await rejection(api.getSession(created.data.session_id));
    expect([gone.status, gone.code]).to.deep.equal([404, 'session_not_found']);
    expect(await api.listSessions()).to.deep.equal([]);
  });

  it('models and health', async () => {
    const { api } = client();
    const models = await api.models();
    expect(models.default_model).to.be.a('string');
    expect(models.data.some((m) => m.is_default)).to.equal(true);
    expect(await api.health()).to.have.property('ok', true);
  });

  it("another user's session is not found", async () => {
    const a = client();
    const events = await allEvents(await a.api.createResponse({ input: 'mine [chars=5] [no-tools] [no-reasoning]' }));
    const created = events[0];
    if (created?.event !== 'response.created') throw new Error('no response.created');
    const b = client();
    expect((await rejection(b.api.getSession(created.data.session_id))).code).to.equal('session_not_found');
    expect((await rejection(b.api.attachStream(created.data.id))).code).to.equal('response_not_found');
  });

  it('gateway errors become typed errors: status, code, message, Retry-After', async () => {
    const { api, net } = client();
    net.add({ when: (r) => r.path.endsWith('/v1/models'), fault: 'status=500', times: 1 });
    const e500 = await rejection(api.models());
    expect([e500.status, e500.code]).to.deep.equal([500, 'internal_error']);
    expect(e500.message).to.be.a('string').and.not.empty;

    net.add({ when: (r) => r.path.endsWith('/v1/models'), fault: 'status=429,retry-after=7', times: 1 });
    const e429 = await rejection(api.models());
    expect([e429.status, e429.code, e429.retryAfterMs]).to.deep.equal([429, 'rate_limited', 7000]);

    // a 4xx from the gateway is final: exactly one request, no retry
    const before = net.count('GET', /\/v1\/sessions\//);
    const e404 = await rejection(api.getSession('0'.repeat(32)));
    expect([e404.status, e404.code]).to.deep.equal([404, 'session_not_found']);
    expect(net.count('GET', /\/v1\/sessions\//) - before).to.equal(1);
  });

  it('the first revision: rename is refused with its own code; a deleted session is a 404', async () => {
    const { api } = client('/api/agent37-first');
    const events = await allEvents(await api.createResponse({ input: 'hello [chars=5] [no-tools] [no-reasoning]' }));
    const created = events[0];
    if (created?.event !== 'response.created') throw new Error('no response.created');
    const e = await rejection(api.renameSession(created.data.session_id, 'x'));
    expect([e.status, e.code]).to.deep.equal([405, 'rename_unsupported']);
    expect((await api.getResponse(created.data.id)).status).to.equal('completed');
    await api.deleteSession(created.data.session_id);
    const gone = await rejection(api.getSession(created.data.session_id));
    expect([gone.status, gone.code]).to.deep.equal([404, 'session_not_found']);
  });

  it('no answer at all is a network_error', async () => {
    const tokens = new TokenSource({ getToken: async () => ({ token: 'jwt', expires_at: Date.now() + 600_000, api_base: 'http://127.0.0.1:1/api' }) });
    const e = await rejection(new Agent37Api({ tokens }).models());
    expect([e.code, e.status]).to.deep.equal(['network_error', 0]);
    expect(e.message).to.match(/connection/i);
  });
});
