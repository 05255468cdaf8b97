/**
 * Issue 5's cut sweep: one turn with reasoning, tool calls and a long markdown answer with emoji and
 * CJK, recorded uncut, then cut by the simulator at ≥ 40 byte offsets spread over the whole stream
 * (inside frames, inside multi-byte characters, between frames, right after response.created, right
 * before the terminal event). Each cut run must end exactly like the uncut one, with one completion
 * and one POST. Then the first stream of new conversations, cut inside its response.created (the
 * frame that names the session): the relay claimed the session before the instance answered, so the
 * turn is found through the visitor's session list every time.
 */
import { expect } from '@open-wc/testing';
import type { StreamEvent } from '../../src/contract/gateway.js';
import { readEvents } from '../../src/client/sse.js';
import { chat, client, idle, isPost, lastAnswer, visible, type Chat, type Client } from '../support/client-harness.js';

const INPUT = 'Walk me through resumable streaming';

/**
 * The uncut turn's raw bytes through the relay, read by hand (no client code in the way). In a
 * session of its own: ids have the same length everywhere, so the byte offsets carry over.
 */
async function recordRaw(c: Client): Promise<Uint8Array> {
  const grant = await c.tokens.get();
  const response = await fetch(`${grant.api_base}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${grant.token}`, 'content-type': 'application/json', 'x-agent37-sim-pace': 'fast' },
    body: JSON.stringify({ input: INPUT, stream: true }),
  });
  return new Uint8Array(await response.arrayBuffer());
}

/** Byte offsets to cut at, each with why it was chosen. */
function cutOffsets(bytes: Uint8Array): Map<number, string> {
  const text = new TextDecoder().decode(bytes);
  const cuts = new Map<number, string>();
  const add = (offset: number, why: string) => {
    if (offset > 0 && offset < bytes.length && !cuts.has(offset)) cuts.set(offset, why);
  };
  // frame ends (byte offset just after each blank line)
  const frameEnds: number[] = [];
  for (let i = 1; i < bytes.length; i++) if (bytes[i] === 0x0a && bytes[i - 1] === 0x0a) frameEnds.push(i + 1);
  const createdEnd = frameEnds[0]!;
  const terminalStart = frameEnds.at(-2)!;
  expect(text.slice(new TextDecoder().decode(bytes.slice(0, terminalStart)).length)).to.match(/^event: response\.completed\n/);
  add(1, 'first byte');
  add(Math.floor(createdEnd / 2), 'inside response.created');
  add(createdEnd - 1, 'between the two newlines ending response.created');
  add(createdEnd, 'just after response.created');
  add(createdEnd + 3, 'inside the first frame after response.created');
  add(terminalStart, 'just before the terminal event');
  add(terminalStart + 20, 'inside the terminal event');
  add(bytes.length - 1, 'before the last newline');
  // between frames, spread over the stream
  for (let k = 1; k < 8; k++) add(frameEnds[Math.floor((k * frameEnds.length) / 8)]!, 'between frames');
  // inside multi-byte characters: after the 1st, 2nd and 3rd byte of 4-byte (emoji) and after
  // the 1st and 2nd of 3-byte (CJK) characters, taken from across the stream
  const leads4: number[] = [];
  const leads3: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i]! & 0xf8) === 0xf0) leads4.push(i);
    else if ((bytes[i]! & 0xf0) === 0xe0) leads3.push(i);
  }
  expect(leads4.length, 'the answer has emoji').to.be.above(0);
  expect(leads3.length, 'the answer has CJK').to.be.above(0);
  for (const lead of [leads4[0]!, leads4[Math.floor(leads4.length / 2)]!, leads4.at(-1)!]) for (const d of [1, 2, 3]) add(lead + d, 'inside an emoji');
  for (const lead of [leads3[0]!, leads3[Math.floor(leads3.length / 2)]!, leads3.at(-1)!]) for (const d of [1, 2]) add(lead + d, 'inside a CJK character');
  // and evenly over the whole stream, landing wherever they land
  for (let k = 1; cuts.size < 48 && k < 40; k++) add(Math.floor((k * bytes.length) / 40) + 7, 'evenly spread');
  return cuts;
}

describe('turn runner: the cut sweep', () => {
  let c: Client;
  let a: Chat;

  before(async function () {
    this.timeout(20_000);
    c = client();
    // The turn is POSTed at 2 ms per chunk, everything else at full speed. At `fast` the simulator
    // writes the whole turn in one burst, and when a connection breaks Chromium throws away body
    // bytes it received but had not handed to the page yet, sometimes response.created with them;
    // by the time the client asks the session for its running turn, a burst turn has already ended,
    // and a finished turn whose id was never seen can only be read back from the history, which
    // keeps no tool steps. A paced stream, like a real one, leaves the turn running meanwhile.
    c.net.add({ when: isPost, pace: '2' });
    c.net.add({ when: (r) => !isPost(r), pace: 'fast' });
    a = await chat(c, `sweep-${Date.now()}`);
    // cuts before response.created are found again through the session, so the sweep runs in one
    await a.session.send('Start [chars=10] [no-tools] [no-reasoning]');
    await idle(a.session);
  });

  it('every cut ends with the same text, reasoning and tool steps as the uncut turn, one completion, one POST', async function () {
    this.timeout(90_000);
    // the uncut run, through the same code path
    await a.session.send(INPUT);
    await idle(a.session);
    const uncut = visible(lastAnswer(a.session));
    expect(uncut.status).to.equal('complete');
    expect(uncut.reasoning.length).to.be.above(0);
    expect(uncut.steps.length).to.be.above(0);
    expect(uncut.text).to.match(/[\u{1F300}-\u{1FAFF}]/u);
    expect(uncut.text).to.match(/[\u4e00-\u9fff]/);
    expect(uncut.text.length).to.be.above(500);

    const raw = await recordRaw(c);
    // the recording is the same turn the runs produce
    const events: StreamEvent[] = [];
    for await (const e of readEvents(new Blob([raw as BlobPart]).stream())) events.push(e);
    const final = events.at(-1);
    expect(final?.event).to.equal('response.completed');
    if (final?.event === 'response.completed') expect(final.data.output_text).to.equal(uncut.text);

    const cuts = cutOffsets(raw);
    expect(cuts.size).to.be.at.least(40);
    const started = performance.now();
    const failures: string[] = [];
    for (const [offset, why] of [...cuts].sort((x, y) => x[0] - y[0])) {
      const attachesBefore = c.net.count('GET', '/stream');
      const label = `cut at byte ${offset}/${raw.length} (${why})`;
      if (!(await cutRun(c, a, offset, uncut, label, failures))) continue;
      if (c.net.count('GET', '/stream') - attachesBefore < 1) failures.push(`${label}: never reattached`);
    }
    expect(failures).to.deep.equal([]);
    // one user message per send, never a duplicate
    const users = a.session.snapshot.messages.filter((m) => m.role === 'user').length;
    expect(users).to.equal(2 + cuts.size);
    logResumes(a, `cut sweep: ${cuts.size} cuts over ${raw.length} bytes in ${Math.round(performance.now() - started)} ms`);
  });

  it("a new conversation's first stream cut inside response.created (between the instance and the relay) ends exact, never handed back", async function () {
    this.timeout(90_000);
    // the uncut first turn of a new conversation, the same input each time
    await a.session.newConversation();
    await a.session.send(INPUT);
    await idle(a.session);
    const uncut = visible(lastAnswer(a.session));
    expect(uncut.status).to.equal('complete');
    const raw = await recordRaw(c);
    const text = new TextDecoder().decode(raw);
    const createdEnd = new TextEncoder().encode(text.slice(0, text.indexOf('\n\n') + 2)).length;
    const sessionAt = new TextEncoder().encode(text.slice(0, text.indexOf('"session_id"'))).length;
    // every few bytes of the frame that names the new session, its id included
    const offsets = new Set<number>([1, 2, createdEnd - 2, createdEnd - 1, createdEnd, sessionAt, sessionAt + 14, sessionAt + 30]);
    for (let o = 5; o < createdEnd; o += 9) offsets.add(o);
    const failures: string[] = [];
    for (const offset of [...offsets].sort((x, y) => x - y)) {
      await a.session.newConversation();
      const label = `new conversation cut at byte ${offset}/${createdEnd} of response.created`;
      if (!(await cutRun(c, a, offset, uncut, label, failures))) continue;
      if (a.session.snapshot.sessionId === null) failures.push(`${label}: the session was never named`);
      const users = a.session.snapshot.messages.filter((m) => m.role === 'user').length;
      if (users !== 1) failures.push(`${label}: ${users} user messages`);
    }
    expect(failures).to.deep.equal([]);
    expect(offsets.size).to.be.at.least(10);
    logResumes(a, `new-conversation sweep: ${offsets.size} cuts inside response.created`);
  });
});

/**
 * One send of INPUT with its POST cut by the simulator at `offset`; what went wrong goes into
 * `failures`: not the uncut answer, not exactly one completion, the input POSTed again. False when
 * the send was refused.
 */
async function cutRun(c: Client, a: Chat, offset: number, uncut: ReturnType<typeof visible>, label: string, failures: string[]): Promise<boolean> {
  const postsBefore = c.net.requests.filter(isPost).length;
  const completedBefore = a.hooks.completed.length;
  c.net.add({ when: isPost, fault: `drop-after-bytes=${offset}`, times: 1 });
  try {
    await a.session.send(INPUT);
  } catch (e) {
    failures.push(`${label}: send refused: ${String(e)}`);
    return false;
  }
  await idle(a.session);
  const run = visible(lastAnswer(a.session));
  if (JSON.stringify(run) !== JSON.stringify(uncut)) failures.push(`${label}: ${JSON.stringify(run).slice(0, 200)}`);
  if (a.hooks.completed.length - completedBefore !== 1) failures.push(`${label}: ${a.hooks.completed.length - completedBefore} completions`);
  if (c.net.requests.filter(isPost).length - postsBefore !== 1) failures.push(`${label}: the input was POSTed again`);
  return true;
}

function logResumes(a: Chat, what: string): void {
  const ms = [...a.hooks.resumedMs].sort((x, y) => x - y);
  console.log(`${what}; resume (drop noticed → first new event) median ${ms[Math.floor(ms.length / 2)]} ms, max ${ms.at(-1)} ms over ${ms.length} resumes`);
}
