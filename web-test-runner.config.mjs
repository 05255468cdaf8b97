// Browser tests in real Chromium and Firefox (Debian's; test/support/browser-engines.ts says which
// and how to pick). The test stack (simulator, token endpoint, relay) runs in this process and is
// mounted on the test server, so pages reach it same-origin over real HTTP. Run through
// `npm run test:browser` (tsx loads the TypeScript).
import { createServer } from 'node:net';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { browserLaunchers, mediaFeatureCommands } from './test/support/browser-engines.ts';
import { reactAsModules } from './test/support/react-as-modules.mjs';
import { tabCommands } from './test/support/tab-commands.ts';
import { startTestStack } from './test/support/test-stack.ts';

// before the stack starts: a missing browser ends the run with one line, not a stack trace
const browsers = browserLaunchers();

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
// lowlight's index also re-exports every highlight.js grammar, which the build drops (lowlight has no
// side effects) and the dev server cannot: serve it without them, so a page fetches only the grammars
// the code highlighter imports, one per language, as in the build.
const highlightJsCoreAsModule = {
  name: 'highlight-js-core-as-module',
  transform(context) {
    if (context.path.endsWith('/highlight.js/lib/core.js')) {
      return { body: `const module = { exports: {} };\n${context.body}\nexport default module.exports;\n` };
    }
    if (context.path.endsWith('/node_modules/lowlight/index.js')) {
      return { body: `export { createLowlight } from './lib/index.js';\n` };
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

const port = await freePort();
// the page's origin (web-test-runner serves on localhost): the stack's cross-origin server lets it in
const stack = await startTestStack({ pageOrigin: `http://localhost:${port}` });
const stop = () => stack.close().catch(() => {});
process.once('exit', stop);

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  port,
  concurrency: 1,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 30_000 } },
  middleware: [stack.middleware, strictCspForDemo],
  plugins: [mediaFeatureCommands(), tabCommands(), highlightJsCoreAsModule, reactAsModules(), esbuildPlugin({ ts: true, target: 'auto', tsconfig: new URL('./tsconfig.json', import.meta.url).pathname })],
  browsers,
};
