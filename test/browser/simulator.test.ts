/**
 * The simulator from a real browser: a streamed turn fetched through the relay
 * (/api/agent37/v1/responses), read incrementally from the body and parsed with eventsource-parser.
 */
import { expect } from '@open-wc/testing';
import { createParser } from 'eventsource-parser';


interface SseEvent {
  event: string;
  data: any;
}

async function token(): Promise<string> {
  const response = await fetch('/api/agent37/token', { method: 'POST' });
  expect(response.status).to.equal(200);
  return ((await response.json()) as { token: string }).token;
}

/** Reads the body chunk by chunk as the browser receives it, through eventsource-parser. */
async function readSse(body: ReadableStream<Uint8Array>): Promise<{ events: SseEvent[]; comments: string[]; cut: boolean }> {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = createParser({
    onEvent: (message) => events.push({ event: message.event ?? 'message', data: JSON.parse(message.data) }),
    onComment: (comment) => comments.push(comment),
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { events, comments, cut: false };
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch {
    // a dropped connection errors the body: keep what arrived before it
    return { events, comments, cut: true };
  }
}

function post(bearer: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch('/api/agent37/v1/responses', {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('the simulator from a browser', () => {
  it('streams a turn through the relay: created, reasoning, tools, markdown text, one terminal', async () => {
    const bearer = await token();
    const response = await post(bearer, { input: 'Show me a table and some code', stream: true });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/event-stream/);
    const { events } = await readSse(response.body!);

    const names = events.map((event) => event.event);
    expect(names[0]).to.equal('response.created');
    expect(events[0]!.data.id).to.match(/^[0-9a-f]{32}$/);
    expect(names).to.include('response.reasoning.delta');
    expect(names).to.include('response.tool_call.started');
    expect(names.filter((name) => name === 'response.completed' || name === 'response.failed')).to.deep.equal(['response.completed']);
    expect(names.at(-1)).to.equal('response.completed');

    const text = events
      .filter((event) => event.event === 'response.output_text.delta')
      .map((event) => event.data.text)
      .join('');
    expect(events.at(-1)!.data.output_text).to.equal(text);
    // interim text ("Let me check…") streams before the tools with no separator; the answer proper follows them
    const afterTools = events
      .slice(names.lastIndexOf('response.tool_call.started'))
      .filter((event) => event.event === 'response.output_text.delta')
      .map((event) => event.data.text)
      .join('');
    expect(afterTools).to.match(/^## /m);
    expect(text).to.match(/^\| --- \|/m);
    expect(text).to.match(/```/);
    expect(text).to.match(/\p{Script=Han}/u);
    expect(text).to.match(/\p{Extended_Pictographic}/u);
  });

  it('[chars=N] arrives as exactly N characters, and a cut stream through the relay has no terminal event', async () => {
    const bearer = await token();
    const exact = await readSse((await post(bearer, { input: 'count [chars=321]', stream: true })).body!);
    expect(exact.cut).to.equal(false);
    const text = exact.events
      .filter((event) => event.event === 'response.output_text.delta')
      .map((event) => event.data.text)
      .join('');
    expect(text.length).to.equal(321);

    const cut = await post(bearer, { input: 'cut short', stream: true }, { 'x-agent37-sim-fault': 'drop-after-events=3' });
    expect(cut.status).to.equal(200);
    const read = await readSse(cut.body!);
    // Chromium drops bytes still queued in the body when the connection breaks (the data and the
    // reset can land together under load), so the page sees a prefix of the three events sent.
    const seen = read.events.map((event) => event.event);
    expect(['response.created', 'response.reasoning.delta', 'response.reasoning.delta'].slice(0, seen.length)).to.deep.equal(seen);
    expect(read.cut).to.equal(true);
  });
});
