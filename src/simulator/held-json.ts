/**
 * The newer gateway's non-streaming answer: 200 and the headers at once, a single space every
 * `heartbeatMs` so proxies keep the connection open, then the JSON body (JSON allows leading spaces).
 */
import type { ServerResponse } from 'node:http';

export async function sendHeldJson(res: ServerResponse, ready: Promise<void>, body: () => unknown, heartbeatMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.flushHeaders();
  const heartbeat = setInterval(() => {
    if (!res.destroyed) res.write(' ');
  }, Math.max(1, heartbeatMs));
  try {
    await ready;
  } finally {
    clearInterval(heartbeat);
  }
  if (!res.destroyed && !res.writableEnded) res.end(JSON.stringify(body()));
}
