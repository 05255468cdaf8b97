// The visitor's conversations: listConversations / openConversation / renameConversation /
// deleteConversation and the header's conversation list, and the model picker, against the real
// relay and simulator (both gateway revisions).
import { expect } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import type { Agent37ConversationList } from '../../src/components/agent37-conversation-list.js';
import type { Agent37ModelPicker } from '../../src/components/agent37-model-picker.js';
import { failOnLitWarnings, mountChat, RecordingFetch, uniqueName, sendFromComposer, shadow, shownErrors, until, untilAnswerEnds } from './element-harness.js';

failOnLitWarnings();

/** Titles are unique across the instance (every visitor, and both engines of one run): each text carries this run's own tag. */
const RUN = uniqueName('run');

async function converse(el: Agent37Chat, text: string): Promise<string> {
  await sendFromComposer(el, text);
  await untilAnswerEnds(el);
  return el.sessionId!;
}

function listOf(el: Agent37Chat): Agent37ConversationList | null {
  return shadow(el).querySelector('agent37-conversation-list');
}

function rows(el: Agent37Chat): HTMLElement[] {
  return [...shadow(listOf(el)!).querySelectorAll<HTMLElement>('[part="conversation"]')];
}

function rowTitles(el: Agent37Chat): string[] {
  return rows(el).map((row) => row.querySelector('[part="conversation-title"]')?.textContent?.trim() ?? '');
}

async function openList(el: Agent37Chat): Promise<void> {
  shadow(el).querySelector<HTMLButtonElement>('[part="conversations-button"]')!.click();
  await until(() => listOf(el) !== null && rows(el).length > 0, 'the conversation list');
}

function conversationChanges(el: Agent37Chat): { kind: string; sessionId: string; title?: string }[] {
  const seen: { kind: string; sessionId: string; title?: string }[] = [];
  el.addEventListener('agent37-conversation-change', (e) => seen.push({ ...e.detail }));
  return seen;
}

describe('<agent37-chat> conversations', () => {
  it('lists the visitor\'s conversations newest first, titled, and opens one from the header\'s list', async () => {
    const { el } = await mountChat();
    const changes = conversationChanges(el);
    const first = await converse(el, `Plan a trip to Rome ${RUN}`);
    await el.newConversation();
    const second = await converse(el, `Explain quantum tunnelling ${RUN}`);

    const list = await el.listConversations();
    expect(list.map((c) => c.sessionId)).to.deep.equal([second, first]);
    expect(list.map((c) => c.title)).to.deep.equal([`Explain quantum tunnelling ${RUN}`, `Plan a trip to Rome ${RUN}`]);
    // both are newer than the instance's list the relay holds (it fetches that at most every few
    // seconds), so they come by what the relay knows: id and last use, no preview yet
    for (const c of list) {
      expect(c.lastActive).to.be.a('number');
      expect(Math.abs(Date.now() - c.lastActive!)).to.be.below(60_000);
    }
    expect(changes.filter((c) => c.kind === 'created').map((c) => c.sessionId)).to.deep.equal([first, second]);

    await openList(el);
    expect(rowTitles(el)).to.deep.equal([`Explain quantum tunnelling ${RUN}`, `Plan a trip to Rome ${RUN}`]);
    const current = rows(el).map((row) => row.querySelector('button')!.getAttribute('aria-current'));
    expect(current).to.deep.equal(['true', null]);
    expect(shadow(el).querySelector('[part="conversations-button"]')!.getAttribute('aria-expanded')).to.equal('true');
    await expect(el).to.be.accessible();

    const sessions: (string | null)[] = [];
    el.addEventListener('agent37-session-change', (e) => sessions.push(e.detail.sessionId));
    rows(el)[1]!.querySelector('button')!.click();
    await until(() => el.sessionId === first && el.messages.length === 2 && el.messages[0]!.text === `Plan a trip to Rome ${RUN}`, 'the first conversation');
    expect(listOf(el)).to.equal(null);
    expect(sessions).to.deep.equal([first]);
    expect(changes.at(-1)).to.deep.equal({ kind: 'opened', sessionId: first });
    // it goes on where it was
    await converse(el, 'And what about Florence?');
    expect(el.sessionId).to.equal(first);
    expect(el.messages).to.have.length(4);
  });

  it('renames inline, shows a taken title\'s refusal, and deletes with Undo; deleting the open one starts a new one', async () => {
    const { el } = await mountChat();
    const first = await converse(el, `Alpha topic ${RUN}`);
    await el.newConversation();
    const second = await converse(el, `Beta topic ${RUN}`);

    await el.renameConversation(first, `Renamed alpha ${RUN}`);
    expect((await el.listConversations()).find((c) => c.sessionId === first)!.title).to.equal(`Renamed alpha ${RUN}`);

    await openList(el);
    const list = listOf(el)!;
    // the open conversation (second) to the taken title: refused, the editor stays with the message
    rows(el)[0]!.querySelector<HTMLButtonElement>('[part="rename-button"]')!.click();
    await list.updateComplete;
    const input = shadow(list).querySelector<HTMLInputElement>('[part="rename-input"]')!;
    input.value = `Renamed alpha ${RUN}`;
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await until(() => (shadow(list).querySelector('[role="alert"]')?.textContent ?? '').includes('already has this title'), 'the title conflict');
    expect(shadow(list).querySelector('[part="rename-input"]')).to.not.equal(null);
    // too long for the gateway: 400
    const again = shadow(list).querySelector<HTMLInputElement>('[part="rename-input"]')!;
    again.value = 'x'.repeat(199);
    again.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await until(() => (shadow(list).querySelector('[role="alert"]')?.textContent ?? '').includes('cannot be used'), 'the invalid title');
    const fine = shadow(list).querySelector<HTMLInputElement>('[part="rename-input"]')!;
    fine.value = `Renamed beta ${RUN}`;
    fine.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await until(() => rowTitles(el)[0] === `Renamed beta ${RUN}` && shadow(list).querySelector('[part="rename-input"]') === null, 'the new title');

    // delete the open conversation: Undo first, then let it go
    list.undoMs = 100_000;
    rows(el)[0]!.querySelector<HTMLButtonElement>('[part="delete-button"]')!.click();
    await list.updateComplete;
    expect(rows(el).map((row) => row.dataset['sessionId'])).to.deep.equal([first]);
    shadow(list).querySelector<HTMLButtonElement>('[part="undo-button"]')!.click();
    await list.updateComplete;
    expect(rows(el).map((row) => row.dataset['sessionId'])).to.deep.equal([second, first]);
    list.undoMs = 30;
    rows(el)[0]!.querySelector<HTMLButtonElement>('[part="delete-button"]')!.click();
    await until(() => el.sessionId === null && el.messages.length === 0, 'a new conversation after deleting the open one');
    expect((await el.listConversations()).map((c) => c.sessionId)).to.deep.equal([first]);
    // deleting again is fine
    await el.deleteConversation(second);
    expect(shownErrors(el)).to.deep.equal([]);
  });

  it('sends a deletion still in its Undo time when the chat leaves the page', async () => {
    const { el, net, user } = await mountChat();
    const first = await converse(el, 'Soon to go');
    await el.newConversation();
    await openList(el);
    rows(el)[0]!.querySelector<HTMLButtonElement>('[part="delete-button"]')!.click();
    await listOf(el)!.updateComplete;
    el.remove();
    await until(() => net.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/sessions/${first}`)), 'the DELETE');
    const again = await mountChat({ user });
    expect((await again.el.listConversations()).map((c) => c.sessionId)).to.not.include(first);
  });

  it('keeps another visitor\'s list empty', async () => {
    const { el } = await mountChat();
    await converse(el, 'Something private');
    const other = await mountChat();
    expect(await other.el.listConversations()).to.deep.equal([]);
    await openList(other.el).catch(() => {});
    await until(() => shadow(listOf(other.el)!).textContent!.includes('No conversations yet'), 'the empty list');
  });

  it('on the first revision: titles from the first message, and no rename (405)', async () => {
    const { el } = await mountChat({ prefix: '/api/agent37-first' });
    const first = await converse(el, `A question for the first revision ${RUN}`);
    const list = await el.listConversations();
    expect(list.map((c) => [c.sessionId, c.title])).to.deep.equal([[first, `A question for the first revision ${RUN}`]]);
    // not from this browser's record: read from the server's history
    for (const key of Object.keys(localStorage)) if (key.endsWith(':titles')) localStorage.removeItem(key);
    expect((await el.listConversations()).map((c) => c.title)).to.deep.equal([`A question for the first revision ${RUN}`]);

    const refusal = await el.renameConversation(first, 'New title').then(
      () => null,
      (e: { code: string; status: number }) => e,
    );
    expect(refusal?.code).to.equal('rename_unsupported');
    await openList(el);
    const listEl = listOf(el)!;
    rows(el)[0]!.querySelector<HTMLButtonElement>('[part="rename-button"]')!.click();
    await listEl.updateComplete;
    const input = shadow(listEl).querySelector<HTMLInputElement>('[part="rename-input"]')!;
    input.value = 'Another title';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await until(() => shadow(listEl).querySelector('[part="rename-button"]') === null && shadow(listEl).querySelector('[part="rename-input"]') === null, 'rename to go');
  });

  it('hides the list with conversations="false"', async () => {
    const { el } = await mountChat({ attributes: { conversations: 'false' } });
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="conversations-button"]')).to.equal(null);
  });

  it('closes the list with Escape and gives focus back to its button; works in the launcher', async () => {
    const { el } = await mountChat({ attributes: { mode: 'launcher' } });
    await converse(el, 'Hello').catch(() => {});
    el.open();
    await el.updateComplete;
    await openList(el);
    const list = listOf(el)!;
    await until(() => list.shadowRoot!.activeElement !== null, 'focus in the list');
    (list.shadowRoot!.activeElement as HTMLElement).dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await until(() => listOf(el) === null, 'the list to close');
    await el.updateComplete;
    expect(shadow(el).activeElement?.getAttribute('part')).to.equal('conversations-button');
    // the panel stays open
    expect(shadow(el).querySelector('.panel')!.classList.contains('closed')).to.equal(false);
  });
});

describe('<agent37-chat> model picker', () => {
  function pickerOf(el: Agent37Chat): Agent37ModelPicker {
    return shadow(el).querySelector('agent37-model-picker')!;
  }

  function select(el: Agent37Chat, part: 'model-picker' | 'effort-picker'): HTMLSelectElement {
    return shadow(pickerOf(el)).querySelector<HTMLSelectElement>(`[part="${part}"]`)!;
  }

  function choose(el: Agent37Chat, part: 'model-picker' | 'effort-picker', value: string) {
    const s = select(el, part);
    s.value = value;
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }

  const postedBodies = (net: RecordingFetch) =>
    net.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/v1/responses')).map((r) => JSON.parse(r.body!) as Record<string, unknown>);

  for (const prefix of ['/api/agent37', '/api/agent37-first'] as const) {
    it(`is filled from GET /v1/models (${prefix === '/api/agent37' ? 'newer' : 'first'} revision) and sends the pick, kept per conversation`, async () => {
      const { el, net } = await mountChat({ prefix, attributes: { 'model-picker': '', 'effort-picker': '' } });
      await until(() => Boolean(pickerOf(el)?.shadowRoot) && select(el, 'model-picker') != null && !select(el, 'model-picker').disabled, 'the models');
      const values = [...select(el, 'model-picker').options].map((o) => o.value);
      expect(values.slice(1)).to.deep.equal(['claude-sonnet-4-5', 'gpt-5', 'gemini-2.5-pro']);

      choose(el, 'model-picker', 'gpt-5');
      choose(el, 'effort-picker', 'high');
      const first = await converse(el, 'Hello with GPT-5');
      expect(postedBodies(net)[0]).to.include({ model: 'gpt-5', provider: 'openai', reasoning_effort: 'high' });

      await el.newConversation();
      choose(el, 'model-picker', 'gemini-2.5-pro');
      const second = await converse(el, 'Hello with Gemini');
      expect(postedBodies(net)[1]).to.include({ model: 'gemini-2.5-pro', provider: 'google' });
      expect(second).to.not.equal(first);

      await el.openConversation(first);
      await until(() => el.sessionId === first && select(el, 'model-picker').value === 'gpt-5', 'the first conversation\'s pick');
      await converse(el, 'Again');
      expect(postedBodies(net)[2]).to.include({ model: 'gpt-5', session_id: first });
    });
  }

  it('offers only the models in `models`', async () => {
    const { el, net } = await mountChat({ attributes: { 'model-picker': '', models: 'gemini-2.5-pro, gpt-5' } });
    await until(() => Boolean(pickerOf(el)?.shadowRoot) && !select(el, 'model-picker').disabled, 'the models');
    const values = [...select(el, 'model-picker').options].map((o) => o.value).filter(Boolean);
    expect(values).to.deep.equal(['gpt-5', 'gemini-2.5-pro']);
    // the instance's default is not offered: the first offered model stands in for it
    await converse(el, 'Which model?');
    expect(postedBodies(net)[0]).to.include({ model: 'gpt-5' });
  });
});
