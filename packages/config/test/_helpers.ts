import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, startStaticServer, type Browser, type Page, type StaticServer } from '@svcmon/testkit';

const here = path.dirname(fileURLToPath(import.meta.url));

export { FIXTURES } from '@svcmon/testkit';

export const PACKAGE_DIR = path.resolve(here, '..');

export async function tempDir(prefix = 'svcmon-config-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A directory served over HTTP on loopback and a headless Chromium to look at its dashboard. */
export interface DashboardInChromium {
  /** The static server (its `log` says what the page fetched). */
  server: StaticServer;
  /** The served index.html. */
  url: string;
  newPage(options?: Parameters<Browser['newPage']>[0]): Promise<Page>;
  /**
   * Goes to `url` (the served index.html by default) and waits until the page's body carries
   * every attribute of `checked` (by default data-checked: the heartbeats have been looked at).
   */
  load(page: Page, options?: { url?: string; checked?: readonly string[] }): Promise<void>;
  /** Closes the browser, then the server. */
  close(): Promise<void>;
}

export async function dashboardInChromium(dir: string): Promise<DashboardInChromium> {
  const server = await startStaticServer(dir);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    await server.close();
    throw e;
  }
  const url = `${server.url}index.html`;
  return {
    server,
    url,
    newPage: (options) => browser.newPage(options),
    async load(page, { url: to = url, checked = ['data-checked'] } = {}) {
      await page.goto(to);
      await page.waitForFunction((names) => names.every((name) => document.body.hasAttribute(name)), checked, { timeout: 20_000 });
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
