/**
 * The token + relay path from a real page, same-origin through the test stack: what the widget's own
 * requests go through, without the widget.
 */
import { expect } from '@open-wc/testing';


interface Grant {
  token: string;
  expires_at: number;
  api_base: string;
}

async function grant(prefix = '/api/agent37', query = ''): Promise<Grant> {
  const response = await fetch(`${prefix}/token${query}`, { method: 'POST' });
  expect(response.status).to.equal(200);
  expect(response.headers.get('cache-control')).to.equal('no-store');
  return (await response.json()) as Grant;
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Reads a whole SSE body into its events (enough for a test; the widget uses its own parser). */
async function events(response: Response): Promise<{ event: string; data: any }[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .map((frame) => frame.split('\n').filter((line) => !line.startsWith(':')))
    .filter((lines) => lines.some((line) => line.startsWith('event:')))
    .map((lines) => ({
      event: lines.find((line) => line.startsWith('event:'))!.slice(6).trim(),
      data: JSON.parse(lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n')),
    }));
}

describe('token endpoint and relay from a page', () => {
  it('mints a token whose api_base is the relay, and the relay answers with it', async () => {
    const { token, expires_at, api_base } = await grant();
    expect(api_base).to.equal('/api/agent37');
    expect(expires_at).to.be.greaterThan(Date.now());
    const models = await fetch(`${api_base}/v1/models`, { headers: bearer(token) });
    expect(models.status).to.equal(200);
    expect((await models.json()).data.length).to.be.greaterThan(0);
  });

  it('streams a turn through the relay and keeps the session to its user', async () => {
    const alice = await grant('/api/agent37', '?user=alice');
    const response = await fetch('/api/agent37/v1/responses', {
      method: 'POST',
      headers: { ...bearer(alice.token), 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Hello from the browser [chars=50]', stream: true }),
    });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/event-stream/);
    const turn = await events(response);
    expect(turn[0]!.event).to.equal('response.created');
    const last = turn.at(-1)!;
    expect(last.event).to.equal('response.completed');
    expect(last.data.output_text.length).to.equal(50);

    const sessionId = turn[0]!.data.session_id as string;
    const own = await fetch(`/api/agent37/v1/sessions/${sessionId}`, { headers: bearer(alice.token) });
    expect(own.status).to.equal(200);
    const bob = await grant('/api/agent37', '?user=bob');
    const other = await fetch(`/api/agent37/v1/sessions/${sessionId}`, { headers: bearer(bob.token) });
    expect(other.status).to.equal(404);
    expect((await other.json()).error.code).to.equal('session_not_found');
  });

  it('refuses an expired token with 401 in the gateway error shape', async () => {
    const { token } = await grant('/api/agent37', '?ttl=-5');
    const response = await fetch('/api/agent37/v1/sessions', { headers: bearer(token) });
    expect(response.status).to.equal(401);
    const body = await response.json();
    expect(body.error.code).to.equal('invalid_token');
    expect(body.error.message).to.match(/expired/i);
  });

  it('serves the expiring and first-revision stacks under their own prefixes', async () => {
    const expiring = await grant('/api/agent37-expiring');
    expect(expiring.api_base).to.equal('/api/agent37-expiring');
    expect((await fetch('/api/agent37-expiring/v1/health', { headers: bearer(expiring.token) })).status).to.equal(200);

    const first = await grant('/api/agent37-first');
    expect(first.api_base).to.equal('/api/agent37-first');
    const health = await fetch('/api/agent37-first/v1/health', { headers: bearer(first.token) });
    expect((await health.json()).revision).to.equal('first');
  });

  it('passes the simulator fault header through the relay', async () => {
    const { token } = await grant();
    const response = await fetch('/api/agent37/v1/models', { headers: { ...bearer(token), 'x-agent37-sim-fault': 'status=429,retry-after=3' } });
    expect(response.status).to.equal(429);
    expect(response.headers.get('retry-after')).to.equal('3');
    expect((await response.json()).error.code).to.equal('rate_limited');
  });

  it('tells tests where the main simulator is', async () => {
    const response = await fetch('/api/agent37/sim-url');
    expect(response.status).to.equal(200);
    expect(await response.text()).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
