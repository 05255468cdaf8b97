// The script-tag build's release files, written once the bundle is on disk: a copy of the entry named
// with the package version (`agent37-chat-0.1.0.js`, for pinning on a CDN) and integrity.json, the
// `sha384-…` of every file in the folder, for `<script integrity>` and for checking a mirror.
import { createHash } from 'node:crypto';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';

export const INTEGRITY_FILE = 'integrity.json';

export function cdnReleaseFiles(options: { entry: string }): Plugin {
  let root = '';
  let outDir = '';
  return {
    name: 'agent37-cdn-release-files',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      outDir = resolve(config.root, config.build.outDir);
    },
    async writeBundle() {
      const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
      await copyFile(join(outDir, `${options.entry}.js`), join(outDir, `${options.entry}-${version}.js`));
      const files = (await readdir(outDir)).filter((name) => name !== INTEGRITY_FILE).sort();
      const integrity: Record<string, string> = {};
      for (const name of files) {
        integrity[name] = `sha384-${createHash('sha384').update(await readFile(join(outDir, name))).digest('base64')}`;
      }
      await writeFile(join(outDir, INTEGRITY_FILE), `${JSON.stringify(integrity, null, 2)}\n`);
    },
  };
}
