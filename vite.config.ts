// Library builds of the element. `vite build` → dist/index.js for npm (lit stays a dependency) and
// dist/react/index.js, the React wrapper, which loads dist/index.js (React stays a peer dependency);
// `vite build --mode cdn` → dist/cdn/agent37-chat.js, one self-contained minified file for a script
// tag, its lazily loaded chunks (imported relative to the file's own URL, so any CDN path works), a
// versioned copy and integrity.json.
import { defineConfig } from 'vite';
import { cdnReleaseFiles } from './vite-plugin-cdn-release.ts';

export default defineConfig(({ mode }) => {
  const cdn = mode === 'cdn';
  const entry: Record<string, string> = cdn ? { 'agent37-chat': 'src/index.ts' } : { index: 'src/index.ts', 'react/index': 'src/react/index.ts' };
  return {
    build: {
      outDir: cdn ? 'dist/cdn' : 'dist',
      // dist/cdn holds nothing but this build (stale chunks would end up in integrity.json)
      emptyOutDir: cdn,
      target: 'es2022',
      sourcemap: true,
      minify: cdn,
      lib: {
        entry,
        formats: ['es'],
      },
      rolldownOptions: {
        // Vite keeps whitespace in an ES library build; the script-tag file wants it all gone.
        output: cdn ? { minify: true } : {},
        external: cdn ? [] : [/^lit($|\/)/, /^@lit\//, /^react($|\/)/, 'eventsource-parser', 'idb-keyval', 'marked', 'lowlight', /^highlight\.js($|\/)/],
      },
    },
    plugins: cdn ? [cdnReleaseFiles({ entry: 'agent37-chat' })] : [],
  };
});
