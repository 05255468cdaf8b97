/**
 * A real redis-server for one test file: no persistence, on a free port (or the port asked for, to
 * bring a server back where a store expects it), answered PING before it is handed out.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';

const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisServer {
  url: string;
  port: number;
  /** Ends the server and waits until it is gone; safe to call twice. */
  stop(): Promise<void>;
}

export async function startRedisServer(options: { port?: number } = {}): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`${REDIS_SERVER} is missing: install it (apt-get install redis-server); .ci/run does`);
  }
  let lastFailure = '';
  // a free port can be taken between finding it and redis-server binding it: try another
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freePort());
    const started = await tryStart(port);
    if ('server' in started) return started.server;
    lastFailure = started.failure;
    if (options.port !== undefined) break;
  }
  throw new Error(`redis-server did not start: ${lastFailure}`);
}

/** A port nothing listens on right now (also what a test uses as an unreachable address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function tryStart(port: number): Promise<{ server: RedisServer } | { failure: string }> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  // should the test process end without its after hooks, the server goes with it
  const killNow = (): void => void child.kill('SIGKILL');
  process.once('exit', killNow);

  const stop = async (): Promise<void> => {
    process.off('exit', killNow);
    if (running) child.kill('SIGKILL');
    await exited;
  };

  const deadline = Date.now() + 10_000;
  while (running && Date.now() < deadline) {
    if (await answersPing(port)) return { server: { url: `redis://127.0.0.1:${port}`, port, stop } };
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 25))]);
  }
  await stop();
  return { failure: running ? `no PONG on port ${port} within 10 s` : lastLines(output) };
}

/** One PING over a raw socket; false on any failure (not listening yet, or someone else's port). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function lastLines(output: string): string {
  return output.trim().split('\n').slice(-3).join(' | ') || 'it exited without a word';
}
