/**
 * Commands that give a browser test more tabs of the same browser context (so they share the test
 * page's origin, storage, Web Locks and BroadcastChannels), in Chromium and Firefox:
 *
 *   open-tab  { url }                → { tab }   a new page, loaded (relative urls are the test server's)
 *   tab-eval  { tab, expression }    → { value } evaluates `expression` (awaited) in that page, JSON back
 *   close-tab { tab }                → true      closes it as a visitor would (its locks are released)
 *
 * A test closes the tabs it opened (afterEach); any left open are closed when the run ends.
 */
import type { TestRunnerPlugin } from '@web/test-runner-core';
import type { Page } from 'puppeteer-core';

export function tabCommands(): TestRunnerPlugin {
  const tabs = new Map<string, { page: Page; session: string }>();
  let next = 0;
  return {
    name: 'tab-commands',
    async executeCommand({ command, payload, session }) {
      if (command === 'open-tab') {
        const { url } = payload as { url: string };
        const own = (session.browser as unknown as { getPage(id: string): Page }).getPage(session.id);
        const page = await own.browserContext().newPage();
        page.on('pageerror', (error) => console.error(`[tab] ${String(error)}`));
        await page.goto(new URL(url, own.url()).href);
        const tab = `tab-${(next += 1)}`;
        tabs.set(tab, { page, session: session.id });
        // the test page's own tab keeps its focus and its timers at full speed
        await own.bringToFront();
        return { tab };
      }
      if (command === 'tab-eval') {
        const { tab, expression } = payload as { tab: string; expression: string };
        const entry = tabs.get(tab);
        if (!entry) throw new Error(`no open tab ${tab}`);
        const json = await entry.page.evaluate(`(async () => JSON.stringify({ value: await (${expression}) }))()`);
        // wrapped: a command that answers undefined or null counts as not handled
        return JSON.parse(json as string) as { value?: unknown };
      }
      if (command === 'close-tab') {
        const { tab } = payload as { tab: string };
        const entry = tabs.get(tab);
        tabs.delete(tab);
        if (entry) await entry.page.close({ runBeforeUnload: false });
        return true;
      }
      return undefined;
    },
    async serverStop() {
      await Promise.all([...tabs.values()].map((entry) => entry.page.close().catch(() => {})));
      tabs.clear();
    },
  };
}
