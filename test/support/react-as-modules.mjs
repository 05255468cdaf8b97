import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

// React ships CommonJS only, which the test runner's dev server does not convert (test/browser/
// react-wrapper.test.ts renders with it). esbuild, the one @web/dev-server-esbuild runs, bundles react
// and react-dom/client into ES modules with their named exports, sharing one copy of React, on the
// first request for either; imports of the two are pointed at them.
export function reactAsModules() {
  const base = '/__react-as-modules__/';
  const entries = { react: 'react', 'react-dom-client': 'react-dom/client' };
  const served = new Map(Object.entries(entries).map(([name, specifier]) => [specifier, `${base}${name}.js`]));
  const resolveDir = new URL('../..', import.meta.url).pathname;
  const require = createRequire(new URL('../../package.json', import.meta.url));
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
}
