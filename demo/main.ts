// The demo page: the element from source, plus the two controls beside it.
import '../src/index.js';

const chat = document.querySelector('agent37-chat')!;
const theme = document.querySelector<HTMLSelectElement>('#theme')!;
const showReasoning = document.querySelector<HTMLInputElement>('#show-reasoning')!;

theme.addEventListener('change', () => {
  const value = theme.value as 'auto' | 'light' | 'dark';
  chat.theme = value;
  if (value === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = value;
});

showReasoning.addEventListener('change', () => {
  chat.showReasoning = showReasoning.checked ? 'true' : 'false';
});

// What the page hears, for anyone reading the console.
for (const name of ['agent37-send', 'agent37-response-created', 'agent37-response-completed', 'agent37-error', 'agent37-session-change'] as const) {
  chat.addEventListener(name, (event) => console.info(name, event.detail));
}
