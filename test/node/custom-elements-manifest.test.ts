/**
 * The Custom Elements Manifest as `npm run build` makes it (the analyzer with
 * custom-elements-manifest.config.mjs, run here afresh, writing nothing), checked against the
 * elements themselves: the attributes Lit observes, the public properties, the event classes, and
 * the JSX typings of src/jsx.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PropertyDeclarations } from 'lit';
import * as elements from '../../src/index.js';
import * as events from '../../src/events.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface Named {
  name: string;
  description?: string;
}
interface ManifestElement extends Named {
  kind: string;
  tagName?: string;
  attributes?: (Named & { fieldName?: string })[];
  members?: (Named & { kind: string; privacy?: string; attribute?: string; static?: boolean })[];
  events?: (Named & { type?: { text: string } })[];
  slots?: Named[];
  cssParts?: Named[];
  cssProperties?: (Named & { default?: string })[];
}
interface Manifest {
  modules: { path: string; declarations?: ManifestElement[]; exports?: { kind: string; name: string; declaration: { name: string; module?: string } }[] }[];
}

/** Runs `source`, an ES module, in a Node of its own at the repo root; what it prints is JSON. */
async function runInNode<T>(source: string): Promise<T> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as T;
}

// The analyzer's own TypeScript (5.x) does the parsing, as in the build; the repo's is the native compiler.
const manifest = await runInNode<Manifest>(`
  import { cli } from '@custom-elements-manifest/analyzer/cli.js';
  const manifest = await cli({ argv: ['analyze', '--quiet'], cwd: process.cwd(), noWrite: true });
  process.stdout.write(JSON.stringify(manifest));
`);

/** The members of `interface Agent37ChatAttributes` in src/jsx.ts, the attributes JSX users may write. */
const jsxAttributes = await runInNode<string[]>(`
  import { readFileSync } from 'node:fs';
  import { ts } from '@custom-elements-manifest/analyzer';
  const file = ts.createSourceFile('jsx.ts', readFileSync('src/jsx.ts', 'utf8'), ts.ScriptTarget.Latest, true);
  const attributes = file.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === 'Agent37ChatAttributes');
  process.stdout.write(JSON.stringify(attributes.members.map((m) => ts.isStringLiteral(m.name) ? m.name.text : m.name.getText())));
`);

const declarations = manifest.modules.flatMap((module) => module.declarations ?? []);
const byTag = new Map(declarations.filter((d) => d.tagName).map((d) => [d.tagName!, d]));

interface ElementClass {
  readonly name: string;
  readonly observedAttributes: string[];
  readonly properties: PropertyDeclarations;
}

/** The element classes `import 'agent37-chat'` exports, by class name (lit's Node build loads them; nothing is defined). */
const classes = new Map<string, ElementClass>();
for (const value of Object.values(elements)) {
  if (typeof value === 'function' && 'observedAttributes' in value) classes.set(value.name, value as unknown as ElementClass);
}

function chat(): ManifestElement {
  const element = byTag.get('agent37-chat');
  assert.ok(element, 'agent37-chat is in the manifest');
  return element;
}

function names(list: Named[] | undefined): string[] {
  return (list ?? []).map((item) => item.name).sort();
}

describe('custom-elements.json', () => {
  test('lists every element the package defines, by its tag', () => {
    // <agent37-conversation-list> and <agent37-model-picker> are made and defined at run time from their
    // chunks (src/components/lazy-elements.ts); their parts are documented on agent37-chat
    const tags = ['agent37-chat', 'agent37-code-block', 'agent37-composer', 'agent37-empty-state', 'agent37-markdown', 'agent37-message', 'agent37-notice', 'agent37-tool-steps'];
    assert.deepEqual([...byTag.keys()].sort(), tags);
    const definitions = manifest.modules.flatMap((module) => (module.exports ?? []).filter((e) => e.kind === 'custom-element-definition'));
    assert.deepEqual(definitions.map((d) => d.name).sort(), tags);
    // each definition points at the module that declares its class
    for (const definition of definitions) {
      const module = manifest.modules.find((m) => m.path === definition.declaration.module);
      assert.ok(module?.declarations?.some((d) => d.name === definition.declaration.name), `<${definition.name}>: ${definition.declaration.module}`);
    }
  });

  test('lists, for every element, exactly the attributes Lit observes on it', () => {
    assert.equal(classes.size, byTag.size);
    for (const element of byTag.values()) {
      const elementClass = classes.get(element.name);
      assert.ok(elementClass, `${element.name} is exported by src/index.ts`);
      assert.deepEqual(names(element.attributes), [...elementClass.observedAttributes].sort(), `<${element.tagName}>`);
    }
    assert.ok(chat().attributes!.some((a) => a.name === 'token-url' && a.fieldName === 'tokenUrl' && a.description));
  });

  test('lists every public property of every element, and nothing internal', () => {
    for (const element of byTag.values()) {
      const elementClass = classes.get(element.name)!;
      const declared = Object.entries(elementClass.properties)
        .filter(([, options]) => !options.state)
        .map(([name]) => name);
      const fields = (element.members ?? []).filter((m) => m.kind === 'field' && !m.static).map((m) => m.name);
      for (const name of declared) assert.ok(fields.includes(name), `${element.tagName}: ${name}`);
      const internal = [...(element.members ?? []), ...(element.attributes ?? [])].filter(
        (m) => m.name.startsWith('_') || m.name.startsWith('#') || ('privacy' in m && m.privacy === 'private'),
      );
      assert.deepEqual(internal, [], `${element.tagName} lists no internal member`);
    }
    const chatMembers = names(chat().members);
    for (const api of ['messages', 'sessionId', 'send', 'cancel', 'newConversation', 'open', 'close', 'toggle', 'listConversations', 'openConversation', 'renameConversation', 'deleteConversation']) assert.ok(chatMembers.includes(api), api);
  });

  test('lists every event of src/events.ts on agent37-chat, named as fired and typed by its class', () => {
    const eventClasses = Object.values(events).filter((value) => typeof value === 'function' && 'eventName' in value);
    assert.equal(eventClasses.length, 8);
    const listed = chat().events ?? [];
    for (const eventClass of eventClasses) {
      const event = listed.find((e) => e.name === eventClass.eventName);
      assert.ok(event, eventClass.eventName);
      assert.equal(event.type?.text, eventClass.name);
      assert.ok(event.description, `${eventClass.eventName} is described`);
    }
    assert.deepEqual(names(listed), eventClasses.map((c) => c.eventName).sort(), 'and no other event');
  });

  test("lists agent37-chat's slots, parts and CSS properties", () => {
    const element = chat();
    assert.deepEqual(names(element.slots), ['greeting', 'header', 'launcher']);
    for (const part of ['header', 'messages', 'message', 'composer', 'input', 'send-button', 'stop-button', 'code-block', 'launcher-button', 'unread-dot', 'panel', 'close-button', 'agent-avatar', 'agent-name', 'suggestions', 'suggestion', 'timestamp', 'copy-answer-button', 'usage', 'expand-button']) {
      assert.ok(names(element.cssParts).includes(part), part);
    }
    assert.ok((element.cssProperties ?? []).length > 0);
    for (const property of element.cssProperties!) assert.match(property.name, /^--agent37-[a-z-]+$/);
    assert.equal(element.cssProperties!.find((p) => p.name === '--agent37-accent')?.default, '#2f5bd3');
  });

  test('the JSX typings (src/jsx.ts) type every attribute agent37-chat observes, and no other', () => {
    assert.deepEqual([...jsxAttributes].sort(), [...elements.Agent37Chat.observedAttributes].sort());
  });
});
