// `npm run bench`: builds bench/ with Vite (production Lit, minified, as users get it), serves it on
// 127.0.0.1, and streams markdown answers of 30k, 60k and 120k characters in 4-character deltas in
// headless Chromium, through <agent37-chat> (what a visitor gets) and through <agent37-markdown> alone.
// Prints the figures; asserts nothing. `npm run bench -- markdown` (or `chat`) runs one of them;
// `npm run bench -- size` builds the script-tag files instead and prints their sizes (bench/size.ts);
// `npm run bench -- restore` times a reload of long stored conversations (bench/restore.ts);
// `npm run bench -- relay` measures the relay on Node: latency added per SSE event, concurrent streamed
// turns (CPU, RSS) and session listing on a busy instance (bench/relay.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import type { BenchResult, Via } from './bench-page.js';
import { relayBench } from './relay.js';
import { restoreBench } from './restore.js';
import { sizeBench } from './size.js';

const SIZES = [30_000, 60_000, 120_000];
const root = fileURLToPath(new URL('.', import.meta.url));

const which = process.argv[2];
if (which === 'size') await sizeBench();
else if (which === 'restore') await restoreBench();
else if (which === 'relay') await relayBench();
else await streamingBench(which === 'chat' || which === 'markdown' ? [which] : ['chat', 'markdown']);

async function streamingBench(vias: Via[]): Promise<void> {
  const outDir = await mkdtemp(join(tmpdir(), 'agent37-bench-'));

  await build({ root, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true, target: 'es2022' } });
  const server = await preview({
    root,
    configFile: false,
    logLevel: 'warn',
    build: { outDir },
    // cross-origin isolated, so performance.now() ticks in 5 µs rather than 100 µs steps
    preview: { host: '127.0.0.1', port: 0, headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  });
  const browser = await chromium.launch({
    executablePath: process.env['CHROME_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

  try {
    const ms = (value: number) => `${value.toFixed(value < 10 ? 3 : 0)} ms`;
    for (const via of vias) {
      // a fresh page each, so one run's leftovers (a chat's state, IndexedDB) do not weigh on the other
      const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
      page.on('pageerror', (error) => console.error('page error:', error.message));
      await page.goto(server.resolvedUrls!.local[0]!);
      await page.waitForFunction(() => typeof window.runBench === 'function');
      await page.evaluate(([size, v]) => window.runBench(size, v), [10_000, via] as const); // warm-up, not reported
      const results: BenchResult[] = [];
      console.log(`\nThrough <agent37-${via}>: 4-character deltas, one per task, headless Chromium`);
      for (const size of SIZES) {
        const result = await page.evaluate(([s, v]) => window.runBench(s, v), [size, via] as const);
        results.push(result);
        console.log(
          `${String(size).padStart(7)} chars  ${String(result.deltas).padStart(6)} deltas  total ${ms(result.totalMs).padStart(8)}` +
            `  per delta, first 1,000: median ${ms(result.first.medianMs)}, p95 ${ms(result.first.p95Ms)}` +
            `;  last 1,000: median ${ms(result.last.medianMs)}, p95 ${ms(result.last.p95Ms)}  (${result.frames} frames)`,
        );
      }
      const [, sixty, hundredTwenty] = results;
      if (sixty && hundredTwenty) console.log(`120k / 60k total time: ${(hundredTwenty.totalMs / sixty.totalMs).toFixed(2)}×`);
      await page.close();
    }
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    await rm(outDir, { recursive: true, force: true });
  }
}
