import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffCeiling, equalJitterDelay, fullJitterDelay, interruptibleSleep } from '../../src/client/backoff.js';

test('ceilings double from the base and stop at the cap', () => {
  const o = { baseMs: 500, capMs: 10_000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 30].map((n) => backoffCeiling(n, o)),
    [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000],
  );
});

test('full jitter spans [0, ceiling); equal jitter spans [ceiling/2, ceiling)', () => {
  const low = { baseMs: 500, capMs: 10_000, random: () => 0 };
  const high = { baseMs: 500, capMs: 10_000, random: () => 0.999999 };
  assert.equal(fullJitterDelay(3, low), 0);
  assert.equal(fullJitterDelay(3, high), 3999);
  assert.equal(equalJitterDelay(3, low), 2000);
  assert.equal(equalJitterDelay(3, high), 3999);
});

test('an interruptible sleep ends early on wake and on abort', async () => {
  const started = Date.now();
  const sleep = interruptibleSleep(60_000);
  setTimeout(sleep.wake, 10);
  await sleep.done;
  const controller = new AbortController();
  const aborted = interruptibleSleep(60_000, controller.signal);
  setTimeout(() => controller.abort(), 10);
  await aborted.done;
  assert.ok(Date.now() - started < 30_000);
});
