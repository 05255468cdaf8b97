/**
 * The engines the browser suite runs in: Debian's Chromium (DevTools protocol) and Firefox ESR
 * (WebDriver BiDi, through puppeteer). Both run side by side in one web-test-runner, each one file
 * at a time.
 *
 *   CHROME_PATH    Chromium's executable (/usr/bin/chromium)
 *   FIREFOX_PATH   Firefox's executable (/usr/bin/firefox-esr)
 *   BROWSERS       which engines, e.g. `firefox` or `chromium,firefox` (default: every engine found).
 *                  An engine named here must be there; one left to the default that is missing is
 *                  skipped with one line saying how to install it.
 */
import { existsSync } from 'node:fs';
import { chromeLauncher } from '@web/test-runner';
import type { BrowserLauncher, TestRunnerPlugin } from '@web/test-runner-core';
import { puppeteerLauncher } from '@web/test-runner-puppeteer';
import type { Page } from 'puppeteer-core';

type EngineName = 'chromium' | 'firefox';

interface Engine {
  name: EngineName;
  envVar: string;
  defaultPath: string;
  debianPackage: string;
  launcher(executablePath: string): BrowserLauncher;
}

// Firefox's network services stay off (no update, telemetry, push, captive-portal or connectivity
// checks, no speculative connections), on top of what puppeteer and the Remote Agent already set.
const QUIET_FIREFOX_PREFS = {
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'app.update.auto': false,
  'browser.aboutwelcome.enabled': false,
  'browser.cache.disk.enable': false,
  'browser.discovery.enabled': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.ping-centre.telemetry': false,
  'browser.places.speculativeConnect.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.urlbar.speculativeConnect.enabled': false,
  'captivedetect.canonicalURL': '',
  'datareporting.usage.uploadEnabled': false,
  'dom.push.connection.enabled': false,
  'dom.push.serverURL': '',
  'extensions.blocklist.enabled': false,
  'extensions.pocket.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'geo.provider.network.url': '',
  'identity.fxaccounts.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.predictor.enabled': false,
  'network.prefetch-next': false,
  'network.trr.mode': 5,
  // Remote Settings (blocklists, CRLite, …) sync on a new profile; with nowhere to sync from they stay
  // off the network. Release builds take this only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 (below).
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.unified': false,
};

const ENGINES: Engine[] = [
  {
    name: 'chromium',
    envVar: 'CHROME_PATH',
    defaultPath: '/usr/bin/chromium',
    debianPackage: 'chromium',
    launcher: (executablePath) =>
      chromeLauncher({
        launchOptions: {
          executablePath,
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
        },
      }),
  },
  {
    name: 'firefox',
    envVar: 'FIREFOX_PATH',
    defaultPath: '/usr/bin/firefox-esr',
    debianPackage: 'firefox-esr',
    launcher: (executablePath) =>
      puppeteerLauncher({
        launchOptions: {
          browser: 'firefox',
          executablePath,
          headless: true,
          extraPrefsFirefox: QUIET_FIREFOX_PREFS,
          env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
          // lets the media commands below set a preference (test browser only)
          args: ['--remote-allow-system-access'],
        },
      }),
  },
];

/**
 * One launcher per engine to run. Prints one line per engine that is missing; exits (no stack trace)
 * when an engine named in BROWSERS is missing, or when none is there at all.
 */
export function browserLaunchers(env: NodeJS.ProcessEnv = process.env): BrowserLauncher[] {
  const requested = env.BROWSERS?.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  const unknown = requested?.filter((name) => !ENGINES.some((engine) => engine.name === name)) ?? [];
  if (unknown.length > 0) exitWith(`BROWSERS=${env.BROWSERS}: unknown engine ${unknown.join(', ')} (known: ${ENGINES.map((e) => e.name).join(', ')})`);

  const launchers: BrowserLauncher[] = [];
  const missing: string[] = [];
  for (const engine of ENGINES) {
    if (requested && !requested.includes(engine.name)) continue;
    const executablePath = env[engine.envVar] || engine.defaultPath;
    if (existsSync(executablePath)) {
      launchers.push(engine.launcher(executablePath));
    } else {
      missing.push(`${capitalized(engine.name)} not found at ${executablePath}: apt-get install -y ${engine.debianPackage} (or set ${engine.envVar})`);
    }
  }
  if (requested && missing.length > 0) exitWith(...missing);
  if (launchers.length === 0) exitWith(...missing);
  for (const line of missing) console.warn(`${line}; its browser tests are skipped`);
  return launchers;
}

function exitWith(...lines: string[]): never {
  for (const line of lines) console.error(line);
  process.exit(1);
}

function capitalized(name: string): string {
  return name[0]!.toUpperCase() + name.slice(1);
}

type ColorScheme = 'light' | 'dark';

/** Media features the commands below can emulate in both engines, and the values each takes. */
const MEDIA_FEATURES: Record<string, readonly string[]> = {
  'prefers-color-scheme': ['light', 'dark'],
  'prefers-reduced-motion': ['no-preference', 'reduce'],
  pointer: ['none', 'coarse', 'fine'],
  'any-pointer': ['none', 'coarse', 'fine'],
};

/**
 * Firefox has no DevTools protocol: its own preferences stand in, read by the page asynchronously.
 * Pointer capabilities are flags (1 coarse, 2 fine, 4 can hover); a fine pointer can hover.
 * `undefined`: the feature's default (the preference cleared).
 */
const FIREFOX_PREFS: Record<string, { pref: string; values: Record<string, number> }> = {
  'prefers-color-scheme': { pref: 'layout.css.prefers-color-scheme.content-override', values: { dark: 0, light: 1 } },
  'prefers-reduced-motion': { pref: 'ui.prefersReducedMotion', values: { 'no-preference': 0, reduce: 1 } },
  pointer: { pref: 'ui.primaryPointerCapabilities', values: { none: 0, coarse: 1, fine: 6 } },
  'any-pointer': { pref: 'ui.allPointerCapabilities', values: { none: 0, coarse: 1, fine: 6 } },
};

/**
 * Two commands that emulate CSS media features, in both engines:
 * - `emulate-media-features` (`{ features: { pointer: 'coarse', 'prefers-reduced-motion': 'reduce' } }`; a
 *   value of '' puts the feature back to what the browser says),
 * - `emulate-color-scheme` (`{ colorScheme }`), the same for `prefers-color-scheme`.
 *
 * Chromium: the DevTools protocol's Emulation.setEmulatedMedia, which replaces every emulated feature
 * at once, so the features set so far are kept per page and sent together. It takes no `pointer`
 * (nor does puppeteer's emulateMediaFeatures): a coarse pointer is touch emulation
 * (Emulation.setTouchEmulationEnabled), as in DevTools' device mode, for `pointer` and `any-pointer`
 * both; 'fine' or '' turns it off. Firefox: its preferences (above), set in the browser's chrome
 * scope; the command returns once the page's media queries agree.
 */
export function mediaFeatureCommands(): TestRunnerPlugin {
  const emulated = new Map<string, Record<string, string>>();
  return {
    name: 'emulate-media-commands',
    async executeCommand({ command, payload, session }) {
      let features: Record<string, string>;
      if (command === 'emulate-color-scheme') {
        const { colorScheme } = payload as { colorScheme: ColorScheme };
        features = { 'prefers-color-scheme': colorScheme };
      } else if (command === 'emulate-media-features') {
        features = (payload as { features: Record<string, string> }).features;
      } else {
        return undefined;
      }
      for (const [name, value] of Object.entries(features)) {
        if (!MEDIA_FEATURES[name]) throw new Error(`cannot emulate the media feature ${name} (known: ${Object.keys(MEDIA_FEATURES).join(', ')})`);
        if (value !== '' && !MEDIA_FEATURES[name].includes(value)) throw new Error(`${name} must be one of ${MEDIA_FEATURES[name].join(', ')} or '', not ${String(value)}`);
      }
      const page = (session.browser as unknown as { getPage(id: string): Page }).getPage(session.id);
      if (session.browser.name !== 'Firefox') {
        const all = { ...emulated.get(session.id), ...features };
        for (const [name, value] of Object.entries(features)) if (value === '') delete all[name];
        emulated.set(session.id, all);
        const client = (page as unknown as { _client(): { send(method: string, params: object): Promise<unknown> } })._client();
        const { pointer, 'any-pointer': anyPointer, ...media } = all;
        await client.send('Emulation.setEmulatedMedia', { features: Object.entries(media).map(([name, value]) => ({ name, value })) });
        if ('pointer' in features || 'any-pointer' in features) {
          const touch = pointer === 'coarse' || anyPointer === 'coarse';
          await client.send('Emulation.setTouchEmulationEnabled', { enabled: touch, ...(touch ? { maxTouchPoints: 1 } : {}) });
        }
        return true;
      }
      const bidi = (page.browser() as unknown as { connection: BidiConnection }).connection;
      const { contexts } = (await bidi.send('browsingContext.getTree', { 'moz:scope': 'chrome', maxDepth: 0 })).result;
      const calls = Object.entries(features).map(([name, value]) => {
        const { pref, values } = FIREFOX_PREFS[name]!;
        return value === '' ? `Services.prefs.clearUserPref('${pref}')` : `Services.prefs.setIntPref('${pref}', ${values[value]})`;
      });
      await bidi.send('script.evaluate', { expression: calls.join(';'), target: { context: contexts[0]!.context }, awaitPromise: false });
      const queries = Object.entries(features)
        .filter(([, value]) => value !== '')
        .map(([name, value]) => `(${name}: ${value})`);
      await page.waitForFunction((list: string[]) => list.every((query) => matchMedia(query).matches), { timeout: 5_000 }, queries);
      return true;
    },
  };
}

/** The one call of puppeteer's (internal) WebDriver BiDi connection the command uses. */
interface BidiConnection {
  send(method: 'browsingContext.getTree', params: object): Promise<{ result: { contexts: { context: string }[] } }>;
  send(method: 'script.evaluate', params: object): Promise<unknown>;
}
