// Browser tests in real Chromium and Firefox (Debian's; test/support/browser-engines.ts says which
// and how to pick). The test stack (simulator, token endpoint, relay) runs in this process and is
// mounted on the test server, so pages reach it same-origin over real HTTP. Run through
// `npm run test:browser` (tsx loads the TypeScript).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { browserLaunchers, colorSchemeCommand } from './test/support/browser-engines.ts';
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

// React ships CommonJS only, which the dev server does not convert either (test/browser/
// react-wrapper.test.ts renders with it). esbuild, the one @web/dev-server-esbuild runs, bundles react
// and react-dom/client into ES modules with their named exports, sharing one copy of React, on the
// first request for either; imports of the two are pointed at them.
const reactAsModules = (() => {
  const base = '/__react-as-modules__/';
  const entries = { react: 'react', 'react-dom-client': 'react-dom/client' };
  const served = new Map(Object.entries(entries).map(([name, specifier]) => [specifier, `${base}${name}.js`]));
  const resolveDir = new URL('.', import.meta.url).pathname;
  const require = createRequire(import.meta.url);
  // read in a Node of its own: React's development build trips over this process's console stand-in
  const exportNames = (specifier) =>
    JSON.parse(execFileSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)}))))`], { cwd: resolveDir, encoding: 'utf8' }));
  let bundled;
  async function bundle() {
    const esbuild = createRequire(require.resolve('@web/dev-server-esbuild')).resolve('esbuild');
    const { build } = await import(pathToFileURL(esbuild).href);
    const virtualEntries = {
      name: 'entries-with-named-exports',
      setup(b) {
        b.onResolve({ filter: /^entry:/ }, ({ path }) => ({ path: path.slice('entry:'.length), namespace: 'entry' }));
        b.onLoad({ filter: /.*/, namespace: 'entry' }, ({ path }) => {
          const names = exportNames(path).filter((name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name));
          const contents = `import * as m from '${path}';\nexport default m.default;\nexport const { ${names.join(', ')} } = m;\n`;
          return { contents, resolveDir };
        });
      },
    };
    const result = await build({
      entryPoints: Object.fromEntries(Object.entries(entries).map(([name, specifier]) => [name, `entry:${specifier}`])),
      bundle: true,
      splitting: true,
      format: 'esm',
      write: false,
      outdir: 'react-as-modules',
      define: { 'process.env.NODE_ENV': '"development"' },
      plugins: [virtualEntries],
      logLevel: 'warning',
    });
    return new Map(result.outputFiles.map((file) => [`${base}${basename(file.path)}`, file.text]));
  }
  return {
    name: 'react-as-modules',
    resolveImport({ source, context }) {
      // the bundles' own imports (of their shared chunk) are relative and stay as they are
      if (context.path.startsWith(base)) return source;
      return served.get(source);
    },
    async serve(context) {
      if (!context.path.startsWith(base)) return undefined;
      const body = (await (bundled ??= bundle())).get(context.path);
      return body === undefined ? undefined : { body, type: 'js' };
    },
  };
})();

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
  plugins: [colorSchemeCommand(), highlightJsCoreAsModule, reactAsModules, esbuildPlugin({ ts: true, target: 'auto', tsconfig: new URL('./tsconfig.json', import.meta.url).pathname })],
  browsers,
};
