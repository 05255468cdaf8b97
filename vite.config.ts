// Library builds of the element. `vite build` → dist/index.js for npm (lit stays a dependency);
// `vite build --mode cdn` → dist/cdn/agent37-chat.js, one self-contained file for a script tag.
import { defineConfig } from 'vite';

export default defineConfig(({ mode }) => {
  const cdn = mode === 'cdn';
  const entry: Record<string, string> = cdn ? { 'agent37-chat': 'src/index.ts' } : { index: 'src/index.ts' };
  return {
    build: {
      outDir: cdn ? 'dist/cdn' : 'dist',
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: true,
      minify: cdn,
      lib: {
        entry,
        formats: ['es'],
      },
      rolldownOptions: {
        // Vite keeps whitespace in an ES library build; the script-tag file wants it all gone.
        output: cdn ? { minify: { compress: true, mangle: true, codegen: true } } : {},
        external: cdn ? [] : [/^lit($|\/)/, /^@lit\//, 'eventsource-parser', 'idb-keyval', 'marked', 'lowlight'],
      },
    },
  };
});
