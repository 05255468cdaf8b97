/**
 * Two relay replicas, each its own process (test/fixtures/relay-process.ts), sharing one Redis, in
 * front of the real simulator: a turn outlives the replica it started on (killed mid-stream), a
 * replica started again knows everything the other recorded, nobody else gets anything through
 * either, and the per-user cap holds with the Redis store. Every process (and redis-server) is
 * stopped in `after`, whatever failed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createParser } from 'eventsource-parser';
import { secretKey, signRelayToken } from '../../src/server/relay-token.js';
import { RedisOwnershipStore } from '../../src/server/redis.js';
import { createSimulator, PACE_HEADER, type Simulator } from '../../src/simulator/index.js';
import { freePort, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { API_KEY, assertGatewayError, readEvents, serveRelay, waitFor, type SseEvent } from './relay-harness.js';
import { assistantTexts, textOf } from './simulator-harness.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const RELAY_PROCESS = fileURLToPath(new URL('../fixtures/relay-process.ts', import.meta.url));
const TOKEN_SECRET = randomBytes(32).toString('base64url');
/** ms per chunk: a turn of a few hundred characters then runs for seconds, time to kill a replica inside it */
const SLOW = { [PACE_HEADER]: '30' };

let redis: RedisServer;
let simulator: Simulator;
const processes = new Set<ChildProcess>();
const killAll = (): void => {
  for (const child of processes) child.kill('SIGKILL');
};

before(async () => {
  process.once('exit', killAll);
  redis = await startRedisServer();
  simulator = await createSimulator({ key: API_KEY, pace: 'fast' });
});

after(async () => {
  await Promise.all([...processes].map((child) => stopProcess(child)));
  process.off('exit', killAll);
  await simulator?.close();
  await redis?.stop();
});

interface Replica {
  base: string;
  as(user: string): Caller;
  /** SIGKILL, as a crashed or evicted container: no goodbye to anyone. */
  kill(): Promise<void>;
  /** What it logged so far, for failure messages. */
  log(): string;
}

/** Starts test/fixtures/relay-process.ts; resolves once it printed its port. */
async function startReplica(): Promise<Replica> {
  const env: NodeJS.ProcessEnv = { ...process.env, INSTANCE_URL: simulator.url, API_KEY, TOKEN_SECRET, REDIS_URL: redis.url };
  // the child is a plain program, not a test file of this run
  delete env['NODE_TEST_CONTEXT'];
  const child = spawn(process.execPath, ['--import', 'tsx', RELAY_PROCESS], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.add(child);
  child.once('exit', () => processes.delete(child));
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the relay process printed no port within 30 s: ${log}`)), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(Number(line));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the relay process ended (${signal ?? code}) before it listened: ${log}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return { base, as: (user) => callerOf(base, user), kill: () => stopProcess(child), log: () => log };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

type Caller = ReturnType<typeof callerOf>;

function callerOf(base: string, user: string) {
  const init = async (method: string, body: unknown, headers: Record<string, string>): Promise<RequestInit> => {
    const { token } = await signRelayToken(secretKey(TOKEN_SECRET), user, 600);
    return {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
  };
  return {
    async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
      const response = await fetch(base + path, await init(method, body, {}));
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    },
    async open(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
      return fetch(base + path, await init(method, body, headers));
    },
  };
}

interface LiveStream {
  events: SseEvent[];
  /** settles when the stream stops: 'complete' when it ended properly, 'cut' when the connection broke */
  ended: Promise<'complete' | 'cut'>;
  until(predicate: (events: SseEvent[]) => boolean, what: string): Promise<void>;
}

/** Reads an SSE answer as it arrives. */
function follow(response: Response): LiveStream {
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (message) => events.push({ event: message.event ?? 'message', data: JSON.parse(message.data) }) });
  const ended = (async (): Promise<'complete' | 'cut'> => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) parser.feed(decoder.decode(chunk, { stream: true }));
      return 'complete';
    } catch {
      return 'cut';
    }
  })();
  return { events, ended, until: (predicate, what) => waitFor(() => predicate(events), what, 20_000) };
}

const deltas = (events: SseEvent[]) => events.filter((event) => event.event === 'response.output_text.delta').length;
const terminals = (events: SseEvent[]) => events.filter((event) => event.event === 'response.completed' || event.event === 'response.failed');

describe('two relay processes sharing one Redis', () => {
  let a: Replica;
  let b: Replica;
  /** the first turn: started through A, finished through B */
  let sessionId: string;
  let responseId: string;
  let firstTurn: SseEvent[];

  before(async () => {
    [a, b] = await Promise.all([startReplica(), startReplica()]);
  });

  it('a turn started through A, A killed mid-stream: B replays it from the start to its end, exactly as the instance has it', async () => {
    const started = follow(
      await a.as('alice').open('POST', '/v1/responses', { input: 'How do replicas share state? [chars=400]', stream: true }, SLOW),
    );
    await started.until((events) => deltas(events) >= 2, 'two deltas through A');
    await a.kill();
    assert.equal(await started.ended, 'cut');
    const throughA = [...started.events];
    assert.deepEqual(terminals(throughA), [], 'A died inside the turn');
    ({ id: responseId, session_id: sessionId } = throughA[0]!.data);

    const replay = await readEvents(await b.as('alice').open('GET', `/v1/responses/${responseId}/stream`));
    const direct = await readEvents(await fetch(`${simulator.url}/v1/responses/${responseId}/stream`, { headers: { authorization: `Bearer ${API_KEY}` } }));
    assert.deepEqual(replay, direct, 'B passes on exactly the events the instance recorded');
    assert.deepEqual(replay[0], { event: 'response.created', data: { id: responseId, session_id: sessionId } });
    assert.deepEqual(terminals(replay).map((event) => event.event), ['response.completed']);
    assert.equal(replay.at(-1)!.event, 'response.completed');
    assert.deepEqual(replay.slice(0, throughA.length), throughA, 'what A had sent is where the replay starts');
    assert.equal(replay.at(-1)!.data.output_text, textOf(replay));
    firstTurn = replay;
  });

  it('A started again (a new process, the same Redis) knows it all: the list, the history, Stop, the next turn', async () => {
    assert.ok(firstTurn, 'needs the first turn');
    a = await startReplica();
    const alice = a.as('alice');

    const list = await alice.call('GET', '/v1/sessions');
    assert.equal(list.status, 200, a.log());
    assert.deepEqual(
      list.json.data.map((session: { id: string }) => session.id),
      [sessionId],
    );

    const history = await alice.call('GET', `/v1/sessions/${sessionId}`);
    assert.equal(history.status, 200);
    const answer = history.json.history.filter((row: { role: string }) => row.role === 'assistant').map((row: { content: string }) => row.content);
    assert.deepEqual(answer, assistantTexts(firstTurn), "the history through the new A is the turn B replayed");

    // a second turn, started through B, stopped through the new A
    const running = follow(await b.as('alice').open('POST', '/v1/responses', { input: 'A long one [chars=4000]', session_id: sessionId, stream: true }, SLOW));
    await running.until((events) => deltas(events) >= 1, 'the second turn to write');
    const runningId = running.events[0]!.data.id as string;
    const stop = await alice.call('POST', `/v1/responses/${runningId}/cancel`);
    assert.equal(stop.status, 200, JSON.stringify(stop.json));
    assert.equal(stop.json.id, runningId);
    assert.equal(await running.ended, 'complete', 'the stream through B ends');
    assert.deepEqual(terminals(running.events).map((event) => event.event), ['response.completed']);
    assert.ok(textOf(running.events).length < 4000, 'stopped before its end');

    // and the conversation goes on, through the new A
    const next = await readEvents(await alice.open('POST', '/v1/responses', { input: 'And then? [chars=40]', session_id: sessionId, stream: true }));
    assert.equal(next[0]!.data.session_id, sessionId);
    assert.equal(next.at(-1)!.event, 'response.completed');
    const after = await b.as('alice').call('GET', `/v1/sessions/${sessionId}`);
    assert.equal(after.json.history.filter((row: { role: string }) => row.role === 'user').length, 3);
  });

  it("another user gets 404 through either replica for that session and that response, and changes nothing", async () => {
    assert.ok(firstTurn, 'needs the first turn');
    for (const replica of [a, b]) {
      const bob = replica.as('bob');
      assertGatewayError(await bob.call('GET', `/v1/sessions/${sessionId}`), 404, 'session_not_found');
      assertGatewayError(await bob.call('POST', '/v1/responses', { input: 'mine now?', session_id: sessionId }), 404, 'session_not_found');
      assertGatewayError(await bob.call('GET', `/v1/responses/${responseId}/stream`), 404, 'response_not_found');
      assertGatewayError(await bob.call('POST', `/v1/responses/${responseId}/cancel`), 404, 'response_not_found');
      assertGatewayError(await bob.call('DELETE', `/v1/sessions/${sessionId}`), 404, 'session_not_found');
      const list = await bob.call('GET', '/v1/sessions');
      assert.equal(list.status, 200);
      assert.deepEqual(list.json.data, []);
    }
    assert.equal((await b.as('alice').call('GET', `/v1/sessions/${sessionId}`)).status, 200, 'still alice’s');
  });
});

describe('the relay with the Redis store', () => {
  it('past maxSessionsPerUser a 4th conversation makes the oldest 404, and leaves other users alone', async (t) => {
    const store = new RedisOwnershipStore({ url: redis.url, keyPrefix: 'cap-test:' });
    t.after(() => store.close());
    const relay = await serveRelay(t, { instanceUrl: simulator.url, store, maxSessionsPerUser: 3 });
    const start = async (user: string): Promise<string> => {
      const events = await readEvents(await relay.as(user).open('POST', '/v1/responses', { input: 'Hi [chars=20]', stream: true }));
      assert.equal(events.at(-1)!.event, 'response.completed');
      return events[0]!.data.session_id;
    };
    const dave = [await start('dave'), await start('dave')];
    const carol = [await start('carol'), await start('carol'), await start('carol')];
    for (const id of carol) assert.equal((await relay.as('carol').call('GET', `/v1/sessions/${id}`)).status, 200);

    carol.push(await start('carol'));
    assertGatewayError(await relay.as('carol').call('GET', `/v1/sessions/${carol[0]}`), 404, 'session_not_found');
    for (const id of carol.slice(1)) assert.equal((await relay.as('carol').call('GET', `/v1/sessions/${id}`)).status, 200);
    const listed = await relay.as('carol').call('GET', '/v1/sessions');
    assert.deepEqual(new Set(listed.json.data.map((session: { id: string }) => session.id)), new Set(carol.slice(1)));
    for (const id of dave) assert.equal((await relay.as('dave').call('GET', `/v1/sessions/${id}`)).status, 200);
    assert.deepEqual((await store.sessionsOf('dave')).map((session) => session.id).toSorted(), dave.toSorted());
  });

  it('answers 500 while Redis cannot be reached, and grants nothing', async (t) => {
    const store = new RedisOwnershipStore({ url: `redis://127.0.0.1:${await freePort()}` });
    t.after(() => store.close());
    const relay = await serveRelay(t, { instanceUrl: simulator.url, store });
    const alice = relay.as('alice');
    assertGatewayError(await alice.call('POST', '/v1/responses', { input: 'Hello', stream: true }), 500, 'internal_error');
    assertGatewayError(await alice.call('GET', '/v1/sessions/0123456789abcdef0123456789abcdef'), 500, 'internal_error');
    assertGatewayError(await alice.call('GET', '/v1/sessions'), 500, 'internal_error');
    assert.ok(relay.lines.some((line) => /internal error \((ECONNREFUSED|RedisOwnershipStoreError)\)/.test(line)), relay.lines.join('\n'));
  });
});
