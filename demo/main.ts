// The demo page: the element from source, plus the controls beside it.
import '../src/index.js';

const chat = document.querySelector('agent37-chat')!;
const frame = document.querySelector<HTMLElement>('#chat-frame')!;
const theme = document.querySelector<HTMLSelectElement>('#theme')!;
const language = document.querySelector<HTMLSelectElement>('#language')!;
const rtl = document.querySelector<HTMLInputElement>('#rtl')!;
const showReasoning = document.querySelector<HTMLInputElement>('#show-reasoning')!;
const showUsage = document.querySelector<HTMLInputElement>('#show-usage')!;
const modelPicker = document.querySelector<HTMLInputElement>('#model-picker')!;
const effortPicker = document.querySelector<HTMLInputElement>('#effort-picker')!;

theme.addEventListener('change', () => {
  const value = theme.value as 'auto' | 'light' | 'dark';
  chat.theme = value;
  if (value === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = value;
});

// The chat follows the nearest lang; direction comes from dir only, so the page sets both.
language.addEventListener('change', () => {
  frame.lang = language.value;
  const rightToLeft = language.value === 'ar' || language.value === 'he';
  rtl.checked = rightToLeft;
  frame.dir = rightToLeft ? 'rtl' : 'ltr';
});

rtl.addEventListener('change', () => {
  frame.dir = rtl.checked ? 'rtl' : 'ltr';
});

showReasoning.addEventListener('change', () => {
  chat.showReasoning = showReasoning.checked ? 'true' : 'false';
});

showUsage.addEventListener('change', () => {
  chat.toggleAttribute('show-usage', showUsage.checked);
});

modelPicker.addEventListener('change', () => {
  chat.modelPicker = modelPicker.checked;
});

effortPicker.addEventListener('change', () => {
  chat.effortPicker = effortPicker.checked;
});

// What the page hears, for anyone reading the console.
for (const name of ['agent37-send', 'agent37-response-created', 'agent37-response-completed', 'agent37-error', 'agent37-session-change', 'agent37-conversation-change', 'agent37-open', 'agent37-close'] as const) {
  chat.addEventListener(name, (event) => console.info(name, (event as CustomEvent).detail));
}
