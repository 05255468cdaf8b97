import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistoryMessage } from '../../src/contract/gateway.js';
import { isUserText, readableThinking } from '../../src/contract/history-turns.js';
import type { AssistantMessage, ChatMessage, TranscriptTurn } from '../../src/state/conversation-types.js';
import { historyView } from '../../src/state/history-view.js';

let row = 0;
function rows(...specs: [HistoryMessage['role'], string, string?][]): HistoryMessage[] {
  return specs.map(([role, content, thinking]) => ({
    id: `hermes:s1:${++row}`,
    session_id: 's1',
    role,
    content,
    ...(thinking !== undefined ? { thinking } : {}),
    created_at: row,
  }));
}

function shape(messages: readonly ChatMessage[]): string[] {
  return messages.map((m) => (m.role === 'user' ? `user: ${m.text}` : `answer(${m.status}): ${m.parts.map((p) => (p.type === 'tool' ? `[${p.step.tool}]` : p.type === 'reasoning' ? `{${p.text}}` : p.text)).join(' | ')}`));
}

const answers = (messages: readonly ChatMessage[]) => messages.filter((m): m is AssistantMessage => m.role === 'assistant');

test('several assistant rows after one user row are one answer; each row stays its own text block', () => {
  const history = rows(['user', 'Q1'], ['assistant', 'Let me check the records.'], ['assistant', 'The answer is 42.'], ['user', 'Q2'], ['assistant', 'Sure.']);
  const view = historyView(history);
  assert.deepEqual(shape(view.messages), ['user: Q1', 'answer(complete): Let me check the records. | The answer is 42.', 'user: Q2', 'answer(complete): Sure.']);
  assert.equal(answers(view.messages)[0]!.text, 'Let me check the records.The answer is 42.');
  assert.equal(answers(view.messages)[0]!.id, history[1]!.id);
  assert.equal(view.lastFinishedId, history.at(-1)!.id);
  assert.equal(view.runningInput, null);
});

test('a compaction system row is not shown; JSON thinking is read as prose; a turn with no answer row shows its question only', () => {
  const history = rows(
    ['user', 'Q1'],
    ['assistant', 'A1', JSON.stringify([{ type: 'thinking', thinking: 'step one' }, { type: 'signature', signature: 'abc' }])],
    ['system', 'Context compacted. Earlier conversation was summarized so the agent could continue.'],
    ['user', 'Q2'],
  );
  assert.deepEqual(shape(historyView(history).messages), ['user: Q1', 'answer(complete): {step one} | A1', 'user: Q2']);
  assert.equal(readableThinking('{"summary":[{"type":"summary_text","text":"short"}]}'), 'short');
  assert.equal(readableThinking('{"signature":"only"}'), '');
  assert.equal(readableThinking('[not json'), '[not json');
  assert.equal(readableThinking('plain prose'), 'plain prose');
});

test('written as it runs: the running turn’s user row and interim rows are left to the live replay (by what history held before)', () => {
  const history = rows(['user', 'Q1'], ['assistant', 'A1'], ['user', 'Q2'], ['assistant', 'Let me check.']);
  const view = historyView(history, { running: { before: { lastId: history[1]!.id, turnsSince: 0 }, input: 'Q2' } });
  assert.deepEqual(shape(view.messages), ['user: Q1', 'answer(complete): A1']);
  assert.equal(view.runningInput, 'Q2');
  assert.equal(view.lastFinishedId, history[1]!.id);
});

test('written at the end: a running turn is not in history yet, and nothing is left out', () => {
  const history = rows(['user', 'Q1'], ['assistant', 'A1']);
  for (const running of [{ before: { lastId: history[1]!.id, turnsSince: 0 }, input: 'Q2' }, { input: 'Q2' }, {}]) {
    const view = historyView(history, { running });
    assert.deepEqual(shape(view.messages), ['user: Q1', 'answer(complete): A1'], JSON.stringify(running));
    assert.equal(view.runningInput, null);
    assert.equal(view.lastFinishedId, history[1]!.id);
  }
});

test('the same question twice: what history held before the turn tells the running one from the finished one', () => {
  const history = rows(['user', 'again'], ['assistant', 'first answer'], ['user', 'again']);
  const known = historyView(history, { running: { before: { lastId: history[1]!.id, turnsSince: 0 }, input: 'again' } });
  assert.deepEqual(shape(known.messages), ['user: again', 'answer(complete): first answer']);
  // turns this page sent since its last read come first
  const later = historyView(history, { running: { before: { lastId: null, turnsSince: 1 }, input: 'again' } });
  assert.deepEqual(shape(later.messages), ['user: again', 'answer(complete): first answer']);
  assert.equal(later.runningInput, 'again');
});

test('a new conversation whose first turn runs (history empty before it)', () => {
  const history = rows(['user', 'hello'], ['assistant', 'Let me look.']);
  const view = historyView(history, { running: { before: { lastId: null, turnsSince: 0 }, input: 'hello' } });
  assert.deepEqual(view.messages, []);
  assert.equal(view.runningInput, 'hello');
  assert.equal(view.lastFinishedId, null);
});

test('without what history held before: by the typed text on the last user row, or (another tab’s turn) an unanswered last user row', () => {
  const history = rows(['user', 'Q1'], ['assistant', 'A1'], ['user', 'Q2'], ['assistant', 'interim']);
  assert.deepEqual(shape(historyView(history, { running: { input: 'Q2' } }).messages), ['user: Q1', 'answer(complete): A1']);
  // someone else's running turn with interim rows cannot be told from a finished one: history stands
  assert.equal(historyView(history, { running: {} }).messages.length, 4);
  const unanswered = rows(['user', 'Q1'], ['assistant', 'A1'], ['user', 'Q2 from the other tab']);
  const view = historyView(unanswered, { running: {} });
  assert.deepEqual(shape(view.messages), ['user: Q1', 'answer(complete): A1']);
  assert.equal(view.runningInput, 'Q2 from the other tab');
});

test('a notice in front of the stored question: still this turn’s, and shown as typed', () => {
  const history = rows(['user', "[Background task 'nightly' finished: 3 files]\n\nWhat changed?"], ['assistant', 'Three files.']);
  assert.equal(isUserText(history[0]!.content, 'What changed?'), true);
  assert.equal(isUserText('What changed? Really', 'What changed?'), false);
  const running = historyView(history.slice(0, 1), { running: { before: { lastId: null, turnsSince: 0 }, input: 'What changed?' } });
  assert.equal(running.runningInput, 'What changed?');
  const transcript: TranscriptTurn[] = [{ responseId: 'r1', input: 'What changed?', status: 'complete', parts: [{ type: 'text', text: 'Three files.' }], at: 1 }];
  assert.deepEqual(shape(historyView(history, { transcript }).messages), ['user: What changed?', 'answer(complete): Three files.']);
});

test('the transcript puts back what history does not keep: tool steps, Stopped, a failed turn’s error, usage', () => {
  const history = rows(['user', 'Q1'], ['assistant', 'Checking.'], ['assistant', 'Done.'], ['user', 'Q2'], ['assistant', 'Part'], ['user', 'Q3']);
  const step = { tool: 'read_file', label: 'Reading notes.md', status: 'failed' as const, error: 'File not found' };
  const transcript: TranscriptTurn[] = [
    {
      responseId: 'r1',
      input: 'Q1',
      status: 'complete',
      parts: [{ type: 'text', text: 'Checking.' }, { type: 'tool', step }, { type: 'text', text: 'Done.' }],
      usage: { input_tokens: 1, output_tokens: 2 },
      at: 1,
    },
    { responseId: 'r2', input: 'Q2', status: 'stopped', parts: [{ type: 'text', text: 'Part' }], at: 2 },
    { responseId: 'r3', input: 'Q3', status: 'failed', parts: [], error: { code: 'quota_exhausted', message: 'Error code: 402' }, at: 3 },
  ];
  const view = historyView(history, { transcript });
  assert.deepEqual(shape(view.messages), [
    'user: Q1',
    'answer(complete): Checking. | [read_file] | Done.',
    'user: Q2',
    'answer(stopped): Part',
    'user: Q3',
    'answer(failed): ',
  ]);
  const [first, , third] = answers(view.messages);
  assert.deepEqual(first!.usage, { input_tokens: 1, output_tokens: 2 });
  assert.equal(first!.responseId, 'r1');
  assert.deepEqual(first!.steps, [step]);
  assert.equal(third!.error?.code, 'quota_exhausted');
  assert.equal(view.transcript.length, 3);
});

test('the server is the truth for text: a turn it no longer has is dropped; a text that differs is the server’s, with the recorded steps', () => {
  const history = rows(['user', 'Q2'], ['assistant', 'Server interim.'], ['assistant', 'Server final.']);
  const step = { tool: 'web_search', label: 'Searching', status: 'completed' as const, duration_ms: 5 };
  const transcript: TranscriptTurn[] = [
    { responseId: 'gone', input: 'Q1', status: 'complete', parts: [{ type: 'text', text: 'old' }], at: 1 },
    // what the page saw of it stopped short of the last word (a replay that did not line up)
    { responseId: 'r2', input: 'Q2', status: 'complete', parts: [{ type: 'text', text: 'Server interim.' }, { type: 'tool', step }, { type: 'text', text: 'Server' }], at: 2 },
  ];
  const view = historyView(history, { transcript });
  assert.deepEqual(shape(view.messages), ['user: Q2', 'answer(complete): Server interim. | [web_search] | Server final.']);
  assert.deepEqual(
    view.transcript.map((t) => t.responseId),
    ['r2'],
  );
  // a full answer the server has no row of is not brought back
  const lost = historyView(rows(['user', 'Q9']), {
    transcript: [{ responseId: 'r9', input: 'Q9', status: 'complete', parts: [{ type: 'text', text: 'was here' }], at: 9 }],
  });
  assert.deepEqual(shape(lost.messages), ['user: Q9']);
  // an empty answer (the budget, usually) stays, so it can say so again
  const empty = historyView(rows(['user', 'Q8']), { transcript: [{ responseId: 'r8', input: 'Q8', status: 'complete', parts: [], at: 8 }] });
  assert.deepEqual(shape(empty.messages), ['user: Q8', 'answer(complete): ']);
});

test('an unanswered last user row this browser recorded as finished is not taken for someone else’s running turn', () => {
  const history = rows(['user', 'Q1']);
  const transcript: TranscriptTurn[] = [{ responseId: 'r1', input: 'Q1', status: 'failed', parts: [], error: { code: 'agent_error', message: 'x' }, at: 1 }];
  const view = historyView(history, { running: {}, transcript });
  assert.deepEqual(shape(view.messages), ['user: Q1', 'answer(failed): ']);
  assert.equal(view.runningInput, null);
});

test('a turn the transcript has no record of never takes another turn’s record with the same question', () => {
  const history = rows(['user', 'yes'], ['assistant', 'Great, booked.'], ['user', 'weather?'], ['assistant', 'Sunny.'], ['user', 'yes']);
  const step = { tool: 'weather', label: 'Checking the weather', status: 'completed' as const, duration_ms: 3 };
  const transcript: TranscriptTurn[] = [
    { responseId: 'w', input: 'weather?', status: 'complete', parts: [{ type: 'tool', step }, { type: 'text', text: 'Sunny.' }], at: 1 },
    { responseId: 'y', input: 'yes', status: 'failed', parts: [], error: { code: 'agent_error', message: 'x' }, at: 2 },
  ];
  const view = historyView(history, { transcript });
  assert.deepEqual(shape(view.messages), ['user: yes', 'answer(complete): Great, booked.', 'user: weather?', 'answer(complete): [weather] | Sunny.', 'user: yes', 'answer(failed): ']);
  assert.deepEqual(
    view.transcript.map((t) => t.responseId),
    ['w', 'y'],
  );
});

test('a turn that failed after a tool, with only its interim row on the server: the step stays after that text', () => {
  const history = rows(['user', 'Q'], ['assistant', 'Let me check.']);
  const step = { tool: 'read_file', label: 'Reading', status: 'failed' as const };
  const transcript: TranscriptTurn[] = [
    { responseId: 'r', input: 'Q', status: 'failed', parts: [{ type: 'text', text: 'Let me check.' }, { type: 'tool', step }, { type: 'text', text: 'Half' }], error: { code: 'provider_error', message: 'x' }, at: 1 },
  ];
  assert.deepEqual(shape(historyView(history, { transcript }).messages), ['user: Q', 'answer(failed): Let me check. | [read_file]']);
});

test('someone else’s running turn, its place unknown, with an answered last turn: that answer is flagged for the live replay to settle', () => {
  const history = rows(['user', 'Q1'], ['assistant', 'A1'], ['user', 'Q2'], ['assistant', 'Let me check.']);
  const view = historyView(history, { running: {} });
  assert.deepEqual(view.ambiguousTail, { answerId: history[3]!.id, text: 'Let me check.', rowsBefore: history[1]!.id });
  assert.equal(historyView(history, { running: { input: 'Q2' } }).ambiguousTail, null);
  assert.equal(historyView(history).ambiguousTail, null);
});

test('each message’s time: the transcript’s when it kept one, else the row’s created_at (milliseconds, seconds or ISO); none when unknown', () => {
  const at = Date.UTC(2026, 0, 1);
  const history = [
    { id: 'h1', session_id: 's1', role: 'user', content: 'Q1', created_at: at },
    { id: 'h2', session_id: 's1', role: 'assistant', content: 'A1', created_at: at / 1000 + 1 },
    { id: 'h3', session_id: 's1', role: 'user', content: 'Q2', created_at: new Date(at + 5_000).toISOString() },
    { id: 'h4', session_id: 's1', role: 'assistant', content: 'A2' },
    { id: 'h5', session_id: 's1', role: 'user', content: 'Q3', created_at: 'soon' },
    { id: 'h6', session_id: 's1', role: 'assistant', content: 'A3', created_at: at + 9_000 },
    { id: 'h7', session_id: 's1', role: 'user', content: 'Q4', created_at: at + 20_000 },
    { id: 'h8', session_id: 's1', role: 'assistant', content: 'A4', created_at: at + 30_000 },
  ] as unknown as HistoryMessage[];
  const times = (messages: readonly ChatMessage[]) => messages.map((m) => m.createdAt);
  assert.deepEqual(times(historyView(history).messages), [at, at + 1_000, at + 5_000, undefined, undefined, at + 9_000, at + 20_000, at + 30_000]);
  // this browser kept the last turn's times: when it was sent, when its answer began
  const transcript: TranscriptTurn[] = [{ responseId: 'r4', input: 'Q4', status: 'complete', parts: [{ type: 'text', text: 'A4' }], at: at + 40_000, askedAt: at + 19_000, startedAt: at + 19_500 }];
  assert.deepEqual(times(historyView(history, { transcript }).messages).slice(-2), [at + 19_000, at + 19_500]);
  // a turn stored before times were kept: the server's
  const older: TranscriptTurn[] = [{ ...transcript[0]!, askedAt: undefined, startedAt: undefined }];
  assert.deepEqual(times(historyView(history, { transcript: older }).messages).slice(-2), [at + 20_000, at + 30_000]);
  // the running turn's question, when history holds it already
  const running = historyView(history.slice(0, 7), { running: { input: 'Q4' } });
  assert.equal(running.runningAskedAt, at + 20_000);
  assert.equal(historyView(history.slice(0, 6), { running: { input: 'Q4' } }).runningAskedAt, undefined);
});
