// The Custom Elements Manifest: `cem analyze` (in `npm run build`) writes custom-elements.json at the
// package root, for editors, Storybook and other tools, from the element sources: Lit's static
// properties, and their JSDoc (@summary @slot @event @csspart @cssproperty). The plugins below teach
// the analyzer this project's ways: tags are defined with defineElement(), each event is a class,
// and `_x`, `#x`, private members and Lit state are internal.
import path from 'node:path';

export default {
  // the elements, their events, and the modules that define them; not the IO, state or server code
  globs: ['src/index.ts', 'src/events.ts', 'src/agent37-chat.ts', 'src/components/agent37-*.ts', 'src/markdown/agent37-*.ts', 'src/markdown/define.ts'],
  exclude: ['src/**/*.styles.ts'],
  outdir: '',
  litelement: true,
  // package.json names the manifest itself; the analyzer would rewrite the whole file to add it
  packagejson: false,
  plugins: [tagsFromDefineElement(), eventsFromEventClasses(), internalsLeftOut(), typeExportsLeftOut(), modulesAsListed()],
};

/** `defineElement('agent37-chat', Agent37Chat)` defines a tag, as `customElements.define` would. */
function tagsFromDefineElement() {
  return {
    name: 'agent37: tags from defineElement()',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'defineElement') return;
      const [tag, element] = node.arguments;
      if (!tag || !ts.isStringLiteral(tag) || !element || !ts.isIdentifier(element)) return;
      const definition = {
        kind: 'custom-element-definition',
        name: tag.text,
        declaration: { name: element.text, module: moduleOf(ts, node.getSourceFile(), element.text, moduleDoc.path) },
      };
      moduleDoc.exports = [...(moduleDoc.exports ?? []), definition];
    },
  };
}

/** The module `name` comes from in `sourceFile` (at `modulePath`): the one importing it, or itself. */
function moduleOf(ts, sourceFile, name, modulePath) {
  for (const statement of sourceFile.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings) || !bindings.elements.some((e) => e.name.text === name)) continue;
    return asListed(statement.moduleSpecifier.text, modulePath);
  }
  return modulePath;
}

/** './events.js' imported from src/index.ts → 'src/events.ts', the path the manifest lists that module at. */
function asListed(specifier, fromModule) {
  if (!specifier.startsWith('.')) return specifier;
  return path.posix.join(path.posix.dirname(fromModule), specifier).replace(/\.js$/, '.ts');
}

/**
 * The element fires `new Agent37SendEvent(text)`, whose name is the class's `static eventName` (or
 * the string its constructor hands to `super`); the analyzer takes the first argument for the name.
 * Each event gets its name and its class as its type, once, with the description @event gave it.
 */
function eventsFromEventClasses() {
  const nameOfClass = new Map();
  return {
    name: 'agent37: events from their classes',
    collectPhase({ ts, node }) {
      if (!ts.isClassDeclaration(node) || !node.name || !extendsEvent(ts, node)) return;
      const name = staticEventName(ts, node) ?? superEventName(ts, node);
      if (name) nameOfClass.set(node.name.text, name);
    },
    packageLinkPhase({ customElementsManifest }) {
      const classOfName = new Map([...nameOfClass].map(([className, name]) => [name, className]));
      for (const declaration of classDeclarations(customElementsManifest)) {
        if (!declaration.events) continue;
        const byName = new Map();
        for (const event of declaration.events) {
          const name = nameOfClass.get(event.type?.text) ?? event.name;
          if (!name) continue;
          const className = classOfName.get(name);
          const merged = { ...byName.get(name), ...event, name, ...(className ? { type: { text: className } } : {}) };
          merged.description = event.description ?? byName.get(name)?.description;
          if (!merged.description) delete merged.description;
          byName.set(name, merged);
        }
        declaration.events = [...byName.values()];
      }
    },
  };
}

function extendsEvent(ts, node) {
  return (node.heritageClauses ?? []).some(
    (clause) => clause.token === ts.SyntaxKind.ExtendsKeyword && clause.types.some((type) => /^(Custom)?Event$/.test(type.expression.getText())),
  );
}

function staticEventName(ts, node) {
  for (const member of node.members) {
    const isStatic = member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
    if (isStatic && ts.isPropertyDeclaration(member) && member.name.getText() === 'eventName' && member.initializer && ts.isStringLiteral(member.initializer)) {
      return member.initializer.text;
    }
  }
  return undefined;
}

function superEventName(ts, node) {
  const constructor = node.members.find((member) => ts.isConstructorDeclaration(member));
  for (const statement of constructor?.body?.statements ?? []) {
    const call = ts.isExpressionStatement(statement) ? statement.expression : undefined;
    if (call && ts.isCallExpression(call) && call.expression.kind === ts.SyntaxKind.SuperKeyword) {
      const [first] = call.arguments;
      return first && ts.isStringLiteral(first) ? first.text : undefined;
    }
  }
  return undefined;
}

/**
 * Not public API, so not in the manifest: private members (`private`, `#x`, the project's `_x`), Lit
 * state (`{state: true}`), which the analyzer would otherwise list as an attribute too, and Lit's
 * lifecycle overrides that its Lit support does not already leave out.
 */
function internalsLeftOut() {
  const stateOfClass = new Map();
  return {
    name: 'agent37: internals left out',
    analyzePhase({ ts, node }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const properties = node.members.find((m) => ts.isPropertyDeclaration(m) && m.name.getText() === 'properties' && m.initializer && ts.isObjectLiteralExpression(m.initializer));
      const state = new Set();
      for (const property of properties?.initializer.properties ?? []) {
        const options = ts.isPropertyAssignment(property) ? property.initializer : undefined;
        const isState = options && ts.isObjectLiteralExpression(options) && options.properties.some((o) => o.name?.getText() === 'state' && o.initializer?.kind === ts.SyntaxKind.TrueKeyword);
        if (isState) state.add(property.name.getText());
      }
      stateOfClass.set(node.name.text, state);
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const declaration of classDeclarations(customElementsManifest)) {
        const state = stateOfClass.get(declaration.name) ?? new Set();
        const internal = (name) => state.has(name) || name.startsWith('_') || name.startsWith('#');
        const member = (m) => m.privacy !== 'private' && !internal(m.name) && !LIT_LIFECYCLE.has(m.name);
        if (declaration.members) declaration.members = declaration.members.filter(member);
        if (declaration.attributes) declaration.attributes = declaration.attributes.filter((a) => !(a.fieldName && internal(a.fieldName)));
        for (const key of ['members', 'attributes']) if (declaration[key]?.length === 0) delete declaration[key];
      }
    },
  };
}

/** `export type { … }` exports nothing a page can import at run time; the analyzer lists it as JavaScript. */
function typeExportsLeftOut() {
  const typeOnly = new Map();
  return {
    name: 'agent37: type exports left out',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isExportDeclaration(node) || !node.exportClause || !ts.isNamedExports(node.exportClause)) return;
      const names = typeOnly.get(moduleDoc.path) ?? new Set();
      for (const element of node.exportClause.elements) if (node.isTypeOnly || element.isTypeOnly) names.add(element.name.text);
      typeOnly.set(moduleDoc.path, names);
    },
    moduleLinkPhase({ moduleDoc }) {
      const names = typeOnly.get(moduleDoc.path);
      if (names && moduleDoc.exports) moduleDoc.exports = moduleDoc.exports.filter((e) => e.kind !== 'js' || !names.has(e.name));
    },
  };
}

/**
 * An export points at the module that declares it, at the path the manifest lists it under: the
 * analyzer gives a re-exported import the re-exporting module, and `export … from` its specifier.
 */
function modulesAsListed() {
  const importsOf = new Map();
  return {
    name: 'agent37: export modules as listed',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isSourceFile(node)) return;
      const imports = new Map();
      for (const statement of node.statements) {
        const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
        if (!bindings || !ts.isNamedImports(bindings)) continue;
        for (const element of bindings.elements) imports.set(element.name.text, asListed(statement.moduleSpecifier.text, moduleDoc.path));
      }
      importsOf.set(moduleDoc.path, imports);
    },
    moduleLinkPhase({ moduleDoc }) {
      const imports = importsOf.get(moduleDoc.path) ?? new Map();
      for (const { declaration } of moduleDoc.exports ?? []) {
        if (!declaration?.module) continue;
        if (declaration.module === moduleDoc.path && imports.has(declaration.name)) declaration.module = imports.get(declaration.name);
        else declaration.module = asListed(declaration.module, moduleDoc.path);
      }
    },
  };
}

const LIT_LIFECYCLE = new Set(['getUpdateComplete', 'scheduleUpdate', 'performUpdate', 'shouldUpdate', 'willUpdate', 'update', 'updated', 'firstUpdated', 'render']);

function* classDeclarations(manifest) {
  for (const module of manifest.modules ?? []) for (const declaration of module.declarations ?? []) if (declaration.kind === 'class') yield declaration;
}
