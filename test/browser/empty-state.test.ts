// The empty conversation: the agent's name and avatar (the avatar under the image-origins rule),
// the greeting, and suggestion chips that send their text; and show-usage on the chat's answers.
// Against the real relay and simulator.
import { expect } from '@open-wc/testing';
import type { Agent37Chat } from '../../src/agent37-chat.js';
import {
  emulateColorScheme,
  emulateMedia,
  failOnLitWarnings,
  messageElements,
  mountChat,
  shadow,
  until,
  untilAnswerEnds,
} from './element-harness.js';

failOnLitWarnings();

const AVATAR = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="#36c"/></svg>')}`;

function emptyState(el: Agent37Chat): ShadowRoot {
  return shadow(shadow(el).querySelector('agent37-empty-state')!);
}

function chips(el: Agent37Chat): HTMLButtonElement[] {
  return [...emptyState(el).querySelectorAll<HTMLButtonElement>('[part="suggestion"]')];
}

function headerTitle(el: Agent37Chat): string {
  return shadow(el).querySelector('.header__title slot')!.textContent!.trim();
}

/** An image on this page's own origin (served by the test server), so an image-origins rule can allow it or not. */
function sameOriginImage(): string {
  return new URL('/demo/avatar.svg', location.href).href;
}

describe('<agent37-chat> empty state', () => {
  it('shows suggestion chips from the JSON attribute; pressing one sends its text', async () => {
    const { el } = await mountChat({ attributes: { suggestions: JSON.stringify(['What can you do?', { text: 'Show me a table please', label: 'A table' }]) } });
    await el.updateComplete;
    expect(chips(el).map((chip) => chip.textContent!.trim())).to.deep.equal(['What can you do?', 'A table']);
    expect(emptyState(el).querySelector('[part="suggestions"]')!.getAttribute('aria-label')).to.equal('Suggestions');
    chips(el)[1]!.click();
    await until(() => el.messages.length === 2, 'the suggestion to be sent');
    expect(el.messages[0]).to.include({ role: 'user', text: 'Show me a table please' });
    await untilAnswerEnds(el);
    // the conversation is no longer empty: the chips are gone
    expect(shadow(el).querySelector('agent37-empty-state')).to.equal(null);
  });

  it('takes suggestions as a property, and shows none for an attribute that is not a JSON array', async () => {
    const { el } = await mountChat({ attributes: { suggestions: 'not json' } });
    await el.updateComplete;
    expect(el.suggestions).to.deep.equal([]);
    expect(chips(el)).to.deep.equal([]);
    el.suggestions = ['One', 'Two'];
    await el.updateComplete;
    await emptyStateUpdated(el);
    expect(chips(el).map((chip) => chip.textContent!.trim())).to.deep.equal(['One', 'Two']);
    el.disabled = true;
    await el.updateComplete;
    await emptyStateUpdated(el);
    expect(chips(el).every((chip) => chip.disabled)).to.equal(true);
  });

  it("shows the agent's name (also as the header's title unless heading is set) and its initial without an allowed avatar", async () => {
    const { el } = await mountChat({ attributes: { 'agent-name': 'Ada', 'agent-avatar': sameOriginImage() } });
    await el.updateComplete;
    await emptyStateUpdated(el);
    expect(emptyState(el).querySelector('[part="agent-name"]')!.textContent).to.equal('Ada');
    expect(headerTitle(el)).to.equal('Ada');
    // the page's origin is not in image-origins: no image, the initial instead
    const avatar = emptyState(el).querySelector('[part="agent-avatar"]')!;
    expect(avatar.tagName).to.equal('SPAN');
    expect(avatar.textContent).to.equal('A');
    el.heading = 'Support';
    await el.updateComplete;
    expect(headerTitle(el)).to.equal('Support');
  });

  it('loads the avatar from an origin image-origins lists, and never a data: URL', async () => {
    const { el } = await mountChat({ attributes: { 'agent-name': 'Ada', 'agent-avatar': sameOriginImage(), 'image-origins': location.origin } });
    await el.updateComplete;
    await emptyStateUpdated(el);
    const image = emptyState(el).querySelector<HTMLImageElement>('img[part="agent-avatar"]')!;
    expect(image.src).to.equal(sameOriginImage());
    expect(image.alt).to.equal('');
    await until(() => image.complete && image.naturalWidth > 0, 'the avatar to load');
    el.agentAvatar = AVATAR;
    await el.updateComplete;
    await emptyStateUpdated(el);
    expect(emptyState(el).querySelector('img')).to.equal(null);
  });

  it('falls back to the initial when the avatar fails to load', async () => {
    const missing = new URL('/demo/no-such-avatar.png', location.href).href;
    const { el } = await mountChat({ attributes: { 'agent-name': 'Grace', 'agent-avatar': missing, 'image-origins': location.origin } });
    await until(() => emptyState(el).querySelector('span[part="agent-avatar"]') !== null, 'the initial to replace the broken image');
    expect(emptyState(el).querySelector('[part="agent-avatar"]')!.textContent).to.equal('G');
  });

  it('chips are at least 44 px tall on a coarse pointer', async () => {
    const { el } = await mountChat({ attributes: { suggestions: '["Hi"]' } });
    await el.updateComplete;
    await emulateMedia({ pointer: 'coarse', 'any-pointer': 'coarse' });
    try {
      await until(() => chips(el)[0]!.getBoundingClientRect().height >= 44, 'a 44 px chip');
      const newConversation = shadow(el).querySelector('[part="new-conversation-button"]')!;
      expect(newConversation.getBoundingClientRect().height).to.be.at.least(44);
    } finally {
      await emulateMedia({ pointer: '', 'any-pointer': '' });
    }
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`is accessible with a name, an avatar and suggestions (${scheme})`, async () => {
      await emulateColorScheme(scheme);
      const { el } = await mountChat({ attributes: { theme: 'auto', 'agent-name': 'Ada', suggestions: '["What can you do?", "Help me write a plan"]' } });
      await el.updateComplete;
      await emptyStateUpdated(el);
      await expect(el).to.be.accessible();
    });
  }
});

describe('<agent37-chat> show-usage', () => {
  it('adds the tokens (and the cost when the server gives one) under a finished answer', async () => {
    const { el } = await mountChat({ attributes: { 'show-usage': '' } });
    expect(el.showUsage).to.equal(true);
    await el.send('hello');
    const answer = await untilAnswerEnds(el);
    const message = messageElements(el).at(-1)!;
    await until(() => shadow(message).querySelector('[part="usage"]') !== null, 'the usage line');
    const line = shadow(message).querySelector('[part="usage"]')!.textContent!.replace(/\s+/g, ' ').trim();
    const tokens = answer.usage!.input_tokens + answer.usage!.output_tokens;
    expect(line).to.contain(`${tokens.toLocaleString('en')} tokens`);
    el.showUsage = false;
    await el.updateComplete;
    await message.updateComplete;
    expect(shadow(message).querySelector('[part="usage"]')).to.equal(null);
  });
});

async function emptyStateUpdated(el: Agent37Chat): Promise<void> {
  await shadow(el).querySelector('agent37-empty-state')!.updateComplete;
}
