/**
 * Routes the way the production gateway answers them (newer revision): unknown sessions, `?agent=`
 * scoping, the session list and its titles, DELETE that does not cancel, and health.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, openStream, rows, startSimulator, streamTurn, textOf } from './simulator-harness.js';

const PACE = 'x-agent37-sim-pace';

describe('unknown sessions', async () => {
  const simulator = await startSimulator();

  test('GET of an unknown or deleted session answers 200 with an empty history', async () => {
    const unknown = 'ab'.repeat(16);
    const answer = await call(simulator, 'GET', `/v1/sessions/${unknown}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { id: unknown, history: [], active_response_id: null });
    const malformed = await call(simulator, 'GET', '/v1/sessions/%zz');
    assert.deepEqual(malformed.body, { id: '%zz', history: [], active_response_id: null }, 'an id that is not valid percent-encoding names nothing');
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'soon gone [chars=3]' } });
    await call(simulator, 'DELETE', `/v1/sessions/${made.body.session_id}`);
    const deleted = await call(simulator, 'GET', `/v1/sessions/${made.body.session_id}`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body, { id: made.body.session_id, history: [], active_response_id: null });
  });

  test('a POST with an unknown session_id starts a fresh thread under that id', async () => {
    const id = 'fresh'.padEnd(32, '1');
    const answer = await call(simulator, 'POST', '/v1/responses', { body: { input: 'new here [chars=5]', session_id: id } });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.session_id, id);
    assert.deepEqual(rows((await call(simulator, 'GET', `/v1/sessions/${id}`)).body.history), [
      ['user', 'new here [chars=5]'],
      ['assistant', answer.body.output_text],
    ]);
  });
});

describe('?agent= scoping', async () => {
  const simulator = await startSimulator();

  test('a session of another agent is found only with ?agent=; the list shows only that agent', async () => {
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'for codex [chars=6]', agent: 'codex' } });
    assert.equal(made.status, 200);
    assert.equal(made.body.agent, 'codex');
    const id = made.body.session_id;

    assert.deepEqual((await call(simulator, 'GET', `/v1/sessions/${id}`)).body, { id, history: [], active_response_id: null }, 'not a hermes session');
    const found = await call(simulator, 'GET', `/v1/sessions/${id}?agent=codex`);
    assert.equal(found.body.agent, 'codex');
    assert.equal(found.body.history.length, 2);

    const hermes = await call(simulator, 'GET', '/v1/sessions');
    assert.equal(hermes.body.agent, 'hermes');
    assert.ok(!hermes.body.data.some((s: { id: string }) => s.id === id));
    const codex = await call(simulator, 'GET', '/v1/sessions?agent=codex');
    assert.equal(codex.body.agent, 'codex');
    assert.deepEqual(
      codex.body.data.map((s: { id: string }) => s.id),
      [id],
    );
    assert.deepEqual((await call(simulator, 'GET', '/v1/sessions?agent=pi')).body, { agent: 'pi', data: [] });
  });

  test('PATCH and DELETE without ?agent= do not touch another agent’s session', async () => {
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'opencode thing [chars=2]', agent: 'opencode' } });
    const id = made.body.session_id;
    const rename = await call(simulator, 'PATCH', `/v1/sessions/${id}`, { body: { title: 'Nope' } });
    assert.equal(rename.status, 404);
    assert.equal(rename.body.error.code, 'session_not_found');
    const renamed = await call(simulator, 'PATCH', `/v1/sessions/${id}?agent=opencode`, { body: { title: 'Yes' } });
    assert.deepEqual(renamed.body, { id, agent: 'opencode', renamed: true });

    assert.equal((await call(simulator, 'DELETE', `/v1/sessions/${id}`)).status, 200, 'idempotent: nothing to delete under hermes');
    assert.equal((await call(simulator, 'GET', `/v1/sessions/${id}?agent=opencode`)).body.history.length, 2, 'still there');
    assert.equal((await call(simulator, 'DELETE', `/v1/sessions/${id}?agent=opencode`)).status, 200);
    assert.deepEqual((await call(simulator, 'GET', `/v1/sessions/${id}?agent=opencode`)).body.history, []);
  });

  test('the same id names one session per agent', async () => {
    const id = 'shared'.padEnd(32, '2');
    await call(simulator, 'POST', '/v1/responses', { body: { input: 'hermes side [chars=2]', session_id: id } });
    await call(simulator, 'POST', '/v1/responses', { body: { input: 'grok side [chars=2]', session_id: id, agent: 'grok' } });
    assert.equal((await call(simulator, 'GET', `/v1/sessions/${id}`)).body.history[0].content, 'hermes side [chars=2]');
    assert.equal((await call(simulator, 'GET', `/v1/sessions/${id}?agent=grok`)).body.history[0].content, 'grok side [chars=2]');
  });

  test('responses are found by id whatever the agent', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'claude code turn [chars=200] [no-tools]', agent: 'claude-code', stream: true },
      headers: { [PACE]: '10' },
    });
    await read.until((events) => events.length >= 2);
    const id = read.events[0]!.data.id;
    const replay = await openStream(simulator, 'GET', `/v1/responses/${id}/stream`);
    assert.equal(replay.status, 200);
    assert.equal((await call(simulator, 'POST', `/v1/responses/${id}/cancel`)).status, 200);
    await Promise.all([read.done, replay.done]);
    assert.equal(textOf(replay.events), textOf(read.events));
  });

  test('an unknown agent is 400 validation_error on agent, in a POST body or ?agent=', async () => {
    const post = await call(simulator, 'POST', '/v1/responses', { body: { input: 'hi', agent: 'hal9000' } });
    assert.equal(post.status, 400);
    assert.equal(post.body.error.code, 'validation_error');
    assert.equal(post.body.error.param, 'agent');
    for (const [method, path] of [
      ['GET', '/v1/sessions?agent=hal9000'],
      ['GET', `/v1/sessions/${'0'.repeat(32)}?agent=hal9000`],
      ['DELETE', `/v1/sessions/${'0'.repeat(32)}?agent=hal9000`],
      ['GET', '/v1/health?agent=hal9000'],
      ['GET', '/v1/models?agent=hal9000'],
    ] as const) {
      const answer = await call(simulator, method, path);
      assert.equal(answer.status, 400, `${method} ${path}`);
      assert.equal(answer.body.error.param, 'agent');
    }
  });
});

describe('the session list and titles', async () => {
  const simulator = await startSimulator();

  test('entries are {id, title, last_active, message_count, preview}; Hermes titles a session after its first turn', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'Plan my  trip\nto Lisbon [chars=30] [no-tools]', stream: true },
      headers: { [PACE]: '10' },
    });
    await read.until((events) => events.length >= 1);
    const sessionId = read.events[0]!.data.session_id;
    const entryOf = async () => (await call(simulator, 'GET', '/v1/sessions')).body.data.find((s: { id: string }) => s.id === sessionId);
    assert.equal((await entryOf()).title, null, 'no title while the first turn runs');
    await read.done;
    const entry = await entryOf();
    assert.deepEqual(Object.keys(entry).sort(), ['id', 'last_active', 'message_count', 'preview', 'title']);
    assert.equal(entry.title, 'Plan my trip to Lisbon [chars=30] [no-tools]');
    assert.equal(entry.message_count, 2);
    assert.equal(entry.preview, textOf(read.events));
    await streamTurn(simulator, { input: 'second turn [chars=3]', session_id: sessionId });
    assert.equal((await entryOf()).title, entry.title, 'the title stays');
  });

  test('titles are unique per agent: a repeated first message is numbered, a PATCH to a taken title is 409 title_conflict', async () => {
    const a = await call(simulator, 'POST', '/v1/responses', { body: { input: 'hello again [chars=2]' } });
    const b = await call(simulator, 'POST', '/v1/responses', { body: { input: 'hello again [chars=2]' } });
    const other = await call(simulator, 'POST', '/v1/responses', { body: { input: 'hello again [chars=2]', agent: 'pi' } });
    const titleOf = async (id: string, agent = 'hermes') => (await call(simulator, 'GET', `/v1/sessions/${id}?agent=${agent}`)).body.title;
    assert.equal(await titleOf(a.body.session_id), 'hello again [chars=2]');
    assert.equal(await titleOf(b.body.session_id), 'hello again [chars=2] #2');
    assert.equal(await titleOf(other.body.session_id, 'pi'), 'hello again [chars=2]', 'another agent may hold the same title');

    const conflict = await call(simulator, 'PATCH', `/v1/sessions/${b.body.session_id}`, { body: { title: 'hello again [chars=2]' } });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.error.code, 'title_conflict');
    const own = await call(simulator, 'PATCH', `/v1/sessions/${a.body.session_id}`, { body: { title: 'hello again [chars=2]' } });
    assert.equal(own.status, 200, 'a session may keep its own title');
  });

  test('an empty or over-long (> 100 characters) title is 400 validation_error on title', async () => {
    const made = await call(simulator, 'POST', '/v1/responses', { body: { input: 'title me [chars=2]' } });
    const id = made.body.session_id;
    for (const title of ['', '   ', 'x'.repeat(101), 42]) {
      const answer = await call(simulator, 'PATCH', `/v1/sessions/${id}`, { body: { title } });
      assert.equal(answer.status, 400, JSON.stringify(title));
      assert.equal(answer.body.error.code, 'validation_error');
      assert.equal(answer.body.error.param, 'title');
    }
    const longest = '界'.repeat(100);
    assert.deepEqual((await call(simulator, 'PATCH', `/v1/sessions/${id}`, { body: { title: longest } })).body, { id, agent: 'hermes', renamed: true });
    assert.equal((await call(simulator, 'GET', `/v1/sessions/${id}`)).body.title, longest);
  });
});

describe('DELETE does not cancel', async () => {
  const simulator = await startSimulator();

  test('the running turn goes on to its end, its stream and record stay; the session is gone from list and GET', async () => {
    const read = await openStream(simulator, 'POST', '/v1/responses', {
      body: { input: 'keep going [chars=200] [no-tools]', stream: true },
      headers: { [PACE]: '8' },
    });
    await read.until((events) => events.length >= 3);
    const { id, session_id: sessionId } = read.events[0]!.data;
    const deleted = await call(simulator, 'DELETE', `/v1/sessions/${sessionId}`);
    assert.equal(deleted.status, 200);
    assert.equal((await call(simulator, 'DELETE', `/v1/sessions/${sessionId}`)).status, 200, 'idempotent');
    assert.ok(!(await call(simulator, 'GET', '/v1/sessions')).body.data.some((s: { id: string }) => s.id === sessionId));
    assert.deepEqual((await call(simulator, 'GET', `/v1/sessions/${sessionId}`)).body, { id: sessionId, history: [], active_response_id: null });

    await read.done;
    assert.equal(read.events.at(-1)!.event, 'response.completed');
    assert.equal(read.events.at(-1)!.data.output_text.length, 200, 'not cut short');
    const replay = await openStream(simulator, 'GET', `/v1/responses/${id}/stream`);
    await replay.done;
    assert.equal(replay.events.at(-1)!.event, 'response.completed');
    const cancel = await call(simulator, 'POST', `/v1/responses/${id}/cancel`);
    assert.equal(cancel.body.status, 'completed');
    assert.deepEqual((await call(simulator, 'GET', `/v1/sessions/${sessionId}`)).body.history, [], 'the finished turn does not bring it back');
  });
});

describe('health', async () => {
  const simulator = await startSimulator();

  test('{ok, agent, healthy, hermes}; ?agent= asks about another agent', async () => {
    const health = await call(simulator, 'GET', '/v1/health');
    assert.equal(health.status, 200);
    assert.deepEqual(
      { ok: health.body.ok, agent: health.body.agent, healthy: health.body.healthy, hermes: health.body.hermes },
      { ok: true, agent: 'hermes', healthy: true, hermes: true },
    );
    assert.equal(health.body.revision, 'newer');
    assert.equal((await call(simulator, 'GET', '/v1/health?agent=openclaw')).body.agent, 'openclaw');
  });
});
