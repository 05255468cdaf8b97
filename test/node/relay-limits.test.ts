/**
 * The relay's limits, each answered in the gateway's error shape: a user's requests in flight at once
 * and new conversations per minute (429 with Retry-After), a body that does not arrive in time (408),
 * and an instance that does not answer in time (504 `upstream_timeout`), while a stream or a
 * non-streamed turn that keeps sending bytes stays open however long it runs.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { assertGatewayError, listenOn, readEvents, serveRelay, stalledUntil, startFakeUpstream, tokenFor, waitFor } from './relay-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An upstream whose every answer a test writes itself. */
function startScriptedUpstream(t: TestContext, answer: (path: string, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(new URL(req.url ?? '/', 'http://upstream.test').pathname, res));
  });
  return listenOn(t, server);
}

describe('relay: a user’s requests at once', () => {
  it('past maxConcurrentRequestsPerUser: 429 with Retry-After; other users unaffected; a finished stream gives its slot back', async (t) => {
    const fake = await startFakeUpstream(t);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    fake.answers.push(stalledUntil(released), stalledUntil(released));
    const relay = await serveRelay(t, { instanceUrl: fake.url, maxConcurrentRequestsPerUser: 2 });
    const alice = relay.as('alice');
    const held = [1, 2].map(() => alice.open('POST', '/v1/responses', { input: 'Hi', stream: true }));
    await waitFor(() => fake.posts().length === 2, 'both turns upstream');
    const refused = await alice.open('GET', '/v1/sessions');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal((await refused.json()).error.code, 'rate_limited');
    assert.equal((await relay.as('bob').call('GET', '/v1/sessions')).status, 200);
    release();
    for (const response of await Promise.all(held)) assert.equal((await readEvents(response)).at(-1)!.event, 'response.completed');
    // the streams ended: both slots are free again
    await waitFor(async () => (await alice.call('GET', '/v1/sessions')).status === 200, 'a slot');
    const again = await Promise.all([1, 2].map(() => alice.call('GET', '/v1/models')));
    assert.deepEqual(again.map((answer) => answer.status), [200, 200]);
  });

  it('a stream the browser leaves gives its slot back', async (t) => {
    const fake = await startFakeUpstream(t);
    fake.answers.push((_seen, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: response.created\ndata: {"id":"${'a'.repeat(32)}","session_id":"${'b'.repeat(32)}"}\n\n`);
    });
    const relay = await serveRelay(t, { instanceUrl: fake.url, maxConcurrentRequestsPerUser: 1 });
    const alice = relay.as('alice');
    const leaving = new AbortController();
    const token = await tokenFor('alice');
    const stream = await fetch(`${relay.base}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Hi', stream: true }),
      signal: leaving.signal,
    });
    await stream.body!.getReader().read();
    assert.equal((await alice.call('GET', '/v1/models')).status, 429);
    leaving.abort();
    await waitFor(async () => (await alice.call('GET', '/v1/models')).status === 200, 'the slot back');
  });
});

describe('relay: new conversations per minute', () => {
  it('past newSessionsPerMinute: 429 with the seconds to wait; continuing a conversation and other users still work', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, newSessionsPerMinute: 3 });
    const alice = relay.as('alice');
    const started = [];
    for (let i = 0; i < 3; i++) started.push(await alice.call('POST', '/v1/responses', { input: 'Hi' }));
    assert.deepEqual(started.map((answer) => answer.status), [200, 200, 200]);
    const refused = await alice.open('POST', '/v1/responses', { input: 'One more' });
    assert.equal(refused.status, 429);
    const wait = Number(refused.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
    assert.match((await refused.json()).error.message, /new conversations/);
    assert.equal(fake.posts().length, 3, 'the refused turn never went upstream');
    const sessionId = started[0]!.json.session_id;
    assert.equal((await alice.call('POST', '/v1/responses', { input: 'And then?', session_id: sessionId })).status, 200);
    assert.equal((await relay.as('bob').call('POST', '/v1/responses', { input: 'Hi' })).status, 200);
  });
});

describe('relay: a body that does not arrive', () => {
  it('answers 408 request_timeout once bodyTimeoutMs has passed, and nothing goes upstream', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url, bodyTimeoutMs: 300 });
    const token = await tokenFor('alice');
    const started = Date.now();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${relay.base}/v1/responses`);
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '1000' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // a third of the body, then nothing
      req.write('{"input":"' + 'a'.repeat(300));
    });
    assert.equal(answer.status, 408);
    assert.equal(JSON.parse(answer.body).error.code, 'request_timeout');
    assert.ok(Date.now() - started >= 290, 'not before the deadline');
    assert.equal(fake.posts().length, 0);
    assert.ok(!relay.lines.some((line) => /internal error/.test(line)), relay.lines.join('\n'));
  });
});

describe('relay: an instance that does not answer in time', () => {
  it('no answer within upstreamTimeoutMs: 504 upstream_timeout, and the upstream request is abandoned', async (t) => {
    let abandoned = false;
    const instanceUrl = await startScriptedUpstream(t, (_path, res) => {
      res.on('close', () => (abandoned = true));
    });
    const relay = await serveRelay(t, { instanceUrl, upstreamTimeoutMs: 300 });
    const answer = await relay.as('alice').call('GET', '/v1/models');
    assertGatewayError(answer, 504, 'upstream_timeout');
    await waitFor(() => abandoned, 'the upstream request closed');
    assert.ok(relay.lines.some((line) => /did not answer GET \/v1\/models within 300 ms/.test(line)), relay.lines.join('\n'));
  });

  it('a JSON answer that stops midway: 504', async (t) => {
    const instanceUrl = await startScriptedUpstream(t, (_path, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data": [');
    });
    const relay = await serveRelay(t, { instanceUrl, upstreamTimeoutMs: 300 });
    assertGatewayError(await relay.as('alice').call('GET', '/v1/models'), 504, 'upstream_timeout');
  });

  it('an event stream quieter than the timeout between events, and longer than it in all, stays open to its end', async (t) => {
    const id = 'c'.repeat(32);
    const instanceUrl = await startScriptedUpstream(t, async (_path, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: response.created\ndata: {"id":"${id}","session_id":"${'d'.repeat(32)}"}\n\n`);
      for (let i = 0; i < 3; i++) {
        await sleep(700);
        res.write(`event: response.output_text.delta\ndata: {"text":"${i}"}\n\n`);
      }
      await sleep(700);
      res.end('event: response.completed\ndata: {"output_text":"012","usage":null}\n\n');
    });
    // the first byte is in at once; from there the turn is quiet for longer than the timeout, four times
    const relay = await serveRelay(t, { instanceUrl, upstreamTimeoutMs: 500 });
    const events = await readEvents(await relay.as('alice').open('POST', '/v1/responses', { input: 'Hi', stream: true }));
    assert.deepEqual(events.map((event) => event.event), ['response.created', ...Array(3).fill('response.output_text.delta'), 'response.completed']);
  });

  it('a non-streamed turn that writes a space now and then (as the gateway does) is waited for', async (t) => {
    const instanceUrl = await startScriptedUpstream(t, async (_path, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 5; i++) {
        res.write(' ');
        await sleep(400);
      }
      res.end(JSON.stringify({ id: 'e'.repeat(32), session_id: 'f'.repeat(32), status: 'completed', output_text: 'Done', error: null }));
    });
    // 2 s in all, a space every 0.4 s: each within the timeout (a margin for a loaded machine), the whole well past it
    const relay = await serveRelay(t, { instanceUrl, upstreamTimeoutMs: 1_500 });
    const answer = await relay.as('alice').call('POST', '/v1/responses', { input: 'Hi' });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.output_text, 'Done');
  });
});
