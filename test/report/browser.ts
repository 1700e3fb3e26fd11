/**
 * playwright-core, when available: from node_modules (a devDependency) or from the directory named
 * by LETHE_PLAYWRIGHT_DIR (a separate install, e.g. /tmp/pw), driving Debian's /usr/bin/chromium.
 * No browser is ever downloaded. Only the few calls the test uses are typed here.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.LETHE_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface PwLocator {
  count(): Promise<number>;
  textContent(): Promise<string | null>;
  fill(value: string): Promise<void>;
  selectOption(value: string): Promise<unknown>;
}
export interface PwPage {
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  on(event: 'request', fn: (r: { url(): string }) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  goto(url: string): Promise<unknown>;
  locator(selector: string): PwLocator;
  /** A JavaScript expression evaluated in the page (strings: this project has no DOM typings). */
  evaluate<T>(expression: string): Promise<T>;
  screenshot(o: { path: string; fullPage?: boolean; clip?: { x: number; y: number; width: number; height: number } }): Promise<unknown>;
}
export interface PwContext {
  newPage(): Promise<PwPage>;
  close(): Promise<void>;
}
export interface PwChromium {
  launchPersistentContext(dir: string, o: { executablePath: string; args: string[]; headless: boolean; viewport: { width: number; height: number } }): Promise<PwContext>;
}

/** playwright-core's chromium, or a reason it is unavailable. */
export async function loadChromium(): Promise<{ chromium: PwChromium } | { skip: string }> {
  if (!existsSync(CHROMIUM)) return { skip: `${CHROMIUM} is missing (apt-get install chromium)` };
  const name = 'playwright-core';
  const candidates: string[] = [];
  try {
    candidates.push(createRequire(import.meta.url).resolve(name));
  } catch {
    /* not a dependency (yet) */
  }
  const dir = process.env.LETHE_PLAYWRIGHT_DIR;
  if (dir) {
    try {
      candidates.push(createRequire(join(dir, 'package.json')).resolve(name));
    } catch {
      /* not there */
    }
  }
  for (const c of candidates) {
    const mod = (await import(pathToFileURL(c).href)) as { chromium?: PwChromium; default?: { chromium?: PwChromium } };
    const chromium = mod.chromium ?? mod.default?.chromium;
    if (chromium) return { chromium };
  }
  return { skip: 'playwright-core is not installed (add it as a devDependency, or set LETHE_PLAYWRIGHT_DIR to a directory where it is)' };
}

/** Opens a report file in a new page, collecting every request it makes and every console error, warning or page error. */
export async function openReport(context: PwContext, file: string, seen: { requests: string[]; problems: string[] }): Promise<PwPage> {
  const page = await context.newPage();
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => seen.problems.push(`pageerror: ${e.message}`));
  await page.goto(pathToFileURL(file).href);
  return page;
}
