import { expect } from '@open-wc/testing';
import { Agent37Api } from '../../src/client/api.js';
import type { TokenGrant } from '../../src/contract/gateway.js';
import { TokenSource } from '../../src/client/token.js';
import { client, RecordingFetch, rejection, sleep } from '../support/client-harness.js';

describe('TokenSource', () => {
  it('POSTs the token URL with same-origin credentials, resolves a path api_base, keeps the token in memory only', async () => {
    const { tokens, net } = client();
    const grant = await tokens.get();
    expect(grant.api_base).to.equal(`${location.origin}/api/agent37`);
    expect(grant.token).to.be.a('string').and.not.empty;
    expect(net.count('POST', '/api/agent37/token')).to.equal(1);
    expect(net.requests[0]?.credentials).to.equal('same-origin');
    // a fresh token is reused, not fetched again
    await tokens.get();
    expect(net.count('POST', '/api/agent37/token')).to.equal(1);
    // never written anywhere a script or a later visitor could read it
    expect(JSON.stringify({ ...localStorage })).not.to.contain(grant.token);
    expect(JSON.stringify({ ...sessionStorage })).not.to.contain(grant.token);
    expect(document.cookie).not.to.contain(grant.token);
  });

  it('passes credentials through when the page sets them', async () => {
    const { tokens, net } = client('/api/agent37', { credentials: 'include' });
    await tokens.get();
    expect(net.requests[0]?.credentials).to.equal('include');
  });

  it('concurrent callers share one request (single flight)', async () => {
    const { tokens, net } = client();
    const grants = await Promise.all(Array.from({ length: 8 }, () => tokens.get()));
    expect(net.count('POST', '/api/agent37/token')).to.equal(1);
    expect(new Set(grants.map((g) => g.token)).size).to.equal(1);
    // and so do concurrent refreshes after a 401 with the same token
    const refreshed = await Promise.all(Array.from({ length: 5 }, () => tokens.refresh(grants[0]!.token)));
    expect(net.count('POST', '/api/agent37/token')).to.equal(2);
    expect(new Set(refreshed.map((g) => g.token)).size).to.equal(1);
  });

  it('refreshes ahead of expires_at', async () => {
    const { tokens, net } = client('/api/agent37', { ttl: 3 });
    const first = await tokens.get();
    await tokens.get();
    expect(net.count('POST', '/api/agent37/token')).to.equal(1);
    // the token's exp is in whole seconds, so it lives 2–3 s and the refresh margin (10% of that) is
    // 200–300 ms: 40 ms before expiry the old token is not handed out again
    await sleep(Math.max(0, first.expires_at - Date.now() - 40));
    const second = await tokens.get();
    expect(net.count('POST', '/api/agent37/token')).to.equal(2);
    expect(second.expires_at).to.be.above(first.expires_at);
  });

  it('after a 401 the API refreshes once and retries once', async () => {
    const net = new RecordingFetch();
    const seen: (TokenGrant | null)[] = [];
    const mint = async (ttl: number): Promise<TokenGrant> => {
      const r = await fetch(`/api/agent37/token?ttl=${ttl}`, { method: 'POST' });
      return r.json();
    };
    // the first token is already expired: the relay answers 401, the second one works
    const tokens = new TokenSource({
      getToken: async (previous) => {
        seen.push(previous);
        return mint(seen.length === 1 ? -60 : 600);
      },
    });
    const api = new Agent37Api({ tokens, fetch: net.fetch });
    const models = await api.models();
    expect(models.data).to.be.an('array').and.not.empty;
    expect(net.count('GET', '/v1/models')).to.equal(2);
    expect(seen.length).to.equal(2);
    expect(seen[0]).to.equal(null);
    expect(seen[1]?.token).to.be.a('string');
  });

  it('a second 401 is a clear unauthorized error, after exactly one refresh', async () => {
    const { api, net } = client('/api/agent37', { ttl: -60 });
    const error = await rejection(api.models());
    expect(error.code).to.equal('unauthorized');
    expect(error.status).to.equal(401);
    expect(error.message).to.match(/refused the token, a freshly fetched one too/);
    expect(net.count('GET', '/v1/models')).to.equal(2);
    expect(net.count('POST', '/api/agent37/token')).to.equal(2);
  });

  it('failures are typed and backed off: a caller asking again right away waits, never a tight loop', async () => {
    const net = new RecordingFetch();
    const tokens = new TokenSource({ tokenUrl: '/api/agent37/no-such-token-endpoint', fetch: net.fetch });
    const first = await rejection(tokens.get());
    expect(first.code).to.equal('token_error');
    expect(first.status).to.equal(404);
    // a page that retries as fast as it can for 1.4 s after the first attempt
    const stopAt = net.requests[0]!.at + 1400;
    let calls = 1;
    while (performance.now() < stopAt) {
      calls++;
      const e = await rejection(tokens.get());
      expect(e.code).to.equal('token_error');
    }
    // base 1 s, equal jitter: the second attempt comes ≥ 500 ms after the first, the third ≥ 1 s after
    // that; a tight loop would have made hundreds
    expect(net.requests.filter((r) => r.at < stopAt).length).to.be.at.most(2);
    expect(net.requests.length).to.be.within(2, 3);
    expect(calls).to.be.at.least(2);
    tokens.dispose();
  });

  it('a network failure reaching the token endpoint is token_unreachable with status 0', async () => {
    const tokens = new TokenSource({ tokenUrl: 'http://127.0.0.1:1/token' });
    const e = await rejection(tokens.get());
    expect(e.code).to.equal('token_unreachable');
    expect(e.status).to.equal(0);
  });

  it('refuses a secret key (sk_live_) and never sends it anywhere', async () => {
    const net = new RecordingFetch();
    const tokens = new TokenSource({
      getToken: async () => ({ token: 'sk_live_0123456789abcdef', expires_at: Date.now() + 600_000, api_base: '/api/agent37' }),
    });
    const api = new Agent37Api({ tokens, fetch: net.fetch });
    const e = await rejection(api.models());
    expect(e.code).to.equal('token_refused_secret_key');
    expect(e.message).to.match(/secret key must never be sent to a browser/i);
    expect(e.message).not.to.contain('0123456789abcdef');
    expect(net.requests.length).to.equal(0);
  });

  it('getToken: a path api_base resolves against the page; the previous grant is passed back', async () => {
    const previous: (TokenGrant | null)[] = [];
    const tokens = new TokenSource({
      getToken: async (p) => {
        previous.push(p);
        const r = await fetch('/api/agent37/token', { method: 'POST' });
        return r.json();
      },
    });
    const grant = await tokens.get();
    expect(grant.api_base).to.equal(new URL('/api/agent37', location.href).href);
    const api = new Agent37Api({ tokens });
    expect((await api.health()) as { ok?: boolean }).to.have.property('ok', true);
    await tokens.refresh(grant.token);
    expect(previous[0]).to.equal(null);
    expect(previous[1]?.token).to.equal(grant.token);
  });
});
