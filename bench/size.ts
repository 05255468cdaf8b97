// `npm run bench -- size`: builds the script-tag files (`vite build --mode cdn`, into dist/cdn) and
// prints each .js file's raw, gzip and brotli bytes against its gzip budget, then the npm build's
// dist/index.js (built into a temporary folder). A figure, not a test: it prints and exits 0.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));
const cdnDir = join(repo, 'dist/cdn');
const ENTRY = 'agent37-chat';

// Budgets in bytes of gzip: 35 kB is 35,000 bytes, not 35 × 1024.
// 35 kB until the launcher, the English catalogue with @lit/context, the empty state and the answers'
// copy, time, usage and code folding came in (issue 11: 34.4 → 42.0 kB); other languages are chunks.
// 43 kB until tabs as one chat (leader election and mirroring, about 2 kB), the conversations API and
// its titles, the model choice and the long-conversation window came in (issue 12: 42.1 → 50.1 kB);
// the conversation list (4.8 kB) and the model picker (1.8 kB) are chunks fetched when first shown.
// Next saving in sight: the text of Lit css`…` templates is left unminified (about 0.7 kB gzip).
const ENTRY_BUDGET = 51_000;
const CHUNK_BUDGET = 10_000;
// Chunks that cannot be cut to 10 kB, and why.
const LARGER_BUDGETS: Record<string, { budget: number; why: string }> = {
  'markdown-renderer': { budget: 20_000, why: 'marked, about 15 kB gzip of it; loaded as the page starts' },
  'code-highlighter': { budget: 12_000, why: 'the highlight.js core, about 8 kB gzip of it; loaded on the first code block' },
  'html-entity-table': { budget: 11_000, why: "HTML's 2,124 named references; loaded on the first uncommon one" },
};

interface Row {
  file: string;
  raw: number;
  gzip: number;
  brotli: number;
  budget: number;
  note: string;
}

async function measure(file: string): Promise<Omit<Row, 'file' | 'budget' | 'note'>> {
  const bytes = await readFile(file);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }).length,
  };
}

/** The chunk's name without its content hash (`python-repl-D5uGO-jm.js` → `python-repl`). */
function chunkName(file: string): string {
  return file.replace(/-[\w-]{8}\.js$/, '');
}

function budgetOf(file: string, version: string): { budget: number; note: string } {
  if (file === `${ENTRY}.js`) return { budget: ENTRY_BUDGET, note: 'the script-tag file' };
  if (file === `${ENTRY}-${version}.js`) return { budget: ENTRY_BUDGET, note: 'its versioned copy' };
  const larger = LARGER_BUDGETS[chunkName(file)];
  return larger ? { budget: larger.budget, note: larger.why } : { budget: CHUNK_BUDGET, note: '' };
}

const bytes = (count: number) => count.toLocaleString('en').padStart(9);

function printRows(rows: Row[]): void {
  const width = Math.max(...rows.map((row) => row.file.length));
  console.log(`${'file'.padEnd(width)}       raw      gzip    brotli    budget`);
  for (const row of rows) {
    const over = row.gzip - row.budget;
    const verdict = over > 0 ? `OVER by ${over.toLocaleString('en')}` : `${(row.budget - row.gzip).toLocaleString('en')} to spare`;
    console.log(`${row.file.padEnd(width)} ${bytes(row.raw)} ${bytes(row.gzip)} ${bytes(row.brotli)} ${bytes(row.budget)}  ${verdict}${row.note ? `  (${row.note})` : ''}`);
  }
}

export async function sizeBench(): Promise<void> {
  const { version } = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string };
  await build({ root: repo, mode: 'cdn', logLevel: 'warn' });

  const rows: Row[] = [];
  for (const file of (await readdir(cdnDir)).filter((name) => name.endsWith('.js'))) {
    rows.push({ file, ...(await measure(join(cdnDir, file))), ...budgetOf(file, version) });
  }
  const entryFirst = (row: Row) => (row.file.startsWith(`${ENTRY}.`) ? 0 : row.file.startsWith(`${ENTRY}-`) ? 1 : 2);
  rows.sort((a, b) => entryFirst(a) - entryFirst(b) || b.gzip - a.gzip);

  console.log(`\ndist/cdn (vite build --mode cdn), in bytes: gzip -9, brotli quality 11; budgets are gzip bytes, 1 kB = 1,000 bytes:`);
  console.log(`the entry 35 kB (${ENTRY_BUDGET.toLocaleString('en')}), each chunk 10 kB (${CHUNK_BUDGET.toLocaleString('en')}) unless noted\n`);
  printRows(rows);
  const grammars = rows.filter((row) => row.budget === CHUNK_BUDGET);
  const largest = grammars.reduce<Row | undefined>((max, row) => (max && max.gzip >= row.gzip ? max : row), undefined);
  if (largest) console.log(`\n${grammars.length} chunks on the 10 kB budget; the largest: ${largest.file}, ${largest.gzip.toLocaleString('en')} bytes gzip`);
  const over = rows.filter((row) => row.gzip > row.budget);
  console.log(over.length ? `${over.length} over budget: ${over.map((row) => row.file).join(', ')}` : 'all within budget');

  // the npm build, into a temporary folder so dist/ (which tsc also writes) keeps no stale chunks
  const npmDir = await mkdtemp(join(tmpdir(), 'agent37-size-'));
  try {
    await build({ root: repo, mode: 'production', logLevel: 'warn', build: { outDir: npmDir, emptyOutDir: true } });
    const index = await measure(join(npmDir, 'index.js'));
    const figures = `${index.raw.toLocaleString('en')} raw, ${index.gzip.toLocaleString('en')} gzip, ${index.brotli.toLocaleString('en')} brotli`;
    console.log(`\nnpm build (vite build: not minified, lit, marked and highlight.js stay dependencies): dist/index.js ${figures}`);
  } finally {
    await rm(npmDir, { recursive: true, force: true });
  }
}
