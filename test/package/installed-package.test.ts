// The package as a customer gets it: `npm pack` (which builds through `prepack`), installed into an
// empty project next to Vite and React, then used the three ways the README gives: Node imports of
// the server kit and the simulator (and its bin), a Vite build of `import 'agent37-chat'` and of the
// React wrapper, and the script-tag file loaded with its integrity from another origin. The pages run
// in real Chromium against a real relay and simulator started from the installed package.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, type Page, chromium } from 'playwright-core';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixture', import.meta.url));
const CHROME = process.env['CHROME_PATH'] ?? '/usr/bin/chromium';
const ANSWER_TIMEOUT_MS = 60_000;
/** The page checks need Chromium; without it they are skipped with one line on how to get it. */
const inChromium = existsSync(CHROME) ? {} : { skip: `Chromium not found at ${CHROME}: apt-get install -y chromium (or set CHROME_PATH)` };

const repoPackage = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};

let project = '';
let tarball = '';
let tarballFiles: string[] = [];
let server: ChildProcess | undefined;
let origins: { app: string; cdn: string };
let browser: Browser;

/** Runs a command in the project; a failure shows what it printed. */
async function inProject(command: string, args: string[], timeout = 180_000): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd: project, timeout, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
  }
}

/** The first line `child` prints, or its exit (before printing one) as an error. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing: ${stderr}`)));
  });
}

/** Types into the chat's composer (through its shadow root) and resolves with the finished answer's text. */
async function ask(page: Page, question: string): Promise<string> {
  const completed = page.evaluate(
    () =>
      new Promise<string>((resolve) =>
        document.querySelector('agent37-chat')!.addEventListener('agent37-response-completed', (event) => resolve((event as CustomEvent).detail.text), { once: true }),
      ),
  );
  await page.locator('agent37-chat textarea').fill(question);
  await page.locator('agent37-chat textarea').press('Enter');
  return completed;
}

before(async () => {
  project = await mkdtemp(join(tmpdir(), 'agent37-chat-installed-'));
  // prepack builds dist/; the tarball must carry everything an installed package needs
  await run('npm', ['pack', '--pack-destination', project], { cwd: repo, timeout: 300_000, maxBuffer: 32 * 1024 * 1024 });
  tarball = (await readdir(project)).find((name) => name.endsWith('.tgz')) ?? '';
  assert.ok(tarball, 'npm pack wrote a tarball');
  const listing = await run('tar', ['-tzf', join(project, tarball)], { maxBuffer: 32 * 1024 * 1024 });
  tarballFiles = listing.stdout.split('\n').filter(Boolean).map((path) => path.replace(/^package\//, ''));
  await cp(fixture, project, { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'customer-app', private: true, type: 'module' }));
  const pinned = (name: string) => `${name}@${repoPackage.devDependencies[name]}`;
  await inProject('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`, pinned('vite'), pinned('react'), pinned('react-dom')], 300_000);
  await inProject('npx', ['vite', 'build', '--logLevel', 'warn']);

  server = spawn(process.execPath, ['server.mjs'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  origins = JSON.parse(await firstLine(server)) as typeof origins;
  if (inChromium.skip) return;
  browser = await chromium.launch({
    executablePath: CHROME,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (project) await rm(project, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  test('carries the build, the bin, the manifest and the licence, and no sources or tests', () => {
    for (const path of ['dist/index.js', 'dist/index.d.ts', 'dist/server/index.js', 'dist/simulator/index.js', 'dist/cdn/agent37-chat.js', `dist/cdn/agent37-chat-${repoPackage.version}.js`, 'dist/cdn/integrity.json', 'bin/agent37-chat-simulator.js', 'custom-elements.json', 'README.md', 'LICENSE', 'package.json']) {
      assert.ok(tarballFiles.includes(path), `${path} is in the tarball`);
    }
    const strays = tarballFiles.filter((path) => /^(src|test|bench|demo|docs)\//.test(path));
    assert.deepEqual(strays, []);
  });

  test('publint finds nothing to report, warnings included', async () => {
    const { stdout } = await run(join(repo, 'node_modules/.bin/publint'), ['run', join(project, tarball), '--strict'], { cwd: repo });
    assert.match(stdout, /All good!/);
  });

  test('arethetypeswrong finds every entry typed, for an ESM-only package', async () => {
    // esm-only: CommonJS callers get `await import()`, which the package has no other way to offer
    // attw exits non-zero on any problem the profile counts, which makes run() throw with its report
    const { stdout } = await run(join(repo, 'node_modules/.bin/attw'), [join(project, tarball), '--profile', 'esm-only', '--no-color', '--no-emoji'], { cwd: repo, maxBuffer: 32 * 1024 * 1024 });
    for (const entry of ['agent37-chat', 'agent37-chat/server', 'agent37-chat/server/redis', 'agent37-chat/simulator', 'agent37-chat/react']) {
      assert.match(stdout, new RegExp(`"${entry}"\\s*│ OK \\(ESM\\)\\s*│ OK\\s*│`), `${entry} is typed for node16 and bundlers`);
    }
  });

  test('the script-tag file is one request: it imports nothing statically, and no chunk imports it back', async () => {
    // a chunk importing the entry by name would load a second copy under the versioned name; a
    // shared chunk the entry imports statically would be a second request before anything shows
    const cdnDir = join(project, 'node_modules/agent37-chat/dist/cdn');
    const staticImport = /(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]+from\s*)?["'`]/;
    const entry = await readFile(join(cdnDir, 'agent37-chat.js'), 'utf8');
    assert.doesNotMatch(entry, staticImport);
    for (const name of (await readdir(cdnDir)).filter((file) => file.endsWith('.js'))) {
      assert.doesNotMatch(await readFile(join(cdnDir, name), 'utf8'), /["'`]\.\/agent37-chat[-.]/, `${name} does not import the entry`);
    }
  });

  test('integrity.json names every file in dist/cdn with the sha384 of its bytes', async () => {
    const cdnDir = join(project, 'node_modules/agent37-chat/dist/cdn');
    const integrity = JSON.parse(await readFile(join(cdnDir, 'integrity.json'), 'utf8')) as Record<string, string>;
    const files = (await readdir(cdnDir)).filter((name) => name !== 'integrity.json').sort();
    assert.deepEqual(Object.keys(integrity).sort(), files);
    for (const name of files) {
      const digest = createHash('sha384').update(await readFile(join(cdnDir, name))).digest('base64');
      assert.equal(integrity[name], `sha384-${digest}`, name);
    }
  });
});

describe('installed in an empty project', () => {
  test('Node imports the server kit and the simulator', async () => {
    const out = await inProject(process.execPath, [
      '--input-type=module',
      '-e',
      `const server = await import('agent37-chat/server');
       const simulator = await import('agent37-chat/simulator');
       console.log(JSON.stringify([typeof server.createRelay, typeof server.createTokenHandler, typeof server.toNodeHandler, typeof simulator.createSimulator]));`,
    ]);
    assert.deepEqual(JSON.parse(out), ['function', 'function', 'function', 'function']);
  });

  test('the Redis store imports without redis installed, and says to install it once it must connect', async () => {
    const out = await inProject(process.execPath, [
      '--input-type=module',
      '-e',
      `const { RedisOwnershipStore } = await import('agent37-chat/server/redis');
       const store = new RedisOwnershipStore({ url: 'redis://127.0.0.1:1' });
       const error = await store.owners('session', ['a']).then(() => null, (e) => e);
       console.log(JSON.stringify([typeof RedisOwnershipStore, error && error.message]));`,
    ]);
    const [type, message] = JSON.parse(out) as [string, string];
    assert.equal(type, 'function');
    assert.match(message, /npm install redis/);
  });

  test('the React wrapper renders on the server without touching customElements', async () => {
    const out = await inProject(process.execPath, [
      '--input-type=module',
      '-e',
      `import { createElement } from 'react';
       import { renderToString } from 'react-dom/server';
       const { Agent37Chat } = await import('agent37-chat/react');
       console.log(JSON.stringify({ defined: typeof customElements, html: renderToString(createElement(Agent37Chat, { heading: 'Hi' })) }));`,
    ]);
    const { defined, html } = JSON.parse(out) as { defined: string; html: string };
    assert.equal(defined, 'undefined');
    assert.match(html, /^<agent37-chat[\s>]/);
  });

  test('the simulator bin starts and answers its health check', async () => {
    const bin = spawn(join(project, 'node_modules/.bin/agent37-chat-simulator'), ['--port', '0', '--key', 'sk_live_packtest'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await firstLine(bin);
      const url = line.match(/listening on (http:\/\/\S+)/)?.[1];
      assert.ok(url, `printed its URL: ${line}`);
      const health = await fetch(`${url}/v1/health`, { headers: { authorization: 'Bearer sk_live_packtest' } });
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { ok: boolean }).ok, true);
    } finally {
      bin.kill('SIGTERM');
    }
  });

  test("a Vite build of import 'agent37-chat' defines the element and chats through the installed relay", inChromium, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origins.app}/index.html`);
      assert.equal(await page.evaluate(() => customElements.get('agent37-chat') === (window as { elementClass?: unknown }).elementClass), true);
      const answer = await ask(page, 'Hello from an installed package');
      assert.ok(answer.length > 20, `an answer streamed: ${answer}`);
      await page.locator('agent37-chat agent37-message').last().waitFor({ timeout: ANSWER_TIMEOUT_MS });
    } finally {
      await page.close();
    }
  });

  test('the React wrapper renders in Chromium: props reach the element, events reach React', inChromium, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origins.app}/react.html`);
      await page.locator('agent37-chat').getByText('Asked from React').waitFor({ timeout: ANSWER_TIMEOUT_MS });
      assert.equal(await page.evaluate(() => (document.querySelector('agent37-chat') as unknown as { persistKey: string }).persistKey), 'react-page');
      const answer = await ask(page, 'Hello from React');
      await page.waitForFunction((text) => document.getElementById('answer')?.textContent === text, answer, { timeout: ANSWER_TIMEOUT_MS });
    } finally {
      await page.close();
    }
  });

  test('the script-tag file loads with its integrity from another origin, and its chunks load from beside it', inChromium, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origins.app}/script-tag.html`);
      await page.waitForFunction(() => customElements.get('agent37-chat') !== undefined, undefined, { timeout: ANSWER_TIMEOUT_MS });
      // a code block pulls the highlighter chunk: it must come from the CDN folder, not the page's origin
      await page.evaluate(() => {
        (document.getElementById('code') as unknown as { text: string }).text = '```js\nconst answer = 42;\n```';
      });
      await page.locator('#code .hljs-keyword').first().waitFor({ timeout: ANSWER_TIMEOUT_MS });
      const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => name.endsWith('.js')));
      assert.ok(scripts.length >= 2, `the entry and at least one chunk loaded: ${scripts.join(', ')}`);
      for (const url of scripts) assert.ok(url.startsWith(origins.cdn), `${url} comes from the CDN folder`);
      const answer = await ask(page, 'Hello from a script tag');
      assert.ok(answer.length > 20, `an answer streamed: ${answer}`);
    } finally {
      await page.close();
    }
  });

  test('a chunk whose bytes do not match the import map is refused, and the code stays readable', inChromium, async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /integrity/i.test(message.text())) refused.push(message.text());
    });
    try {
      await page.goto(`${origins.app}/script-tag.html?tamper=code-highlighter`);
      await page.waitForFunction(() => customElements.get('agent37-markdown') !== undefined, undefined, { timeout: ANSWER_TIMEOUT_MS });
      await page.evaluate(() => {
        (document.getElementById('code') as unknown as { text: string }).text = '```js\nconst answer = 42;\n```';
      });
      await page.locator('#code code', { hasText: 'const answer = 42;' }).first().waitFor({ timeout: ANSWER_TIMEOUT_MS });
      await waitFor(() => refused.length > 0, 'the browser reports the integrity failure');
      assert.equal(await page.locator('#code .hljs-keyword').count(), 0);
    } finally {
      await page.close();
    }
  });
});

/** Polls `condition` (checked in Node) until it holds or a minute passes. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
