/**
 * What a turn may carry upstream: only the fields the gateway defines, agents, models and providers
 * held to the customer's allow-lists (400 validation_error naming the field), the customer's
 * transformBody last, and JSON too deep or too large in values refused with a 400 before parsing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_JSON_DEPTH, MAX_JSON_VALUES } from '../../src/server/json-body.js';
import { assertGatewayError, serveRelay, startFakeUpstream, tokenFor } from './relay-harness.js';

describe('relay: the turn body policy', () => {
  it('forwards only the gateway’s fields, whatever else the browser sends', async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    const sent = {
      input: 'Hi',
      stream: false,
      model: 'gpt-5',
      provider: 'openai',
      reasoning_effort: 'low',
      metadata: { page: '/pricing' },
      agent: 'hermes',
      mode: 'chat',
    };
    const answer = await relay.as('alice').call('POST', '/v1/responses', { ...sent, instance_id: 'other', files: ['/etc/passwd'], tools: [{ type: 'shell' }], __proto__: { admin: true } });
    assert.equal(answer.status, 200);
    const [seen] = fake.posts();
    assert.deepEqual(Object.keys(seen!.body).sort(), [...Object.keys(sent), 'session_id'].sort());
    const { session_id: _minted, ...rest } = seen!.body;
    assert.deepEqual(rest, sent);
  });

  for (const [field, option, allowed, refusedValue] of [
    ['agent', 'allowedAgents', 'hermes', 'claude-code'],
    ['model', 'allowedModels', 'gpt-5-mini', 'gpt-5'],
    ['provider', 'allowedProviders', 'openai', 'anthropic'],
  ] as const) {
    it(`${option}: a ${field} on the list goes, another (or not a string) is 400 validation_error with param "${field}"`, async (t) => {
      const fake = await startFakeUpstream(t);
      const relay = await serveRelay(t, { instanceUrl: fake.url, [option]: [allowed] });
      const alice = relay.as('alice');
      assert.equal((await alice.call('POST', '/v1/responses', { input: 'Hi', [field]: allowed })).status, 200);
      assert.equal((await alice.call('POST', '/v1/responses', { input: 'Hi' })).status, 200, `no ${field}: the instance's default`);
      const refused = await alice.call('POST', '/v1/responses', { input: 'Hi', [field]: refusedValue });
      assertGatewayError(refused, 400, 'validation_error', field);
      assert.match(refused.json.error.message, new RegExp(`Allowed here: ${allowed}`));
      assertGatewayError(await alice.call('POST', '/v1/responses', { input: 'Hi', [field]: [allowed] }), 400, 'validation_error', field);
      assert.equal(fake.posts().length, 2, 'refused turns never go upstream');
    });
  }

  it('transformBody sees the filtered body, the user and the request, and what it returns goes upstream', async (t) => {
    const fake = await startFakeUpstream(t);
    const seenByTransform: unknown[] = [];
    const relay = await serveRelay(t, {
      instanceUrl: fake.url,
      allowedModels: ['gpt-5-mini', 'gpt-5'],
      transformBody: async (body, { userId, request }) => {
        seenByTransform.push({ body: { ...body }, userId, locale: request.headers.get('accept-language') });
        return { ...body, model: userId === 'free-user' ? 'gpt-5-mini' : body['model'], metadata: { user: userId } };
      },
    });
    await relay.as('free-user').call('POST', '/v1/responses', { input: 'Hi', model: 'gpt-5', extra: 1 }, { 'accept-language': 'pt-PT' });
    assert.deepEqual(seenByTransform, [{ body: { input: 'Hi', model: 'gpt-5' }, userId: 'free-user', locale: 'pt-PT' }]);
    const [seen] = fake.posts();
    assert.equal(seen!.body.model, 'gpt-5-mini');
    assert.deepEqual(seen!.body.metadata, { user: 'free-user' });
  });

  it('a transformBody that throws or returns no object: 500, nothing upstream, and its message not in the log', async (t) => {
    const fake = await startFakeUpstream(t);
    let mode: 'throw' | 'null' = 'throw';
    const relay = await serveRelay(t, {
      instanceUrl: fake.url,
      transformBody: () => {
        if (mode === 'throw') throw new Error('secret-plan-details');
        return null as unknown as Record<string, unknown>;
      },
    });
    assertGatewayError(await relay.as('alice').call('POST', '/v1/responses', { input: 'Hi' }), 500, 'internal_error');
    mode = 'null';
    assertGatewayError(await relay.as('alice').call('POST', '/v1/responses', { input: 'Hi' }), 500, 'internal_error');
    assert.equal(fake.posts().length, 0);
    assert.ok(!relay.lines.join('\n').includes('secret-plan-details'));
  });

  it('the transformed session_id is the one checked: a transform cannot hand a user someone else’s session', async (t) => {
    const fake = await startFakeUpstream(t);
    let target = '';
    const relay = await serveRelay(t, { instanceUrl: fake.url, transformBody: (body) => (target ? { ...body, session_id: target } : body) });
    target = (await relay.as('bob').call('POST', '/v1/responses', { input: 'Hi' })).json.session_id;
    assertGatewayError(await relay.as('alice').call('POST', '/v1/responses', { input: 'Hi' }), 404, 'session_not_found');
  });
});

describe('relay: JSON bodies too deep or too large in values', () => {
  const rawPost = async (base: string, token: string, body: string) => {
    const response = await fetch(`${base}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    return { status: response.status, json: await response.json() };
  };

  it(`nested past ${MAX_JSON_DEPTH} levels (or 100,000): 400, not a 500`, async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    const token = await tokenFor('alice');
    for (const depth of [MAX_JSON_DEPTH, 100_000]) {
      const body = `{"input":"Hi","metadata":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      const answer = await rawPost(relay.base, token, body);
      assertGatewayError(answer, 400, 'validation_error');
      assert.match(answer.json.error.message, /nested/);
    }
    // at the limit (the body itself is one level) it passes
    const fine = `{"input":"Hi","metadata":{"a":${'['.repeat(MAX_JSON_DEPTH - 2)}${']'.repeat(MAX_JSON_DEPTH - 2)}}}`;
    assert.equal((await rawPost(relay.base, token, fine)).status, 200);
    // brackets inside strings are text
    assert.equal((await rawPost(relay.base, token, JSON.stringify({ input: '['.repeat(10_000) }))).status, 200);
    assert.ok(!relay.lines.some((line) => /internal error/.test(line)));
  });

  it(`more than ${MAX_JSON_VALUES} values: 400`, async (t) => {
    const fake = await startFakeUpstream(t);
    const relay = await serveRelay(t, { instanceUrl: fake.url });
    const token = await tokenFor('alice');
    const many = JSON.stringify({ input: 'Hi', metadata: { list: Array(MAX_JSON_VALUES).fill(1) } });
    const answer = await rawPost(relay.base, token, many);
    assertGatewayError(answer, 400, 'validation_error');
    assert.match(answer.json.error.message, /values/);
    const few = JSON.stringify({ input: 'Hi', metadata: { list: Array(MAX_JSON_VALUES - 10).fill(true) } });
    assert.equal((await rawPost(relay.base, token, few)).status, 200);
    assert.equal(fake.posts().length, 1, 'only the one within the limit went upstream');
  });
});
