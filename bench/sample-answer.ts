// A long, typical agent answer in markdown: headings, paragraphs with inline markup and links, lists,
// tables, code blocks and quotes, made from a seed so every run streams the same text.

import { seededRandom } from '../src/simulator/seeded-random.js';

const WORDS = (
  'the relay keeps your secret key on the server while the widget streams each answer token by token ' +
  'sessions survive reloads because the response id is stored and the stream is attached again later ' +
  'model output is untrusted so links and images pass a policy before anything reaches the page ' +
  'deploy behind your own origin measure latency watch the logs and rotate credentials every month'
).split(' ');

/** Markdown of exactly `length` characters. */
export function sampleAnswer(length: number, seed = 37): string {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const words = (count: number) => Array.from({ length: count }, () => pick(WORDS)).join(' ');
  const sentence = () => {
    const text = words(8 + Math.floor(random() * 10));
    const decorated = [
      () => `${text} with **${words(2)}** and \`${pick(WORDS)}()\``,
      () => `${text}, see [${words(2)}](https://example.com/docs/${pick(WORDS)})`,
      () => `${text} *${words(3)}*`,
      () => text,
    ];
    const body = pick(decorated)();
    return `${body[0]!.toUpperCase()}${body.slice(1)}.`;
  };
  const blocks: string[] = [];
  let size = 0;
  for (let section = 1; size < length; section++) {
    const parts = [`## ${section}. ${words(3)}`, Array.from({ length: 2 + Math.floor(random() * 3) }, sentence).join(' ')];
    parts.push(Array.from({ length: 3 + Math.floor(random() * 4) }, (_, i) => (section % 2 ? `${i + 1}. ` : '- ') + sentence()).join('\n'));
    if (section % 3 === 0) {
      const rows = Array.from({ length: 4 }, () => `| ${pick(WORDS)} | ${words(3)} | ${Math.floor(random() * 1000)} ms |`);
      parts.push(['| Step | What happens | Time |', '| :--- | :--- | ---: |', ...rows].join('\n'));
    }
    if (section % 2 === 0) {
      const lines = Array.from({ length: 6 + Math.floor(random() * 6) }, (_, i) => `  const ${pick(WORDS)}${i} = await ${pick(WORDS)}('${words(2)}');`);
      parts.push(['```ts', `export async function ${pick(WORDS)}Step${section}() {`, ...lines, '}', '```'].join('\n'));
    }
    if (section % 5 === 0) parts.push(`> ${sentence()} ${sentence()}`);
    for (const part of parts) {
      blocks.push(part);
      size += part.length + 2;
    }
  }
  return blocks.join('\n\n').slice(0, length);
}
