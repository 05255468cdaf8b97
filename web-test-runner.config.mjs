// Browser tests in real Chromium (Debian's, through CHROME_PATH). The test stack (simulator, token
// endpoint, relay) runs in this process and is mounted on the test server, so pages reach it
// same-origin over real HTTP. Run through `npm run test:browser` (tsx loads the TypeScript).
import { createServer } from 'node:net';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner';
import { startTestStack } from './test/support/test-stack.ts';

process.env.CHROME_PATH ??= '/usr/bin/chromium';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// highlight.js ships its core as CommonJS (its es/ entry re-exports it) and the dev server does not
// convert CommonJS; expose it as a default export for the browser (Vite converts it in builds).
const highlightJsCoreAsModule = {
  name: 'highlight-js-core-as-module',
  transform(context) {
    if (context.path.endsWith('/highlight.js/lib/core.js')) {
      return { body: `const module = { exports: {} };\n${context.body}\nexport default module.exports;\n` };
    }
  },
};

// demo/csp.html is served under a strict Content Security Policy (test/browser/csp.test.ts).
const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; " +
  "base-uri 'none'; frame-ancestors 'self'; require-trusted-types-for 'script'; trusted-types lit-html";
async function strictCspForDemo(ctx, next) {
  await next();
  if (ctx.path === '/demo/csp.html') ctx.set('Content-Security-Policy', STRICT_CSP);
}

const stack = await startTestStack();
const stop = () => stack.close().catch(() => {});
process.once('exit', stop);

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  port: await freePort(),
  concurrency: 1,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 30_000 } },
  middleware: [stack.middleware, strictCspForDemo],
  plugins: [highlightJsCoreAsModule, esbuildPlugin({ ts: true, target: 'auto', tsconfig: new URL('./tsconfig.json', import.meta.url).pathname })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      },
    }),
  ],
};
