/**
 * `agent37-chat-simulator --port 3737 --key <key> [--faults] [--pace fast] [--keepalive-ms N]
 * [--replay-buffer-ms N] [--record-ttl-ms N] [--revision first] [--history at-end] [--max-records N]
 * [--heartbeat-ms N] [--host H]`: prints one line with its URL and runs until killed.
 */
import { parseArgs } from 'node:util';
import { createSimulator, type SimulatorOptions } from './server.js';

const USAGE = `usage: agent37-chat-simulator [--port 3737] [--key sk_live_dev] [--host 127.0.0.1] [--faults]
       [--pace realistic|fast] [--keepalive-ms N] [--replay-buffer-ms N] [--record-ttl-ms N]
       [--revision newer|first] [--history live|at-end] [--max-records N] [--heartbeat-ms N]`;

function fail(message: string): never {
  process.stderr.write(`agent37-chat-simulator: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) fail(`--${name} needs a whole number, got "${value}"`);
  return parsed;
}

function options(argv: string[]): SimulatorOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '3737' },
        host: { type: 'string', default: '127.0.0.1' },
        key: { type: 'string', multiple: true },
        faults: { type: 'boolean', default: false },
        pace: { type: 'string', default: 'realistic' },
        'keepalive-ms': { type: 'string' },
        'replay-buffer-ms': { type: 'string' },
        'record-ttl-ms': { type: 'string' },
        revision: { type: 'string', default: 'newer' },
        history: { type: 'string', default: 'live' },
        'max-records': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (values.pace !== 'realistic' && values.pace !== 'fast') fail(`--pace must be realistic or fast, got "${values.pace}"`);
  if (values.revision !== 'newer' && values.revision !== 'first') fail(`--revision must be newer or first, got "${values.revision}"`);
  if (values.history !== 'live' && values.history !== 'at-end') fail(`--history must be live or at-end, got "${values.history}"`);
  const keepaliveMs = number('keepalive-ms', values['keepalive-ms']);
  const replayBufferMs = number('replay-buffer-ms', values['replay-buffer-ms']);
  const recordTtlMs = number('record-ttl-ms', values['record-ttl-ms']);
  const maxRecords = number('max-records', values['max-records']);
  if (maxRecords === 0) fail('--max-records must be at least 1');
  const heartbeatMs = number('heartbeat-ms', values['heartbeat-ms']);
  return {
    key: values.key ?? [process.env.AGENT37_API_KEY ?? 'sk_live_dev'],
    port: number('port', values.port) ?? 3737,
    host: values.host,
    faults: values.faults,
    pace: values.pace,
    revision: values.revision,
    history: values.history,
    ...(keepaliveMs === undefined ? {} : { keepaliveMs }),
    ...(replayBufferMs === undefined ? {} : { replayBufferMs }),
    ...(recordTtlMs === undefined ? {} : { recordTtlMs }),
    ...(maxRecords === undefined ? {} : { maxRecords }),
    ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
  };
}

const simulator = await createSimulator(options(process.argv.slice(2))).catch((error: unknown) =>
  fail(error instanceof Error ? error.message : String(error)),
);
process.stdout.write(`agent37 simulator listening on ${simulator.url}\n`);

const stop = (): void => {
  void simulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
