/**
 * `agent37-chat-simulator`: prints exactly one line with its URL, serves, and exits on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const CLI = fileURLToPath(new URL('../../src/simulator/cli.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (part: string) => (stdout += part));
  child.stderr.setEncoding('utf8').on('data', (part: string) => (stderr += part));
  const firstLine = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line within 20 s; stderr: ${stderr}`)), 20_000);
    const check = (): void => {
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(stdout.split('\n')[0]!);
      }
    };
    child.stdout.on('data', check);
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited early; stderr: ${stderr}`));
    });
  });
  return { child, firstLine, output: () => ({ stdout, stderr }) };
}

test('the CLI prints one line with its URL, answers a streamed turn, and stops on SIGTERM', async () => {
  const cli = run(['--port', '0', '--key', 'sk_live_cli', '--pace', 'fast', '--faults', '--keepalive-ms', '5000']);
  const line = await cli.firstLine;
  const match = /^agent37 simulator listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
  assert.ok(match, line);
  const url = match[1]!;

  const response = await fetch(`${url}/v1/responses`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_live_cli', 'content-type': 'application/json' },
    body: JSON.stringify({ input: 'hello [chars=12]', stream: true }),
  });
  assert.equal(response.status, 200);
  const body = await response.text();
  assert.match(body, /^event: response\.created\n/);
  assert.match(body, /event: response\.completed\n/);
  const refused = await fetch(`${url}/v1/health`, { headers: { authorization: 'Bearer sk_live_cli', 'x-agent37-sim-fault': 'status=503' } });
  assert.equal(refused.status, 503, '--faults turns the fault header on');

  const exited = once(cli.child, 'exit');
  cli.child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
  assert.equal(cli.output().stdout, `${line}\n`, 'exactly one line on stdout');
});

test('the CLI refuses a bad flag with a usage message and exit code 2', async () => {
  const cli = run(['--pace', 'warp']);
  const [code] = await once(cli.child, 'exit');
  cli.firstLine.catch(() => undefined);
  assert.equal(code, 2);
  assert.match(cli.output().stderr, /--pace must be realistic or fast/);
  assert.match(cli.output().stderr, /usage: agent37-chat-simulator/);
});

test('the CLI takes --history, --max-records and --heartbeat-ms', async () => {
  const cli = run(['--port', '0', '--key', 'sk_live_cli', '--pace', 'fast', '--history', 'at-end', '--max-records', '1', '--heartbeat-ms', '10']);
  const url = /(http:\/\/\S+)$/.exec(await cli.firstLine)![1]!;
  const headers = { authorization: 'Bearer sk_live_cli', 'content-type': 'application/json' };
  const post = (input: string, extra: Record<string, string> = {}) =>
    fetch(`${url}/v1/responses`, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify({ input }) });

  // --heartbeat-ms 10: a turn of about half a second answers with spaces before its JSON
  const held = await (await post('slowish [chars=30] [no-tools] [no-reasoning]', { 'x-agent37-sim-pace': '40' })).text();
  assert.match(held, /^ {3,}\{/);
  const first = JSON.parse(held);

  // --history at-end: while a turn runs its session's history is empty
  const running = await fetch(`${url}/v1/responses`, { method: 'POST', headers, body: JSON.stringify({ input: 'wait [slow]', stream: true }) });
  const reader = running.body!.getReader();
  const created = new TextDecoder().decode((await reader.read()).value);
  const { id, session_id: sessionId } = JSON.parse(/^data: (.+)$/m.exec(created)![1]!);
  const session = await (await fetch(`${url}/v1/sessions/${sessionId}`, { headers })).json();
  assert.deepEqual(session.history, []);
  assert.equal(session.active_response_id, id);

  // --max-records 1: the second turn evicted the first one's record
  assert.equal((await fetch(`${url}/v1/responses/${first.id}/stream`, { headers })).status, 404);
  await fetch(`${url}/v1/responses/${id}/cancel`, { method: 'POST', headers });
  await reader.cancel();

  const exited = once(cli.child, 'exit');
  cli.child.kill('SIGTERM');
  assert.equal((await exited)[0], 0);
});

test('the CLI refuses a bad --history or --max-records 0', async () => {
  for (const [args, message] of [
    [['--history', 'sometimes'], /--history must be live or at-end/],
    [['--max-records', '0'], /--max-records must be at least 1/],
  ] as const) {
    const cli = run([...args]);
    const [code] = await once(cli.child, 'exit');
    cli.firstLine.catch(() => undefined);
    assert.equal(code, 2);
    assert.match(cli.output().stderr, message);
  }
});
