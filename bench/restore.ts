// `npm run bench -- restore`: how long a stored conversation of 50, 200 and 1,000 turns takes from a
// reload to the frame that shows its last message. Builds bench/restore.html with Vite (production
// Lit, minified), serves it on 127.0.0.1 next to a real token endpoint and relay in front of a real
// simulator, and seeds each conversation by sending its turns through the relay as the widget would
// (the simulator's fast pace: about 20 s for all 1,260 turns, so it needs no seeding shortcut). Then,
// in headless Chromium, per conversation: five reloads of the settled page (median; the first load,
// a warm-up, is not counted); one more load that flicks up through the conversation, then scrolls to
// its very top; and, where the chat has openConversation(), the switch to it from a short
// conversation. The page reads its own timings (bench/restore-page.ts). Prints figures; asserts nothing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { createRelay, createTokenHandler, toNodeHandler } from '../src/server/index.js';
import { createSimulator, type Simulator } from '../src/simulator/index.js';
import type { RestoreRun, ScrollRun } from './restore-page.js';

const TURNS = [50, 200, 1_000];
const RUNS = 5;
const SWITCH_FROM_TURNS = 10;
const API_BASE = '/api/agent37';
const root = fileURLToPath(new URL('.', import.meta.url));

/** What a visitor asks; each question differs, so the scripted answers (markdown, ~1 kB, with a list, a table and code) do too. */
const QUESTIONS = [
  'How do I stream responses into my page?',
  'What happens to a turn when the visitor reloads?',
  'Explain the rate limits and how to back off.',
  'Which settings matter for long sessions?',
  'Show me how to call a tool and read its result.',
  'How is the session history stored?',
];
const question = (i: number) => `${QUESTIONS[i % QUESTIONS.length]} (question ${i + 1})`;

interface Stack {
  origin: string;
  close(): Promise<void>;
}

/** The built page, the token endpoint (one visitor, "bench-visitor") and the relay, on one origin. */
async function startStack(pageDir: string, simulator: Simulator, key: string): Promise<Stack> {
  const secret = randomBytes(32);
  const token = toNodeHandler(createTokenHandler({ secret, apiBase: API_BASE, authenticate: () => 'bench-visitor' }));
  const relay = toNodeHandler(createRelay({ instanceUrl: simulator.url, apiKey: key, secret, basePath: API_BASE }));
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };
  const serveFile = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://bench').pathname;
    const file = normalize(join(pageDir, path === '/' ? 'restore.html' : path));
    try {
      if (!file.startsWith(pageDir)) throw new Error('outside');
      const body = await readFile(file);
      // cross-origin isolated, so performance.now() ticks in 5 µs rather than 100 µs steps
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://bench').pathname;
    if (path === `${API_BASE}/token`) void token(req, res);
    else void relay(req, res, () => void serveFile(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `turns` turns of one new conversation, each sent through the relay and read to its end, as the widget does; the session's id. */
async function seedConversation(origin: string, turns: number): Promise<string> {
  const grant = (await (await fetch(`${origin}${API_BASE}/token`, { method: 'POST' })).json()) as { token: string };
  let sessionId: string | null = null;
  for (let i = 0; i < turns; i++) {
    const response: Response = await fetch(`${origin}${API_BASE}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${grant.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: question(i), stream: true, ...(sessionId ? { session_id: sessionId } : {}) }),
    });
    const events: string = await response.text();
    if (!response.ok || !events.includes('event: response.completed')) throw new Error(`seeding turn ${i + 1} failed: ${response.status} ${events.slice(0, 200)}`);
    sessionId ??= /"session_id":"([0-9a-f]+)"/.exec(events)![1]!;
  }
  return sessionId!;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${Math.round(value).toLocaleString('en')} ms`.padStart(9);

export async function restoreBench(): Promise<void> {
  const outDir = await mkdtemp(join(tmpdir(), 'agent37-bench-restore-'));
  let simulator: Simulator | undefined;
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  try {
    await build({
      root,
      configFile: false,
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, target: 'es2022', rolldownOptions: { input: join(root, 'restore.html') } },
    });
    const key = `sk_live_bench_${randomBytes(12).toString('hex')}`;
    simulator = await createSimulator({ key, pace: 'fast', faults: false });
    stack = await startStack(outDir, simulator, key);

    const seeding = performance.now();
    // and a short one, the conversation open before a switch
    const [switchFrom, ...sessions] = await Promise.all([SWITCH_FROM_TURNS, ...TURNS].map((turns) => seedConversation(stack!.origin, turns)));
    console.log(`\nSeeded ${TURNS.join(', ')} and ${SWITCH_FROM_TURNS} turns through the relay in ${ms(performance.now() - seeding).trim()}`);

    browser = await chromium.launch({
      executablePath: process.env['CHROME_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
    const open = async (query: Record<string, string>) => {
      await page.goto('about:blank');
      await page.goto(`${stack!.origin}/restore.html?${new URLSearchParams(query)}`);
      return page.evaluate(() => window.benchDone);
    };
    // a visitor's reload, once the page has settled (not while it still highlights code, say)
    const reload = async () => {
      await page.evaluate(() => new Promise((resolve) => requestIdleCallback(resolve, { timeout: 2000 })));
      await page.reload();
      return (await page.evaluate(() => window.benchDone)) as RestoreRun;
    };

    console.log(`Reload → the frame that shows the last message, headless Chromium, median of ${RUNS} reloads (a first load not counted)`);
    console.log('turns  messages   reload→painted  history→painted  history arrived  shown on paint   flick up: longest, p95 frame   to the top (frames, longest)');
    for (const [i, turns] of TURNS.entries()) {
      const persistKey = `bench-${turns}`;
      await open({ store: sessions[i]!, key: persistKey });
      await open({ key: persistKey });
      const runs: RestoreRun[] = [];
      for (let run = 0; run < RUNS; run++) runs.push(await reload());
      const scroll = (await open({ key: persistKey, scroll: '1' })) as ScrollRun;
      const last = runs.at(-1)!;
      console.log(
        `${String(turns).padStart(5)}  ${String(last.messages).padStart(8)}  ${ms(median(runs.map((r) => r.paintedMs))).padStart(15)}` +
          `  ${ms(median(runs.map((r) => r.paintedMs - r.historyMs))).padStart(15)}  ${ms(median(runs.map((r) => r.historyMs))).padStart(15)}` +
          `  ${String(last.rendered).padStart(14)}   ${ms(scroll.fling.longestFrameMs).padStart(13)}, ${ms(scroll.fling.p95FrameMs).trim().padStart(6)}` +
          `   ${ms(scroll.toTopMs).padStart(11)} (${scroll.frames}, ${ms(scroll.longestFrameMs).trim()})`,
      );
    }
    const switchable = await page.evaluate(() => typeof (document.createElement('agent37-chat') as unknown as Record<string, unknown>)['openConversation'] === 'function');
    if (!switchable) console.log('switch: skipped, <agent37-chat> has no openConversation(sessionId) yet');
    else {
      console.log(`\nSwitch: openConversation() from a ${SWITCH_FROM_TURNS}-turn conversation → the frame that shows the last message, median of ${RUNS}`);
      // each run from the short conversation: the switch itself is kept as the stored one
      const switchOnce = async (to: string) => {
        await open({ store: switchFrom!, key: 'bench-switch' });
        return ((await open({ key: 'bench-switch', switchTo: to })) as RestoreRun).switchMs!;
      };
      for (const [i, turns] of TURNS.entries()) {
        const runs: number[] = [];
        await switchOnce(sessions[i]!);
        for (let run = 0; run < RUNS; run++) runs.push(await switchOnce(sessions[i]!));
        console.log(`${String(turns).padStart(5)} turns  ${ms(median(runs))}`);
      }
    }
  } finally {
    await browser?.close();
    await stack?.close();
    await simulator?.close();
    await rm(outDir, { recursive: true, force: true });
  }
}
