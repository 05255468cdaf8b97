// `npm run bench -- relay`: what the relay costs on Node (createRelay behind toNodeHandler), in three parts.
// 1. The latency it adds per SSE event: a tiny node:http upstream in this process writes one event every
//    10 ms, each carrying its send time; read directly and through the relay, latency = arrival − send.
// 2. 100, 250 and 500 concurrent streamed turns against the real simulator, each turn by its own user.
// 3. GET /v1/sessions for one user with 20 sessions, with 20 and with 20,000 other users' sessions.
// The relay and the simulator each run in a child process of their own (this file, started with
// `--bench-child`), so their CPU and RSS are theirs alone, read by the child and sent over IPC; this
// process is the client (node:http, one socket per stream, no pool limit) and part 1's upstream.
// About 80 s on 2 cores. Prints figures; asserts nothing.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRelay, toNodeHandler } from '../src/server/index.js';
import { secretKey, signRelayToken } from '../src/server/relay-token.js';
import { createSimulator, PACE_HEADER } from '../src/simulator/index.js';

const CHILD_FLAG = '--bench-child';
// made once by the bench and handed to its children through their environment (not their visible argument list)
const API_KEY = process.env['AGENT37_BENCH_KEY'] ?? `sk_live_bench_${randomBytes(12).toString('hex')}`;
const SECRET = process.env['AGENT37_BENCH_SECRET'] ?? randomBytes(32).toString('base64url');

const LATENCY_EVENTS = 400;
const LATENCY_INTERVAL_MS = 10;
const CONCURRENCY = [100, 250, 500];
/** ms per chunk, as the simulator's realistic pace (20–40 ms) averages */
const TURN_PACE_MS = 30;
/** every turn the same script (the simulator scripts per input): 107 events, 400 characters of text */
const TURN_INPUT = '[chars=400] [no-tools] Stream a paced answer';
const OWN_SESSIONS = 20;
const OTHER_SESSIONS = [20, 20_000];
const LIST_CALLS = 50;
/** how old the relay's shared copy of the instance's session list may get: 5 s by default, 1 s here so waiting one out is quick */
const LIST_MAX_AGE_MS = 1_000;
/** users seeded at once, each with its turns one after another (well under a per-user limit of 8 requests at a time) */
const SEEDING_USERS_AT_ONCE = 64;

// ---------------------------------------------------------------------------------------------------
// The child processes

interface ProcessUsage {
  /** user + system CPU since the process started */
  cpuMs: number;
  rss: number;
  /** the highest RSS sampled (every 10 ms) since the last reset */
  peakRss: number;
}

type ChildConfig = { role: 'simulator' } | { role: 'relay'; instanceUrl: string; sessionListMaxAgeMs?: number };

type ToChild = { type: 'start'; config: ChildConfig } | { type: 'usage'; id: number; resetPeak: boolean };
type FromChild = { type: 'ready'; url: string } | { type: 'usage'; id: number; usage: ProcessUsage };

function cpuMs(): number {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
}

async function serveAsChild(): Promise<void> {
  const config = await new Promise<ChildConfig>((resolve) => {
    process.once('message', (message: ToChild) => {
      if (message.type === 'start') resolve(message.config);
    });
  });
  let url: string;
  if (config.role === 'simulator') {
    url = (await createSimulator({ key: API_KEY, pace: 'fast', faults: false })).url;
  } else {
    // the pace header is the simulator's, passed on so each turn streams at the bench's pace
    const relay = createRelay({
      instanceUrl: config.instanceUrl,
      apiKey: API_KEY,
      secret: SECRET,
      forwardHeaders: [PACE_HEADER],
      ...(config.sessionListMaxAgeMs === undefined ? {} : { sessionListMaxAgeMs: config.sessionListMaxAgeMs }),
    });
    const server = createServer(toNodeHandler(relay));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  let peakRss = process.memoryUsage.rss();
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10).unref();
  process.on('message', (message: ToChild) => {
    if (message.type !== 'usage') return;
    const rss = process.memoryUsage.rss();
    peakRss = Math.max(peakRss, rss);
    process.send!({ type: 'usage', id: message.id, usage: { cpuMs: cpuMs(), rss, peakRss } } satisfies FromChild);
    if (message.resetPeak) peakRss = rss;
  });
  // the bench went away (or closed the channel), or stops this child: nothing left to serve
  process.once('disconnect', () => process.exit(0));
  process.once('SIGTERM', () => process.exit(0));
  process.send!({ type: 'ready', url } satisfies FromChild);
}

class BenchChild {
  readonly url: string;
  private readonly child: ChildProcess;
  private nextId = 0;

  private constructor(child: ChildProcess, url: string) {
    this.child = child;
    this.url = url;
  }

  static async start(config: ChildConfig): Promise<BenchChild> {
    // the simulator's shutdown signal holds a listener per running turn (removed after): Node warns past 10, no leak
    const quiet = config.role === 'simulator' ? ['--disable-warning=MaxListenersExceededWarning'] : [];
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
      execArgv: ['--import', 'tsx', ...quiet],
      env: { ...process.env, AGENT37_BENCH_KEY: API_KEY, AGENT37_BENCH_SECRET: SECRET },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the ${config.role} child exited (${code}) before it was ready`)));
      child.on('message', (message: FromChild) => {
        if (message.type === 'ready') resolve(message.url);
      });
      child.send({ type: 'start', config } satisfies ToChild);
    });
    return new BenchChild(child, url);
  }

  /** The child's CPU and RSS now; `resetPeak` starts a new peak from here. */
  usage(resetPeak = false): Promise<ProcessUsage> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      const onMessage = (message: FromChild) => {
        if (message.type !== 'usage' || message.id !== id) return;
        this.child.off('message', onMessage);
        resolve(message.usage);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'usage', id, resetPeak } satisfies ToChild);
    });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    return exited;
  }
}

// ---------------------------------------------------------------------------------------------------
// The client: node:http, so nothing pools or queues streams behind each other

/**
 * One socket per request in flight, however many; kept alive for the next call, but let go after 4 s
 * idle, before a Node server's own 5 s keep-alive timeout could close one just as it is reused.
 */
const clientAgent = new Agent({ keepAlive: true, maxSockets: Infinity, timeout: 4_000 });

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on this machine. */
const now = () => performance.timeOrigin + performance.now();

interface ArrivedEvent {
  event: string;
  data: string;
  /** when the chunk that completed it arrived (now()) */
  at: number;
}

interface StreamRead {
  status: number;
  events: ArrivedEvent[];
  /** the answer's body when it was not an event stream (an error) */
  text: string;
  startedAt: number;
  endedAt: number;
}

/** POSTs `body` and reads the SSE answer to its end, stamping each event on arrival. */
function streamPost(url: string, headers: OutgoingHttpHeaders, body: string): Promise<StreamRead> {
  return new Promise((resolve, reject) => {
    const startedAt = now();
    const events: ArrivedEvent[] = [];
    const req = request(url, { method: 'POST', agent: clientAgent, headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      const isStream = (res.headers['content-type'] ?? '').startsWith('text/event-stream');
      let buffered = '';
      let text = '';
      res.on('data', (chunk: string) => {
        const at = now();
        if (!isStream) return void (text += chunk);
        buffered += chunk;
        // the simulator, the relay and the tiny upstream all end frames in "\n\n"
        for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const event = parseFrame(frame, at);
          if (event) events.push(event);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, events, text, startedAt, endedAt: now() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function parseFrame(frame: string, at: number): ArrivedEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  // a comment-only frame (:keepalive) is no event
  return data.length === 0 ? null : { event, data: data.join('\n'), at };
}

/** A GET read whole; its time from the request to the last byte. */
function getText(url: string, headers: OutgoingHttpHeaders): Promise<{ status: number; text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { agent: clientAgent, headers }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const tokenKey = secretKey(SECRET);
async function bearer(user: string): Promise<OutgoingHttpHeaders> {
  return { authorization: `Bearer ${(await signRelayToken(tokenKey, user, 3600)).token}` };
}
const upstreamAuth: OutgoingHttpHeaders = { authorization: `Bearer ${API_KEY}` };

// ---------------------------------------------------------------------------------------------------
// Figures

/** Nearest rank. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
const median = (values: readonly number[]) => percentile(values, 0.5);
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const count = (value: number) => Math.round(value).toLocaleString('en');
const cell = (text: string, width: number) => text.padStart(width);

// ---------------------------------------------------------------------------------------------------
// 1. Added latency per event

/** Answers POST /v1/responses with `events` deltas, one every `intervalMs`, each stamped with its send time. */
async function startTickingUpstream(): Promise<{ url: string; server: Server; pace(events: number, intervalMs: number): void }> {
  let plan = { events: 0, intervalMs: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { session_id?: unknown };
      // the relay mints the session id of a new conversation; the gateway takes it
      const sessionId = typeof body.session_id === 'string' ? body.session_id : randomBytes(16).toString('hex');
      const { events, intervalMs } = plan;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.write(`event: response.created\ndata: ${JSON.stringify({ id: randomBytes(16).toString('hex'), session_id: sessionId })}\n\n`);
      let sent = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (sent === events) {
          res.end(`event: response.completed\ndata: ${JSON.stringify({ output_text: 'x'.repeat(events), usage: null })}\n\n`);
          return;
        }
        sent++;
        res.write(`event: response.output_text.delta\ndata: {"text":"x","sent":${now()}}\n\n`);
        setTimeout(tick, intervalMs);
      };
      setTimeout(tick, intervalMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    pace: (events, intervalMs) => (plan = { events, intervalMs }),
  };
}

/** arrival − send of every delta, in ms */
async function deltaLatencies(url: string, headers: OutgoingHttpHeaders): Promise<number[]> {
  const read = await streamPost(`${url}/v1/responses`, headers, JSON.stringify({ input: 'latency', stream: true }));
  if (read.status !== 200) throw new Error(`latency stream answered ${read.status}: ${read.text}`);
  return read.events.filter((e) => e.event === 'response.output_text.delta').map((e) => e.at - (JSON.parse(e.data) as { sent: number }).sent);
}

async function latencyPart(): Promise<void> {
  const upstream = await startTickingUpstream();
  const relay = await BenchChild.start({ role: 'relay', instanceUrl: upstream.url });
  try {
    const headers = await bearer('bench-latency');
    // warm-up, not reported: JIT, sockets
    upstream.pace(100, 1);
    await deltaLatencies(upstream.url, upstreamAuth);
    await deltaLatencies(relay.url, headers);
    upstream.pace(LATENCY_EVENTS, LATENCY_INTERVAL_MS);
    const direct = await deltaLatencies(upstream.url, upstreamAuth);
    const relayed = await deltaLatencies(relay.url, headers);

    console.log(`\n1. Latency per SSE event: a node:http upstream in the bench process sends one delta every ${LATENCY_INTERVAL_MS} ms (${LATENCY_EVENTS} per run),`);
    console.log('   stamped with its send time; latency = arrival at the client − send. The relay runs in a child process; the bench runs nothing else meanwhile.');
    console.log(`   ${'path'.padEnd(16)}${cell('p50', 10)}${cell('p90', 10)}${cell('p99', 10)}${cell('max', 10)}`);
    const row = (name: string, values: number[]) =>
      console.log(
        `   ${name.padEnd(16)}${cell(ms(median(values)), 10)}${cell(ms(percentile(values, 0.9)), 10)}${cell(ms(percentile(values, 0.99)), 10)}` +
          `${cell(ms(Math.max(...values)), 10)}`,
      );
    row('direct', direct);
    row('through relay', relayed);
    const added = (p: number) => cell(ms(percentile(relayed, p) - percentile(direct, p)), 10);
    console.log(`   ${'relay adds'.padEnd(16)}${added(0.5)}${added(0.9)}${added(0.99)}   (differences of the percentiles)`);
  } finally {
    await relay.close();
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
  }
}

// ---------------------------------------------------------------------------------------------------
// 2. Concurrent streamed turns

const turnBody = (input: string) => JSON.stringify({ input, stream: true });

interface TurnCheck {
  exact: boolean;
  events: number;
  ms: number;
  firstEventMs: number;
}

/** What one turn alone streamed. */
interface Expected {
  events: number;
  text: string;
}

/** What a turn's stream says: its text (from the deltas) and the completed event's output_text. */
function checkTurn(read: StreamRead, expected: Expected): TurnCheck {
  let text = '';
  let completed: string | null = null;
  for (const event of read.events) {
    if (event.event === 'response.output_text.delta') text += (JSON.parse(event.data) as { text: string }).text;
    if (event.event === 'response.completed') completed = (JSON.parse(event.data) as { output_text: string }).output_text;
  }
  return {
    exact: read.status === 200 && completed === text && text === expected.text && read.events.length === expected.events,
    events: read.events.length,
    ms: read.endedAt - read.startedAt,
    firstEventMs: (read.events[0]?.at ?? read.endedAt) - read.startedAt,
  };
}

/** One turn's request: who sends it, and in which session. */
interface TurnRequest {
  headers: OutgoingHttpHeaders;
  sessionId: string;
}

/**
 * Opens a session for each of `headers` (an empty answer, a distinct first message each, at the
 * simulator's fast pace), `SEEDING_USERS_AT_ONCE` at a time. The paced turns then continue these
 * sessions: they share one input (so one script), and new sessions with one first message would make
 * the simulator number repeated titles ("… #137"), scanning every session once per number.
 */
async function openSessions(url: string, headers: OutgoingHttpHeaders[], label: string): Promise<TurnRequest[]> {
  const requests: TurnRequest[] = new Array(headers.length);
  let next = 0;
  const worker = async () => {
    while (next < headers.length) {
      const i = next++;
      const read = await streamPost(`${url}/v1/responses`, headers[i]!, turnBody(`[empty] [no-reasoning] ${label} conversation ${i + 1}`));
      const created = read.events.find((e) => e.event === 'response.created');
      if (read.status !== 200 || !created) throw new Error(`opening a session failed: ${read.status} ${read.text}`);
      requests[i] = { headers: headers[i]!, sessionId: (JSON.parse(created.data) as { session_id: string }).session_id };
    }
  };
  await Promise.all(Array.from({ length: SEEDING_USERS_AT_ONCE }, worker));
  return requests;
}

interface TurnsRun {
  checks: TurnCheck[];
  wallMs: number;
  /** CPU ms each process spent during the run */
  cpu: { relay: number | null; simulator: number; client: number };
  /** the relay's CPU in its busiest half second, as a share of one core */
  relayBusiest: number | null;
  /** the relay's RSS before the run and its peak during it */
  relayRss: { idle: number; peak: number } | null;
}

/** Every turn of `requests` at once against `url`, each read to its end; CPU and RSS read around them. */
async function runTurns(url: string, requests: TurnRequest[], paced: OutgoingHttpHeaders, simulator: BenchChild, relay: BenchChild | null, expected: Expected): Promise<TurnsRun> {
  const bodies = requests.map((r) => JSON.stringify({ input: TURN_INPUT, stream: true, session_id: r.sessionId }));
  const relayBefore = await relay?.usage(true);
  const simulatorBefore = await simulator.usage();
  const clientBefore = cpuMs();
  const started = performance.now();
  const busiest = relay && relayBefore ? busiestHalfSecond(relay, relayBefore.cpuMs, started) : null;
  const reads = await Promise.all(requests.map((r, i) => streamPost(`${url}/v1/responses`, { ...r.headers, ...paced }, bodies[i]!)));
  const wallMs = performance.now() - started;
  const client = cpuMs() - clientBefore;
  const relayBusiest = busiest?.stop() ?? null;
  const relayAfter = await relay?.usage();
  const simulatorAfter = await simulator.usage();
  return {
    checks: reads.map((read) => checkTurn(read, expected)),
    wallMs,
    cpu: { relay: relayBefore && relayAfter ? relayAfter.cpuMs - relayBefore.cpuMs : null, simulator: simulatorAfter.cpuMs - simulatorBefore.cpuMs, client },
    relayBusiest,
    relayRss: relayBefore && relayAfter ? { idle: relayBefore.rss, peak: relayAfter.peakRss } : null,
  };
}

/** Reads the child's CPU every half second: its busiest half second, as a share of one core, once stopped. */
function busiestHalfSecond(child: BenchChild, startCpuMs: number, startedAt: number): { stop(): number } {
  let last = { at: startedAt, cpuMs: startCpuMs };
  let busiest = 0;
  const timer = setInterval(async () => {
    const usage = await child.usage();
    const at = performance.now();
    busiest = Math.max(busiest, (usage.cpuMs - last.cpuMs) / (at - last.at));
    last = { at, cpuMs: usage.cpuMs };
  }, 500);
  return {
    stop() {
      clearInterval(timer);
      return busiest;
    },
  };
}

async function concurrencyPart(): Promise<void> {
  const simulator = await BenchChild.start({ role: 'simulator' });
  try {
    const paced = { [PACE_HEADER]: String(TURN_PACE_MS) };
    const [alone] = await openSessions(simulator.url, [upstreamAuth], 'alone');
    const one = await streamPost(`${simulator.url}/v1/responses`, { ...upstreamAuth, ...paced }, JSON.stringify({ input: TURN_INPUT, stream: true, session_id: alone!.sessionId }));
    const text = one.events
      .filter((e) => e.event === 'response.output_text.delta')
      .map((e) => (JSON.parse(e.data) as { text: string }).text)
      .join('');
    const expected: Expected = { events: one.events.length, text };
    const oneMs = one.endedAt - one.startedAt;

    console.log('\n2. Concurrent streamed turns, all started at once, each by its own user in a session opened before (not counted), through');
    console.log('   one relay (a child process, fresh per row) against the simulator (another child); "direct" rows skip the relay, as a control.');
    console.log(`   One turn alone, read directly: ${expected.events} events, ${expected.text.length} characters, ${ms(oneMs)} at ${TURN_PACE_MS} ms a chunk. Exact = 200, text from the`);
    console.log(`   deltas = the completed event's output_text = that turn's text, and as many events. CPU % = CPU time / wall time (100% = one of ${availableParallelism()} cores).`);
    console.log(
      `   ${'turns'.padStart(5)} ${'via'.padEnd(6)}${cell('exact', 6)}${cell('events/s', 10)}${cell('(paced)', 9)}${cell('turn p50', 10)}${cell('p99', 9)}` +
        `${cell('1st event p99', 15)}${cell('relay RSS idle→peak', 21)}${cell('per stream', 11)}${cell('relay CPU/event', 17)}` +
        `${cell('CPU % relay / simulator / client', 34)}${cell('relay busiest ½ s', 19)}`,
    );

    const row = (turns: number, via: string, run: TurnsRun) => {
      const events = run.checks.reduce((sum, check) => sum + check.events, 0);
      const percent = (cpu: number | null) => (cpu === null ? '–' : `${Math.round((cpu / run.wallMs) * 100)}%`);
      const rss = run.relayRss;
      console.log(
        `   ${String(turns).padStart(5)} ${via.padEnd(6)}${cell(String(run.checks.filter((c) => c.exact).length), 6)}${cell(count(events / (run.wallMs / 1000)), 10)}` +
          `${cell(`(${count((turns * expected.events) / (oneMs / 1000))})`, 9)}` +
          `${cell(ms(median(run.checks.map((c) => c.ms))), 10)}${cell(ms(percentile(run.checks.map((c) => c.ms), 0.99)), 9)}` +
          `${cell(ms(percentile(run.checks.map((c) => c.firstEventMs), 0.99)), 15)}` +
          `${cell(rss ? `${mb(rss.idle)} → ${mb(rss.peak)}` : '–', 21)}${cell(rss ? `${((rss.peak - rss.idle) / 1024 / turns).toFixed(0)} kB` : '–', 11)}` +
          `${cell(run.cpu.relay === null ? '–' : `${((run.cpu.relay / events) * 1000).toFixed(0)} µs`, 17)}` +
          `${cell(`${percent(run.cpu.relay)} / ${percent(run.cpu.simulator)} / ${percent(run.cpu.client)}`, 34)}` +
          `${cell(run.relayBusiest === null ? '–' : `${Math.round(run.relayBusiest * 100)}%`, 19)}`,
      );
    };

    for (const turns of CONCURRENCY) {
      const direct = await openSessions(simulator.url, Array.from({ length: turns }, () => upstreamAuth), `direct ${turns}`);
      row(turns, 'direct', await runTurns(simulator.url, direct, paced, simulator, null, expected));
      const relay = await BenchChild.start({ role: 'relay', instanceUrl: simulator.url });
      try {
        const users = await Promise.all(Array.from({ length: turns }, (_, i) => bearer(`bench-stream-${turns}-${i}`)));
        // opening the sessions through the relay also warms it up: its JIT, its first upstream sockets
        const relayed = await openSessions(relay.url, users, `relay ${turns}`);
        row(turns, 'relay', await runTurns(relay.url, relayed, paced, simulator, relay, expected));
      } finally {
        await relay.close();
      }
    }
    console.log('   (paced) = the events/s if every turn ran as fast as one alone; per stream = (peak − idle RSS) / turns, RSS sampled every 10 ms;');
    console.log('   relay busiest ½ s = its CPU in its busiest half second (past 100%: GC and libuv threads run beside its main thread).');
  } finally {
    await simulator.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// 3. Listing one user's sessions on a busy instance

/** `sessions` new conversations of `user`, one after another, each an empty answer at the simulator's fast pace. */
async function seedUser(relayUrl: string, user: string, sessions: number): Promise<void> {
  const headers = await bearer(user);
  for (let i = 0; i < sessions; i++) {
    // a distinct input per turn: the simulator titles a session from it and numbers repeats by scanning all titles
    const read = await streamPost(`${relayUrl}/v1/responses`, headers, turnBody(`[empty] [no-reasoning] ${user} conversation ${i + 1}`));
    if (read.status !== 200 || read.events.at(-1)?.event !== 'response.completed') throw new Error(`seeding ${user} failed: ${read.status} ${read.text}`);
  }
}

async function seedUsers(relayUrl: string, users: string[], sessions: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < users.length) await seedUser(relayUrl, users[next++]!, sessions);
  };
  await Promise.all(Array.from({ length: SEEDING_USERS_AT_ONCE }, worker));
}

async function listingPart(): Promise<void> {
  // a fresh simulator: the instance holds exactly the sessions seeded here
  const simulator = await BenchChild.start({ role: 'simulator' });
  const relay = await BenchChild.start({ role: 'relay', instanceUrl: simulator.url, sessionListMaxAgeMs: LIST_MAX_AGE_MS });
  try {
    const lister = await bearer('bench-lister');
    const listUrl = `${relay.url}/v1/sessions`;
    await seedUser(relay.url, 'bench-lister', OWN_SESSIONS);
    let others = 0;
    let lastRefetch = -Infinity;

    /** One call once the shared list is older than its maximum age, so the relay fetches it again: time and relay CPU. */
    const refetch = async () => {
      const wait = lastRefetch + LIST_MAX_AGE_MS + 250 - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lastRefetch = performance.now();
      const before = await relay.usage();
      const call = await getText(listUrl, lister);
      return { ms: call.ms, cpuMs: (await relay.usage()).cpuMs - before.cpuMs };
    };
    const warmUp = async (url: string, headers: OutgoingHttpHeaders) => {
      for (let i = 0; i < 5; i++) await getText(url, headers);
    };
    const timedCalls = async (url: string, headers: OutgoingHttpHeaders) => {
      const answers = [];
      for (let i = 0; i < LIST_CALLS; i++) answers.push(await getText(url, headers));
      return answers;
    };

    console.log(`\n3. GET /v1/sessions for one user with ${OWN_SESSIONS} sessions of their own; every session on the instance was made through the relay,`);
    console.log(`   a turn each, by users with ${OWN_SESSIONS} sessions apiece. The relay lists a user's sessions from its own index, with titles from the`);
    console.log(`   instance's full list, shared and fetched again once older than sessionListMaxAgeMs (${LIST_MAX_AGE_MS / 1000} s here, 5 s by default): "cached" is the`);
    console.log(`   median of ${LIST_CALLS} calls one after another (5 more first, not counted) within that time, "refetch" the median of 3 first calls after it.`);
    console.log(
      `   ${'other sessions'.padStart(14)}${cell('listed', 7)}${cell('cached', 9)}${cell('relay CPU', 11)}${cell('refetch', 10)}${cell('relay CPU', 11)}` +
        `${cell('simulator direct', 18)}${cell('its list', 10)}${cell('seeded, relay CPU/turn', 27)}`,
    );
    for (const target of OTHER_SESSIONS) {
      const users = Array.from({ length: (target - others) / OWN_SESSIONS }, (_, i) => `bench-other-${others / OWN_SESSIONS + i}`);
      const seedingFrom = { at: performance.now(), relayCpuMs: (await relay.usage()).cpuMs };
      await seedUsers(relay.url, users, OWN_SESSIONS);
      const seeded = { seconds: (performance.now() - seedingFrom.at) / 1000, relayCpuMs: (await relay.usage()).cpuMs - seedingFrom.relayCpuMs, turns: target - others };
      others = target;

      const refetches = [await refetch()];
      // well within the list's maximum age of that refetch
      await warmUp(listUrl, lister);
      const before = await relay.usage();
      const cached = await timedCalls(listUrl, lister);
      const cachedCpu = ((await relay.usage()).cpuMs - before.cpuMs) / LIST_CALLS;
      refetches.push(await refetch(), await refetch());
      await warmUp(`${simulator.url}/v1/sessions`, upstreamAuth);
      const direct = await timedCalls(`${simulator.url}/v1/sessions`, upstreamAuth);

      const last = cached.at(-1)!;
      const listed = last.status === 200 ? String((JSON.parse(last.text) as { data: unknown[] }).data.length) : `HTTP ${last.status}`;
      console.log(
        `   ${count(target).padStart(14)}${cell(listed, 7)}${cell(ms(median(cached.map((c) => c.ms))), 9)}${cell(ms(cachedCpu), 11)}` +
          `${cell(ms(median(refetches.map((r) => r.ms))), 10)}${cell(ms(median(refetches.map((r) => r.cpuMs))), 11)}` +
          `${cell(ms(median(direct.map((c) => c.ms))), 18)}${cell(`${(direct.at(-1)!.text.length / 1024).toFixed(0)} kB`, 10)}` +
          `${cell(`${count(seeded.turns)} in ${seeded.seconds.toFixed(1)} s, ${ms(seeded.relayCpuMs / seeded.turns)}`, 27)}`,
      );
    }
    console.log('   relay CPU = per call; simulator direct = the same GET straight to the simulator (median of as many calls), which lists every');
    console.log('   session on the instance; its list = that answer\'s size; seeded = the new conversations made for the row (64 users at a time),');
    console.log('   the time they took and the relay\'s CPU per turn (an empty answer: two events).');
  } finally {
    await relay.close();
    await simulator.close();
  }
}

// ---------------------------------------------------------------------------------------------------

export async function relayBench(): Promise<void> {
  // the machine may be shared: a load already there weighs on every figure
  console.log(`npm run bench -- relay   (Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)} at the start)`);
  const started = performance.now();
  await latencyPart();
  await concurrencyPart();
  await listingPart();
  clientAgent.destroy();
  console.log(`\nAll in ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${loadavg()[0]!.toFixed(2)} at the end.`);
}

if (process.argv[2] === CHILD_FLAG) await serveAsChild();
