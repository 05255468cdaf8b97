// <agent37-conversation-list> on its own, with made-up conversations: what a visitor sees and hears,
// the events the chat gets (and its answers to renames and deletions), the keyboard, Undo, and the
// looks a visitor can check (contrast in both palettes, 44 px targets on a touch screen, rtl).
import { expect, fixture, html } from '@open-wc/testing';
import { ContextProvider } from '@lit/context';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.js';
import { loadConversationList } from '../../src/components/lazy-elements.js';
import type {
  Agent37ConversationList,
  ConversationDeleteEvent,
  ConversationOpenEvent,
  ConversationRenameEvent,
} from '../../src/components/agent37-conversation-list.js';
import { Agent37Error } from '../../src/contract/errors.js';
import { loadCatalogue } from '../../src/i18n/locale.js';
import { localizerContext } from '../../src/i18n/localizer-context.js';
import { ENGLISH, Localizer } from '../../src/i18n/localizer.js';
import type { ConversationSummary } from '../../src/state/conversation-summary.js';
import { emulateMedia, failOnLitWarnings, until } from './element-harness.js';

failOnLitWarnings();
// the element comes as a chunk of its own, defined when a chat first opens its list
before(() => loadConversationList());

const NOW = Date.now();
const FIVE_MINUTES_AGO = NOW - 5 * 60_000;
const YESTERDAY = NOW - 26 * 3_600_000;

const CONVERSATIONS: readonly ConversationSummary[] = [
  { sessionId: 'rome', title: 'Trip to Rome', lastActive: FIVE_MINUTES_AGO, preview: 'Which museums open on Monday?' },
  { sessionId: 'untitled', title: '', lastActive: YESTERDAY, preview: null },
  { sessionId: 'taxes', title: 'Taxes 2024', lastActive: null, preview: 'Deadline is in May' },
];

/** The chat's palettes (src/agent37-chat.styles.ts), which the list inherits inside a chat. */
const PALETTES = {
  light: '--_bg:#ffffff;--_surface:#f3f4f6;--_text:#1f2328;--_muted:#5a6270;--_border:#d5d9e0;--_accent:#2f5bd3;--_accent-text:#ffffff;--_danger:#b42318;--_danger-bg:#fdecea;--_focus:#1a56db;color-scheme:light',
  dark: '--_bg:#15171c;--_surface:#23262e;--_text:#e8eaef;--_muted:#a3aab8;--_border:#3a3f4b;--_accent:#7ea2ff;--_accent-text:#0c1330;--_danger:#ff9d94;--_danger-bg:#3b1d1b;--_focus:#9db8ff;color-scheme:dark',
};

type Props = Partial<Pick<Agent37ConversationList, 'conversations' | 'currentId' | 'canRename' | 'loadError' | 'disabled' | 'undoMs'>>;

async function mount(props: Props = {}, palette: keyof typeof PALETTES = 'light', dir = 'ltr'): Promise<Agent37ConversationList> {
  const page = await fixture<HTMLElement>(html`<div dir=${dir} style=${`${PALETTES[palette]};inline-size:360px;font:15px/1.5 system-ui`}>
    <agent37-conversation-list></agent37-conversation-list>
  </div>`);
  const el = page.querySelector('agent37-conversation-list')!;
  Object.assign(el, { conversations: CONVERSATIONS, currentId: 'rome', ...props });
  await el.updateComplete;
  return el;
}

function root(el: Agent37ConversationList): ShadowRoot {
  return el.shadowRoot!;
}

function text(node: Element | null | undefined): string {
  return node?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

function rows(el: Agent37ConversationList): HTMLElement[] {
  return [...root(el).querySelectorAll<HTMLElement>('[part="conversation"]')];
}

function row(el: Agent37ConversationList, sessionId: string): HTMLElement | undefined {
  return rows(el).find((li) => li.dataset['sessionId'] === sessionId);
}

function openButton(el: Agent37ConversationList, sessionId: string): HTMLButtonElement {
  return row(el, sessionId)!.querySelector('button')!;
}

function renameButton(el: Agent37ConversationList, sessionId: string): HTMLButtonElement {
  return row(el, sessionId)!.querySelector('[part="rename-button"]')!;
}

function deleteButton(el: Agent37ConversationList, sessionId: string): HTMLButtonElement {
  return row(el, sessionId)!.querySelector('[part="delete-button"]')!;
}

function newButton(el: Agent37ConversationList): HTMLButtonElement {
  return root(el).querySelector('[part="new-conversation-button"]')!;
}

function titleInput(el: Agent37ConversationList): HTMLInputElement | null {
  return root(el).querySelector('input');
}

function undoButton(el: Agent37ConversationList): HTMLButtonElement | null {
  return root(el).querySelector('[part="undo-button"]');
}

function focused(el: Agent37ConversationList): Element | null {
  return root(el).activeElement;
}

/** Every event of `type` the list fires, in order. */
function recorded<E extends Event>(el: Agent37ConversationList, type: string, answer?: (event: E) => void): E[] {
  const events: E[] = [];
  el.addEventListener(type, (event) => {
    events.push(event as E);
    answer?.(event as E);
  });
  return events;
}

function deferred(): { promise: Promise<void>; resolve(): void; reject(reason: unknown): void } {
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Opens the title editor of `sessionId` with Rename, and waits for it to have focus. */
async function startRename(el: Agent37ConversationList, sessionId: string): Promise<HTMLInputElement> {
  renameButton(el, sessionId).click();
  await until(() => titleInput(el) !== null && focused(el) === titleInput(el), 'the title editor to have focus');
  return titleInput(el)!;
}

async function renameRefusedWith(error: Agent37Error): Promise<Agent37ConversationList> {
  const el = await mount();
  recorded<ConversationRenameEvent>(el, 'conversation-rename', (event) => event.respondWith(Promise.reject(error)));
  await startRename(el, 'rome');
  await sendKeys({ type: 'Rome' });
  await sendKeys({ press: 'Enter' });
  return el;
}

function renameMessage(el: Agent37ConversationList): string {
  return text(root(el).querySelector('[role="alert"]'));
}

describe('<agent37-conversation-list>', () => {
  it('shows the conversations in the order given: title, relative time (the date as its tooltip) and preview', async () => {
    const el = await mount();
    expect(root(el).querySelector('ul')!.getAttribute('aria-label')).to.equal('Conversations');
    expect(rows(el).map((li) => text(li.querySelector('[part="conversation-title"]')))).to.deep.equal(['Trip to Rome', 'Untitled conversation', 'Taxes 2024']);
    const times = rows(el).map((li) => li.querySelector('[part="conversation-time"]'));
    expect(times.map((time) => text(time))).to.deep.equal(['5 minutes ago', 'yesterday', '']);
    expect(times[2]).to.equal(null);
    expect(times[0]!.getAttribute('title')).to.equal(ENGLISH.dateTime(FIVE_MINUTES_AGO));
    expect(times[1]!.getAttribute('datetime')).to.equal(new Date(YESTERDAY).toISOString());
    expect(rows(el).map((li) => li.querySelector('[part="conversation-preview"]')?.textContent ?? null)).to.deep.equal([
      'Which museums open on Monday?',
      null,
      'Deadline is in May',
    ]);
    // titles and previews read in their own direction
    expect(rows(el)[0]!.querySelector('[part="conversation-title"]')!.getAttribute('dir')).to.equal('auto');
    expect(rows(el)[0]!.querySelector('[part="conversation-preview"]')!.getAttribute('dir')).to.equal('auto');
  });

  it('shows an untitled conversation as such, muted, and names its buttons with that', async () => {
    const el = await mount();
    const title = row(el, 'untitled')!.querySelector<HTMLElement>('[part="conversation-title"]')!;
    expect(text(title)).to.equal('Untitled conversation');
    expect(getComputedStyle(title).color).to.equal('rgb(90, 98, 112)');
    expect(renameButton(el, 'untitled').getAttribute('aria-label')).to.equal('Rename “Untitled conversation”');
    expect(deleteButton(el, 'untitled').getAttribute('aria-label')).to.equal('Delete “Untitled conversation”');
    expect(renameButton(el, 'rome').getAttribute('aria-label')).to.equal('Rename “Trip to Rome”');
    expect(deleteButton(el, 'rome').getAttribute('aria-label')).to.equal('Delete “Trip to Rome”');
  });

  it('marks the open conversation with aria-current and an accent bar, and moves the mark with currentId', async () => {
    const el = await mount();
    expect(rows(el).map((li) => li.querySelector('button')!.getAttribute('aria-current'))).to.deep.equal(['true', null, null]);
    expect(getComputedStyle(row(el, 'rome')!).borderLeftColor).to.equal('rgb(47, 91, 211)');
    el.currentId = 'taxes';
    await el.updateComplete;
    expect(rows(el).map((li) => li.querySelector('button')!.getAttribute('aria-current'))).to.deep.equal([null, null, 'true']);
    expect(getComputedStyle(row(el, 'rome')!).borderLeftColor).to.equal('rgba(0, 0, 0, 0)');
  });

  it('fires conversation-open with the session pressed, and conversation-new for New conversation', async () => {
    const el = await mount();
    const opened = recorded<ConversationOpenEvent>(el, 'conversation-open');
    const created = recorded(el, 'conversation-new');
    openButton(el, 'untitled').click();
    expect(opened.map((event) => event.sessionId)).to.deep.equal(['untitled']);
    expect(opened[0]!.bubbles || opened[0]!.composed).to.equal(false);
    expect(text(newButton(el))).to.equal('New conversation');
    newButton(el).click();
    expect(created).to.have.length(1);
    expect(created[0]!.bubbles || created[0]!.composed).to.equal(false);
  });

  it('shows loading, an empty list, and a failed load with Retry', async () => {
    const el = await mount({ conversations: null });
    const list = root(el).querySelector('ul')!;
    expect(list.getAttribute('aria-busy')).to.equal('true');
    expect(text(list)).to.equal('Loading conversations…');
    el.conversations = [];
    await el.updateComplete;
    expect(root(el).querySelector('ul')!.hasAttribute('aria-busy')).to.equal(false);
    expect(text(root(el).querySelector('ul'))).to.equal('No conversations yet.');
    el.conversations = null;
    el.loadError = 'network_error';
    await el.updateComplete;
    const retried = recorded(el, 'conversation-list-retry');
    const alert = root(el).querySelector('[role="alert"]')!;
    expect(text(alert)).to.equal('Could not load your conversations. Retry');
    expect(root(el).querySelector('ul')).to.equal(null);
    alert.querySelector('button')!.click();
    expect(retried).to.have.length(1);
    // a failed refresh keeps the conversations already shown
    el.conversations = CONVERSATIONS;
    await el.updateComplete;
    expect(rows(el)).to.have.length(3);
    expect(text(root(el).querySelector('[role="alert"]'))).to.contain('Could not load your conversations.');
  });

  it('disabled: no control can be pressed', async () => {
    const el = await mount({ disabled: true });
    const buttons = [...root(el).querySelectorAll('button')];
    expect(buttons.length).to.equal(1 + 3 * 3);
    expect(buttons.every((button) => button.disabled)).to.equal(true);
  });

  it('focus() goes to the open conversation, else to New conversation', async () => {
    const el = await mount();
    el.focus();
    expect(focused(el)).to.equal(openButton(el, 'rome'));
    el.currentId = null;
    await el.updateComplete;
    el.focus();
    expect(focused(el)).to.equal(newButton(el));
  });

  describe('rename', () => {
    it('Rename opens a focused editor with the title selected; Enter saves the trimmed title and waits for the answer', async () => {
      const el = await mount();
      const answer = deferred();
      const renamed = recorded<ConversationRenameEvent>(el, 'conversation-rename', (event) => event.respondWith(answer.promise));
      const input = await startRename(el, 'rome');
      expect(input.value).to.equal('Trip to Rome');
      expect([input.selectionStart, input.selectionEnd]).to.deep.equal([0, 'Trip to Rome'.length]);
      expect(input.maxLength).to.equal(200);
      expect(input.getAttribute('aria-label')).to.equal('Title');
      // the selection is replaced by what is typed
      await sendKeys({ type: '  Rome in May ' });
      await sendKeys({ press: 'Enter' });
      expect(renamed.map((event) => [event.sessionId, event.title])).to.deep.equal([['rome', 'Rome in May']]);
      expect(renamed[0]!.bubbles || renamed[0]!.composed).to.equal(false);
      await el.updateComplete;
      // saving: the row says so and the title cannot change meanwhile
      expect(row(el, 'rome')!.getAttribute('aria-busy')).to.equal('true');
      expect(titleInput(el)!.readOnly).to.equal(true);
      answer.resolve();
      await until(() => titleInput(el) === null, 'the editor to close');
      expect(text(row(el, 'rome')!.querySelector('[part="conversation-title"]'))).to.equal('Rome in May');
      expect(row(el, 'rome')!.hasAttribute('aria-busy')).to.equal(false);
      expect(focused(el)).to.equal(renameButton(el, 'rome'));
      // the chat's list, once it comes, is what shows
      el.conversations = CONVERSATIONS.map((c) => (c.sessionId === 'rome' ? { ...c, title: 'Rome (May)' } : c));
      await el.updateComplete;
      expect(text(row(el, 'rome')!.querySelector('[part="conversation-title"]'))).to.equal('Rome (May)');
    });

    it('respondWith is only taken while the event is dispatched', async () => {
      const el = await mount();
      const renamed = recorded<ConversationRenameEvent>(el, 'conversation-rename');
      await startRename(el, 'taxes');
      await sendKeys({ type: 'Taxes' });
      await sendKeys({ press: 'Enter' });
      expect(renamed).to.have.length(1);
      expect(() => renamed[0]!.respondWith(Promise.resolve())).to.throw(DOMException);
      // unanswered, the rename counts as done
      await until(() => titleInput(el) === null, 'the editor to close');
      expect(text(row(el, 'taxes')!.querySelector('[part="conversation-title"]'))).to.equal('Taxes');
    });

    it('Escape cancels: no event, the title stays, focus back on Rename, and the Escape goes no further', async () => {
      const el = await mount();
      const renamed = recorded(el, 'conversation-rename');
      const closed = recorded(el, 'conversation-list-close');
      const escapesOutside: KeyboardEvent[] = [];
      const onKeydown = (e: KeyboardEvent) => {
        if (e.key === 'Escape') escapesOutside.push(e);
      };
      document.addEventListener('keydown', onKeydown);
      try {
        await startRename(el, 'rome');
        await sendKeys({ type: 'Something else' });
        await sendKeys({ press: 'Escape' });
        await el.updateComplete;
        expect(titleInput(el)).to.equal(null);
        expect(renamed).to.deep.equal([]);
        expect(closed).to.deep.equal([]);
        expect(escapesOutside).to.deep.equal([]);
        expect(text(row(el, 'rome')!.querySelector('[part="conversation-title"]'))).to.equal('Trip to Rome');
        expect(focused(el)).to.equal(renameButton(el, 'rome'));
      } finally {
        document.removeEventListener('keydown', onKeydown);
      }
    });

    it('leaving the editor saves a changed title; an unchanged or empty one just closes it', async () => {
      const el = await mount();
      const renamed = recorded<ConversationRenameEvent>(el, 'conversation-rename', (event) => event.respondWith(Promise.resolve()));
      await startRename(el, 'rome');
      await sendKeys({ press: 'Tab' });
      await until(() => titleInput(el) === null, 'the unchanged editor to close');
      expect(renamed).to.deep.equal([]);

      await startRename(el, 'rome');
      await sendKeys({ type: '   ' });
      await sendKeys({ press: 'Enter' });
      await until(() => titleInput(el) === null, 'the emptied editor to close');
      expect(renamed).to.deep.equal([]);

      await startRename(el, 'untitled');
      await sendKeys({ type: 'Pasta recipes' });
      await sendKeys({ press: 'Tab' });
      await until(() => titleInput(el) === null, 'the editor to close once saved');
      expect(renamed.map((event) => [event.sessionId, event.title])).to.deep.equal([['untitled', 'Pasta recipes']]);
      expect(text(row(el, 'untitled')!.querySelector('[part="conversation-title"]'))).to.equal('Pasta recipes');
    });

    it('a title taken (409 title_conflict) keeps the editor open with the reason, tied to the box', async () => {
      const el = await renameRefusedWith(new Agent37Error({ code: 'title_conflict', message: 'exists', status: 409 }));
      await until(() => renameMessage(el) !== '', 'the reason');
      expect(renameMessage(el)).to.equal('Another conversation already has this title.');
      const input = titleInput(el)!;
      expect(input.value).to.equal('Rome');
      expect(input.readOnly).to.equal(false);
      expect(input.getAttribute('aria-invalid')).to.equal('true');
      expect(root(el).getElementById(input.getAttribute('aria-describedby')!)!.textContent).to.equal('Another conversation already has this title.');
      expect(focused(el)).to.equal(input);
      await expect(el).to.be.accessible();
    });

    it('a title refused as invalid (400) says to try a shorter one', async () => {
      const el = await renameRefusedWith(new Agent37Error({ code: 'validation_error', message: 'too long', status: 400 }));
      await until(() => renameMessage(el) !== '', 'the reason');
      expect(renameMessage(el)).to.equal('This title cannot be used. Try a shorter one.');
      expect(titleInput(el)).to.not.equal(null);
    });

    it('any other failure says to try again; a gateway that cannot rename (405) just closes the editor', async () => {
      const failed = await renameRefusedWith(new Agent37Error({ code: 'network_error', message: 'offline', status: 0 }));
      await until(() => renameMessage(failed) !== '', 'the reason');
      expect(renameMessage(failed)).to.equal('Could not rename the conversation. Try again.');

      const unsupported = await renameRefusedWith(new Agent37Error({ code: 'rename_unsupported', message: 'no', status: 405 }));
      await until(() => titleInput(unsupported) === null, 'the editor to close');
      expect(text(row(unsupported, 'rome')!.querySelector('[part="conversation-title"]'))).to.equal('Trip to Rome');
      expect(renameMessage(unsupported)).to.equal('');
    });

    it('canRename=false hides every Rename button, and closes an open editor', async () => {
      const el = await mount();
      await startRename(el, 'rome');
      el.canRename = false;
      await el.updateComplete;
      expect(titleInput(el)).to.equal(null);
      expect(root(el).querySelectorAll('[part="rename-button"]')).to.have.length(0);
      expect(root(el).querySelectorAll('[part="delete-button"]')).to.have.length(3);
    });
  });

  describe('delete', () => {
    it('Delete puts a focused Undo in place of the row; Undo brings it back with focus on its Delete', async () => {
      const el = await mount({ undoMs: 60_000 });
      const deleted = recorded(el, 'conversation-delete');
      deleteButton(el, 'untitled').click();
      await until(() => focused(el) === undoButton(el), 'focus on Undo');
      expect(row(el, 'untitled')).to.equal(undefined);
      const undoRow = undoButton(el)!.closest('li')!;
      expect(text(undoRow)).to.equal('Conversation deleted Undo');
      expect(root(el).getElementById(undoButton(el)!.getAttribute('aria-describedby')!)!.textContent).to.equal('Conversation deleted');
      // it stands where the row was
      expect([...root(el).querySelectorAll('ul > li')].indexOf(undoRow)).to.equal(1);
      undoButton(el)!.click();
      await until(() => row(el, 'untitled') !== undefined && focused(el) === deleteButton(el, 'untitled'), 'focus on the Delete button again');
      expect(rows(el).map((li) => li.dataset['sessionId'])).to.deep.equal(['rome', 'untitled', 'taxes']);
      expect(undoButton(el)).to.equal(null);
      // nothing is pending: leaving the page deletes nothing
      el.remove();
      expect(deleted).to.deep.equal([]);
    });

    it('without Undo, the deletion is final after undoMs: one event, and the row stays gone', async () => {
      const el = await mount({ undoMs: 50 });
      const answer = deferred();
      const deleted = recorded<ConversationDeleteEvent>(el, 'conversation-delete', (event) => event.respondWith(answer.promise));
      deleteButton(el, 'untitled').click();
      await until(() => focused(el) === undoButton(el), 'focus on Undo');
      await until(() => deleted.length > 0, 'the deletion to go out');
      expect(deleted.map((event) => event.sessionId)).to.deep.equal(['untitled']);
      expect(deleted[0]!.bubbles || deleted[0]!.composed).to.equal(false);
      await el.updateComplete;
      expect(undoButton(el)).to.equal(null);
      // focus was on Undo: it moves on to the next conversation
      expect(focused(el)).to.equal(openButton(el, 'taxes'));
      // while the chat deletes, a fresh list that still has it does not bring it back
      el.conversations = [...CONVERSATIONS];
      await el.updateComplete;
      expect(rows(el).map((li) => li.dataset['sessionId'])).to.deep.equal(['rome', 'taxes']);
      answer.resolve();
      await answer.promise;
      el.conversations = [...CONVERSATIONS];
      await el.updateComplete;
      expect(rows(el).map((li) => li.dataset['sessionId'])).to.deep.equal(['rome', 'taxes']);
      el.remove();
      expect(deleted).to.have.length(1);
    });

    it('a failed deletion brings the row back and says so', async () => {
      const el = await mount({ undoMs: 50 });
      recorded<ConversationDeleteEvent>(el, 'conversation-delete', (event) =>
        event.respondWith(Promise.reject(new Agent37Error({ code: 'server_error', message: 'boom', status: 500 }))),
      );
      deleteButton(el, 'rome').click();
      await until(() => row(el, 'rome')?.querySelector('[role="alert"]') != null, 'the row to come back');
      expect(text(row(el, 'rome')!.querySelector('[role="alert"]'))).to.equal('Could not delete the conversation. Try again.');
      expect(rows(el).map((li) => li.dataset['sessionId'])).to.deep.equal(['rome', 'untitled', 'taxes']);
      await expect(el).to.be.accessible();
    });

    it('another Delete, or leaving the page, makes the pending deletion final', async () => {
      const el = await mount({ undoMs: 60_000 });
      const deleted = recorded<ConversationDeleteEvent>(el, 'conversation-delete', (event) => event.respondWith(Promise.resolve()));
      deleteButton(el, 'rome').click();
      await until(() => undoButton(el) !== null, 'the Undo row');
      deleteButton(el, 'taxes').click();
      expect(deleted.map((event) => event.sessionId)).to.deep.equal(['rome']);
      await until(() => focused(el) === undoButton(el), 'focus on the new Undo');
      expect(rows(el).map((li) => li.dataset['sessionId'])).to.deep.equal(['untitled']);
      el.remove();
      expect(deleted.map((event) => event.sessionId)).to.deep.equal(['rome', 'taxes']);
    });
  });

  describe('keyboard', () => {
    it('ArrowDown and ArrowUp move between New conversation and the rows; Escape asks to close the list', async () => {
      const el = await mount();
      const closed = recorded(el, 'conversation-list-close');
      newButton(el).focus();
      await sendKeys({ press: 'ArrowDown' });
      expect(focused(el)).to.equal(openButton(el, 'rome'));
      await sendKeys({ press: 'ArrowDown' });
      expect(focused(el)).to.equal(openButton(el, 'untitled'));
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      expect(focused(el)).to.equal(openButton(el, 'taxes'));
      await sendKeys({ press: 'ArrowUp' });
      expect(focused(el)).to.equal(openButton(el, 'untitled'));
      // from a row's own buttons, the arrows go on from that row
      deleteButton(el, 'untitled').focus();
      await sendKeys({ press: 'ArrowUp' });
      expect(focused(el)).to.equal(openButton(el, 'rome'));
      await sendKeys({ press: 'ArrowUp' });
      expect(focused(el)).to.equal(newButton(el));
      // Tab goes through every control in order
      await sendKeys({ press: 'Tab' });
      expect(focused(el)).to.equal(openButton(el, 'rome'));
      await sendKeys({ press: 'Tab' });
      expect(focused(el)).to.equal(renameButton(el, 'rome'));
      await sendKeys({ press: 'Tab' });
      expect(focused(el)).to.equal(deleteButton(el, 'rome'));
      expect(closed).to.deep.equal([]);
      await sendKeys({ press: 'Escape' });
      expect(closed).to.have.length(1);
      expect(closed[0]!.bubbles || closed[0]!.composed).to.equal(false);
    });

    it("a row's Rename and Delete show on hover or focus; the open row shows them always", async () => {
      const el = await mount();
      const actions = (sessionId: string) => getComputedStyle(deleteButton(el, sessionId).parentElement!).opacity;
      expect(actions('rome')).to.equal('1');
      expect(actions('taxes')).to.equal('0');
      deleteButton(el, 'taxes').focus();
      expect(actions('taxes')).to.equal('1');
    });
  });

  for (const palette of ['light', 'dark'] as const) {
    it(`is accessible in every state (${palette})`, async () => {
      const el = await mount({ undoMs: 60_000 }, palette);
      await expect(el).to.be.accessible();
      deleteButton(el, 'taxes').click();
      await until(() => undoButton(el) !== null, 'the Undo row');
      await startRename(el, 'rome');
      await expect(el).to.be.accessible();
      el.conversations = null;
      await el.updateComplete;
      await expect(el).to.be.accessible();
      el.conversations = [];
      await el.updateComplete;
      await expect(el).to.be.accessible();
      el.loadError = 'network_error';
      el.conversations = null;
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });
  }

  it('every control is at least 44 px on a coarse pointer, and the row actions always show', async () => {
    const el = await mount();
    await emulateMedia({ pointer: 'coarse', 'any-pointer': 'coarse' });
    try {
      const buttons = () => [...root(el).querySelectorAll('button')];
      await until(() => buttons().every((button) => button.getBoundingClientRect().height >= 44), '44 px tall buttons');
      for (const button of buttons()) expect(button.getBoundingClientRect().width, text(button) || button.getAttribute('aria-label')!).to.be.at.least(44);
      expect(getComputedStyle(deleteButton(el, 'taxes').parentElement!).opacity).to.equal('1');
      const input = await startRename(el, 'taxes');
      expect(input.getBoundingClientRect().height).to.be.at.least(44);
    } finally {
      await emulateMedia({ pointer: '', 'any-pointer': '' });
    }
  });

  it('right to left: the accent bar and the actions sit on the start side, the right', async () => {
    const el = await mount({}, 'light', 'rtl');
    const current = row(el, 'rome')!;
    expect(getComputedStyle(current).borderRightColor).to.equal('rgb(47, 91, 211)');
    expect(getComputedStyle(current).borderLeftWidth).to.equal('0px');
    expect(deleteButton(el, 'rome').getBoundingClientRect().left).to.be.below(openButton(el, 'rome').getBoundingClientRect().left);
    // an English title keeps reading left to right
    expect(getComputedStyle(current.querySelector('[part="conversation-title"]')!).unicodeBidi).to.equal('plaintext');
  });

  it("speaks the chat's language (German through the chat's localizer)", async () => {
    const page = await fixture<HTMLElement>(html`<div><agent37-conversation-list .conversations=${CONVERSATIONS}></agent37-conversation-list></div>`);
    new ContextProvider(page, { context: localizerContext, initialValue: new Localizer('de', await loadCatalogue('de')) });
    // the provider came after the list asked: it asks again once connected anew
    const el = page.querySelector('agent37-conversation-list')!;
    page.append(el);
    await el.updateComplete;
    expect(text(newButton(el))).to.equal('Neue Unterhaltung');
    expect(root(el).querySelector('ul')!.getAttribute('aria-label')).to.equal('Unterhaltungen');
    expect(text(row(el, 'rome')!.querySelector('[part="conversation-time"]'))).to.equal('vor 5 Minuten');
    expect(text(row(el, 'untitled')!.querySelector('[part="conversation-title"]'))).to.equal('Unbenannte Unterhaltung');
    expect(renameButton(el, 'rome').getAttribute('aria-label')).to.equal('„Trip to Rome“ umbenennen');
    expect(deleteButton(el, 'rome').getAttribute('aria-label')).to.equal('„Trip to Rome“ löschen');
  });
});
