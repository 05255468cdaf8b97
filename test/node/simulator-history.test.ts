/**
 * History as Hermes writes it (newer revision), under both readings: `live` (rows as the turn runs)
 * and `at-end` (the same rows, all at the end). Ids, several assistant rows per turn, reasoning on
 * the right row, JSON thinking, compaction and prepended notices.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scriptTurn } from '../../src/simulator/scripted-agent.js';
import { assistantTexts, call, openStream, rows, startSimulator, streamTurn, textOf, type ParsedEvent } from './simulator-harness.js';
import type { Simulator } from '../../src/simulator/index.js';

const HEX32 = /^[0-9a-f]{32}$/;
const PACE = 'x-agent37-sim-pace';
const COMPACTED = 'Context compacted. Earlier conversation was summarized so the agent could continue.';

interface Row {
  id: string;
  session_id: string;
  role: string;
  content: string;
  thinking?: string | null;
  created_at: number;
}

/** The first input of the form `${stem} ${i}${suffix}` whose script leaves `count` assistant texts. */
function inputWithTexts(stem: string, suffix: string, count: number): string {
  for (let i = 0; i < 500; i++) {
    const input = `${stem} ${i}${suffix}`;
    if (assistantTexts(scriptTurn(input).steps.map((step) => step.event)).length === count) return input;
  }
  throw new Error(`no input with ${count} assistant texts`);
}

async function historyOf(simulator: Simulator, sessionId: string): Promise<{ history: Row[]; active_response_id: string | null }> {
  const answer = await call(simulator, 'GET', `/v1/sessions/${sessionId}`);
  assert.equal(answer.status, 200);
  return answer.body;
}

function expectedRows(input: string, events: ParsedEvent[]): [string, string][] {
  return [['user', input], ...assistantTexts(events).map((text): [string, string] => ['assistant', text])];
}

for (const mode of ['live', 'at-end'] as const) {
  describe(`history written ${mode}`, async () => {
    const simulator = await startSimulator({ history: mode });

    const when = mode === 'live' ? 'each row appears as the turn runs' : 'nothing until it ends';
    test(`a turn with interim texts: ${when}; one assistant row per text`, async () => {
      const input = inputWithTexts('history check', ' [chars=120] [no-reasoning]', 3);
      const read = await openStream(simulator, 'POST', '/v1/responses', { body: { input, stream: true }, headers: { [PACE]: '30' } });
      await read.until((events) => events.length >= 1);
      const { id, session_id: sessionId } = read.events[0]!.data;

      const atStart = await historyOf(simulator, sessionId);
      assert.equal(atStart.active_response_id, id);
      assert.deepEqual(rows(atStart.history), mode === 'live' ? [['user', input]] : [], 'the user row is written when the turn starts');

      await read.until((events) => events.some((event) => event.event === 'response.tool_call.started'));
      const atFirstTool = await historyOf(simulator, sessionId);
      assert.equal(atFirstTool.active_response_id, id);
      const interim = textOf(read.events);
      assert.ok(interim.length > 0, 'text streamed before the first tool call');
      assert.deepEqual(rows(atFirstTool.history), mode === 'live' ? [['user', input], ['assistant', interim]] : []);

      await read.done;
      const atEnd = await historyOf(simulator, sessionId);
      assert.equal(atEnd.active_response_id, null);
      assert.deepEqual(rows(atEnd.history), expectedRows(input, read.events));
      assert.equal(atEnd.history.length, 4, 'the user row and three assistant rows');
      assert.equal(
        atEnd.history
          .filter((row) => row.role === 'assistant')
          .map((row) => row.content)
          .join(''),
        read.events.at(-1)!.data.output_text,
        'the assistant rows add up to the whole text',
      );
    });

    test('assistant rows with no text are left out', async () => {
      // [chars=3] leaves no room for interim text: the tool calls have no text before them
      const quiet = await streamTurn(simulator, { input: 'tools but no preamble [chars=3]' });
      assert.ok(quiet.events.some((event) => event.event === 'response.tool_call.started'));
      assert.deepEqual(rows((await historyOf(simulator, quiet.events[0]!.data.session_id)).history), [
        ['user', 'tools but no preamble [chars=3]'],
        ['assistant', textOf(quiet.events)],
      ]);
      for (const input of ['nothing to say [chars=0] [no-tools]', 'budget gone [empty]']) {
        const read = await streamTurn(simulator, { input });
        assert.deepEqual(rows((await historyOf(simulator, read.events[0]!.data.session_id)).history), [['user', input]], input);
      }
    });

    test('row ids are hermes:{sessionId}:{rowId}, increasing across turns; session_id is the session', async () => {
      const first = await streamTurn(simulator, { input: inputWithTexts('ids', ' [chars=80]', 2) });
      const sessionId = first.events[0]!.data.session_id;
      await streamTurn(simulator, { input: 'and more [no-tools] [chars=10]', session_id: sessionId });
      const { history } = await historyOf(simulator, sessionId);
      assert.equal(history.length, 5);
      history.forEach((row, i) => {
        assert.equal(row.id, `hermes:${sessionId}:${i + 1}`);
        assert.equal(row.session_id, sessionId);
      });
    });

    test('streamed reasoning goes on the first assistant row of the turn; late reasoning on the final row', async () => {
      const streamed = await streamTurn(simulator, { input: inputWithTexts('think first', '', 2) });
      const early = (await historyOf(simulator, streamed.events[0]!.data.session_id)).history;
      assert.deepEqual(
        early.map((row) => row.thinking ?? null),
        [null, textOf(streamed.events, 'response.reasoning.delta'), null],
      );

      const lateInput = inputWithTexts('think later', ' [late-reasoning]', 2);
      const late = await streamTurn(simulator, { input: lateInput });
      const reasoning = textOf(late.events, 'response.reasoning.delta');
      assert.ok(reasoning.length > 0);
      const lateRows = (await historyOf(simulator, late.events[0]!.data.session_id)).history;
      assert.deepEqual(
        lateRows.map((row) => row.thinking ?? null),
        [null, null, reasoning],
      );
    });

    test('[json-thinking]: the row holds the reasoning as a JSON string; the stream carried prose', async () => {
      const read = await streamTurn(simulator, { input: 'structured thoughts [json-thinking] [no-tools]' });
      const prose = textOf(read.events, 'response.reasoning.delta');
      assert.ok(prose.length > 0);
      assert.ok(!prose.trimStart().startsWith('['), 'the stream is prose');
      const [, answer] = (await historyOf(simulator, read.events[0]!.data.session_id)).history;
      assert.equal(typeof answer!.thinking, 'string');
      assert.deepEqual(JSON.parse(answer!.thinking!), [{ type: 'thinking', thinking: prose }]);

      const late = await streamTurn(simulator, { input: 'structured and late [json-thinking] [late-reasoning] [no-tools]' });
      const [, lateAnswer] = (await historyOf(simulator, late.events[0]!.data.session_id)).history;
      assert.deepEqual(JSON.parse(lateAnswer!.thinking!), [{ type: 'thinking', thinking: textOf(late.events, 'response.reasoning.delta') }]);
    });

    test('[compact]: a system row before the user row, later ids name a child session, earlier rows stay, the context shrinks', async () => {
      const first = await streamTurn(simulator, { input: 'a long start [chars=20000] [no-tools]' });
      const sessionId = first.events[0]!.data.session_id;
      const before = (await historyOf(simulator, sessionId)).history;

      const compacting = await openStream(simulator, 'POST', '/v1/responses', {
        body: { input: 'go on [compact] [chars=40] [no-tools]', session_id: sessionId, stream: true },
        headers: { [PACE]: '20' },
      });
      await compacting.until((events) => events.length >= 1);
      const running = (await historyOf(simulator, sessionId)).history;
      assert.deepEqual(
        rows(running.slice(before.length)),
        mode === 'live'
          ? [
              ['system', COMPACTED],
              ['user', 'go on [compact] [chars=40] [no-tools]'],
            ]
          : [],
      );
      await compacting.done;
      await streamTurn(simulator, { input: 'and after [chars=10] [no-tools]', session_id: sessionId });

      const { history } = await historyOf(simulator, sessionId);
      assert.deepEqual(history.slice(0, before.length), before, 'earlier rows stay as they were');
      assert.deepEqual(rows(history.slice(before.length)), [
        ['system', COMPACTED],
        ['user', 'go on [compact] [chars=40] [no-tools]'],
        ['assistant', textOf(compacting.events)],
        ['user', 'and after [chars=10] [no-tools]'],
        ['assistant', history.at(-1)!.content],
      ]);
      const child = /^hermes:([0-9a-f]{32}):(\d+)$/.exec(history[before.length]!.id)![1]!;
      assert.match(child, HEX32);
      assert.notEqual(child, sessionId);
      history.forEach((row, i) => {
        assert.equal(row.id, `hermes:${i < before.length ? sessionId : child}:${i + 1}`);
        assert.equal(row.session_id, sessionId, 'the rows still belong to the session the client knows');
      });
      assert.ok(
        compacting.events.at(-1)!.data.context.used_tokens < first.events.at(-1)!.data.context.used_tokens,
        'the summary takes less of the context than the conversation did',
      );
    });

    test('[notice]: the stored user text is a background-task notice, a blank line, then the input as typed', async () => {
      const input = 'what changed overnight? [notice] [chars=12] [no-tools]';
      const read = await streamTurn(simulator, { input });
      const [user] = (await historyOf(simulator, read.events[0]!.data.session_id)).history;
      assert.match(user!.content, /^\[Background task '[\w-]+' (finished|failed): [^\]]+\]\n\n/);
      assert.ok(user!.content.endsWith(`\n\n${input}`));
      const again = await streamTurn(simulator, { input });
      const [same] = (await historyOf(simulator, again.events[0]!.data.session_id)).history;
      assert.equal(same!.content, user!.content, 'the same input gets the same notice');
    });
  });
}

describe('live and at-end leave the same history', async () => {
  const live = await startSimulator({ history: 'live' });
  const atEnd = await startSimulator({ history: 'at-end' });

  test('the same conversation gives the same rows, thinking and id shapes', async () => {
    const inputs = [inputWithTexts('same rows', ' [json-thinking]', 3), 'next [compact] [notice] [late-reasoning]', 'last one [tool-fail]'];
    const conversation = async (simulator: Simulator): Promise<Row[]> => {
      let sessionId: string | undefined;
      for (const input of inputs) {
        const read = await streamTurn(simulator, { input, ...(sessionId ? { session_id: sessionId } : {}) });
        sessionId = read.events[0]!.data.session_id;
      }
      return (await historyOf(simulator, sessionId!)).history;
    };
    const [a, b] = [await conversation(live), await conversation(atEnd)];
    const shape = (history: Row[]) =>
      history.map((row) => ({ role: row.role, content: row.content, thinking: row.thinking ?? null, id: row.id.replace(/[0-9a-f]{32}/, 'X') }));
    assert.deepEqual(shape(a), shape(b));
    assert.ok(a.filter((row) => row.role === 'assistant').length > inputs.length, 'some turn left several assistant rows');
  });
});
