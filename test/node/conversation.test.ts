import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamEvent } from '../../src/contract/gateway.js';
import { emptyConversation, reduceConversation, type ConversationAction, type ConversationState } from '../../src/state/conversation.js';
import type { AssistantMessage } from '../../src/state/conversation-types.js';
import { historyView } from '../../src/state/history-view.js';

function run(actions: ConversationAction[], from: ConversationState = emptyConversation): ConversationState {
  return actions.reduce(reduceConversation, from);
}

function answer(state: ConversationState, id = 'a1'): AssistantMessage {
  const m = state.messages.find((x) => x.id === id);
  assert.ok(m && m.role === 'assistant', `assistant message ${id}`);
  return m;
}

const ev = (event: StreamEvent): ConversationAction => ({ type: 'event', id: 'a1', event });

test('history becomes messages; system messages are not shown; thinking becomes reasoning', () => {
  const { messages } = historyView([
    { id: 'h0', session_id: 's', role: 'system', content: 'be nice', created_at: 1_767_225_600_000 },
    { id: 'h1', session_id: 's', role: 'user', content: 'hi', created_at: 1_767_225_601_000 },
    { id: 'h2', session_id: 's', role: 'assistant', content: 'hello', thinking: 'greet back', created_at: 1_767_225_602_000 },
  ]);
  const state = run([{ type: 'history', messages }]);
  assert.deepEqual(state.messages, [
    { role: 'user', id: 'h1', text: 'hi', createdAt: 1_767_225_601_000 },
    {
      role: 'assistant',
      id: 'h2',
      createdAt: 1_767_225_602_000,
      text: 'hello',
      reasoning: 'greet back',
      steps: [],
      parts: [
        { type: 'reasoning', text: 'greet back' },
        { type: 'text', text: 'hello' },
      ],
      status: 'complete',
    },
  ]);
});

test('stream events build the answer: text, reasoning, steps in start order, usage, status', () => {
  const state = run([
    { type: 'user', id: 'u1', text: 'question' },
    { type: 'assistant', id: 'a1' },
    ev({ event: 'response.created', data: { id: 'r1', session_id: 's1' } }),
    ev({ event: 'response.reasoning.delta', data: { text: 'Let me ' } }),
    ev({ event: 'response.reasoning.delta', data: { text: 'think.' } }),
    ev({ event: 'response.tool_call.started', data: { tool: 'web_search', label: 'Searching the web' } }),
    ev({ event: 'response.tool_call.started', data: { tool: 'web_search' } }),
    ev({ event: 'response.tool_call.started', data: { tool: 'read_file', label: 'Reading a file' } }),
    // a completion closes the EARLIEST running step with that tool name
    ev({ event: 'response.tool_call.completed', data: { tool: 'web_search', duration_ms: 120 } }),
    ev({ event: 'response.tool_call.failed', data: { tool: 'read_file', error: 'ENOENT' } }),
    ev({ event: 'response.tool_call.completed', data: { tool: 'web_search', duration_ms: 80 } }),
    ev({ event: 'response.output_text.delta', data: { text: 'Hello 👋 ' } }),
    ev({ event: 'response.output_text.delta', data: { text: '世界' } }),
    ev({ event: 'response.completed', data: { output_text: 'Hello 👋 世界', usage: { input_tokens: 3, output_tokens: 4 } } }),
  ]);
  const a = answer(state);
  assert.equal(a.responseId, 'r1');
  assert.equal(a.text, 'Hello 👋 世界');
  assert.equal(a.reasoning, 'Let me think.');
  assert.deepEqual(a.steps, [
    { tool: 'web_search', label: 'Searching the web', status: 'completed', duration_ms: 120 },
    { tool: 'web_search', label: 'web_search', status: 'completed', duration_ms: 80 },
    { tool: 'read_file', label: 'Reading a file', status: 'failed', error: 'ENOENT' },
  ]);
  assert.equal(a.status, 'complete');
  assert.deepEqual(a.usage, { input_tokens: 3, output_tokens: 4 });
  assert.equal(state.messages[0]?.role, 'user');
});

test('a completed event after Stop marks the partial answer stopped', () => {
  const state = run([
    { type: 'assistant', id: 'a1' },
    ev({ event: 'response.output_text.delta', data: { text: 'Part' } }),
    { type: 'event', id: 'a1', cancelled: true, event: { event: 'response.completed', data: { output_text: 'Part', usage: null } } },
  ]);
  assert.equal(answer(state).status, 'stopped');
  assert.equal(answer(state).text, 'Part');
});

test("the terminal event's output_text wins (a synthesized replay); reasoning already seen is kept", () => {
  const state = run([
    { type: 'assistant', id: 'a1' },
    ev({ event: 'response.reasoning.delta', data: { text: 'thinking' } }),
    ev({ event: 'response.tool_call.started', data: { tool: 't' } }),
    ev({ event: 'response.output_text.delta', data: { text: 'Hel' } }),
    ev({ event: 'response.completed', data: { output_text: 'Hello there', usage: null } }),
  ]);
  const a = answer(state);
  assert.equal(a.text, 'Hello there');
  assert.equal(a.reasoning, 'thinking');
  assert.equal(a.steps[0]?.status, 'completed');
});

test('a failed turn carries a typed error; later status changes do not reopen a finished message', () => {
  const state = run([
    { type: 'assistant', id: 'a1' },
    ev({ event: 'response.output_text.delta', data: { text: 'x' } }),
    ev({ event: 'response.failed', data: { error: { code: 'agent_error', message: 'The agent failed.' } } }),
    { type: 'status', id: 'a1', status: 'reconnecting' },
  ]);
  const a = answer(state);
  assert.equal(a.status, 'failed');
  assert.equal(a.error?.code, 'agent_error');
  assert.equal(a.error?.message, 'The agent failed.');
  assert.equal(a.text, 'x');
});

test('connection states show on the running message and clear their error when streaming again', () => {
  let state = run([{ type: 'assistant', id: 'a1' }]);
  const before = state;
  state = reduceConversation(state, { type: 'status', id: 'a1', status: 'interrupted' });
  assert.equal(answer(state).status, 'interrupted');
  assert.equal(answer(before).status, 'streaming', 'the reducer does not mutate');
  state = reduceConversation(state, { type: 'status', id: 'a1', status: 'streaming' });
  assert.equal(answer(state).status, 'streaming');
  assert.equal(answer(state).error, undefined);
});

test('unknown ids and remove/reset', () => {
  const state = run([
    { type: 'user', id: 'u1', text: 'a' },
    { type: 'assistant', id: 'a1' },
    { type: 'event', id: 'nope', event: { event: 'response.output_text.delta', data: { text: 'x' } } },
    { type: 'remove', id: 'u1' },
  ]);
  assert.deepEqual(
    state.messages.map((m) => m.id),
    ['a1'],
  );
  assert.equal(answer(state).text, '');
  assert.deepEqual(reduceConversation(state, { type: 'reset' }).messages, []);
});

test('text before a tool and text after it are two parts with the step between; text stays the whole answer', () => {
  const state = run([
    { type: 'assistant', id: 'a1' },
    ev({ event: 'response.reasoning.delta', data: { text: 'Plan: ' } }),
    ev({ event: 'response.reasoning.delta', data: { text: 'look it up.' } }),
    ev({ event: 'response.output_text.delta', data: { text: 'Let me check ' } }),
    ev({ event: 'response.output_text.delta', data: { text: 'the records.' } }),
    ev({ event: 'response.tool_call.started', data: { tool: 'read_file', label: 'Reading records.csv' } }),
    ev({ event: 'response.tool_call.completed', data: { tool: 'read_file', duration_ms: 40 } }),
    ev({ event: 'response.output_text.delta', data: { text: 'The answer ' } }),
    ev({ event: 'response.output_text.delta', data: { text: 'is 42.' } }),
    ev({ event: 'response.reasoning.delta', data: { text: 'Late trace.' } }),
    ev({ event: 'response.completed', data: { output_text: 'Let me check the records.The answer is 42.', usage: null } }),
  ]);
  const a = answer(state);
  assert.deepEqual(a.parts, [
    { type: 'reasoning', text: 'Plan: look it up.' },
    { type: 'text', text: 'Let me check the records.' },
    { type: 'tool', step: { tool: 'read_file', label: 'Reading records.csv', status: 'completed', duration_ms: 40 } },
    { type: 'text', text: 'The answer is 42.' },
    { type: 'reasoning', text: 'Late trace.' },
  ]);
  assert.equal(a.text, 'Let me check the records.The answer is 42.');
  assert.equal(a.reasoning, 'Plan: look it up.Late trace.');
  assert.equal(a.steps.length, 1);
});

test("a terminal text that is only the end of what streamed (final-only reading) keeps the parts; one that differs replaces the text in place", () => {
  const streamed: ConversationAction[] = [
    { type: 'assistant', id: 'a1' },
    ev({ event: 'response.output_text.delta', data: { text: 'Interim. ' } }),
    ev({ event: 'response.tool_call.started', data: { tool: 't' } }),
    ev({ event: 'response.output_text.delta', data: { text: 'Final.' } }),
  ];
  const finalOnly = answer(run([...streamed, ev({ event: 'response.completed', data: { output_text: 'Final.', usage: null } })]));
  assert.equal(finalOnly.text, 'Interim. Final.');
  assert.equal(finalOnly.parts.length, 3);
  const other = answer(run([...streamed, ev({ event: 'response.completed', data: { output_text: 'Something else', usage: null } })]));
  assert.equal(other.text, 'Something else');
  assert.deepEqual(
    other.parts.map((p) => p.type),
    ['text', 'tool'],
  );
  const empty = answer(run([{ type: 'assistant', id: 'a1' }, ev({ event: 'response.completed', data: { output_text: '', usage: null } })]));
  assert.equal(empty.text, '');
  assert.equal(empty.status, 'complete');
  assert.deepEqual(empty.parts, []);
});

test('the rest of a text the terminal event completes goes after a tool step that came last, not above it', () => {
  const a = answer(
    run([
      { type: 'assistant', id: 'a1' },
      ev({ event: 'response.output_text.delta', data: { text: 'Let me check.' } }),
      ev({ event: 'response.tool_call.started', data: { tool: 't' } }),
      ev({ event: 'response.completed', data: { output_text: 'Let me check.The answer is 42.', usage: null } }),
    ]),
  );
  assert.deepEqual(
    a.parts.map((p) => (p.type === 'text' ? p.text : p.type)),
    ['Let me check.', 'tool', 'The answer is 42.'],
  );
  // and a one-piece text is split the way the history's rows are
  const split = reduceConversation(
    run([{ type: 'assistant', id: 'a1' }, ev({ event: 'response.completed', data: { output_text: 'Let me check.The answer.', usage: null } })]),
    { type: 'text-blocks', id: 'a1', blocks: ['Let me check.', 'The answer.'] },
  );
  assert.deepEqual(
    answer(split).parts.map((p) => (p.type === 'text' ? p.text : p.type)),
    ['Let me check.', 'The answer.'],
  );
});
