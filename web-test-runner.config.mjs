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
  middleware: [stack.middleware],
  plugins: [esbuildPlugin({ ts: true, target: 'auto', tsconfig: new URL('./tsconfig.json', import.meta.url).pathname })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      },
    }),
  ],
};
