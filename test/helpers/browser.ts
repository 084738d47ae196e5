import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium, as scripts/system-deps.mjs installs it. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests write their screenshots (gitignored; scripts/ui-screenshots.mjs copies them to docs/). */
export const SCREENSHOTS = join(import.meta.dirname, '../../var/ui-screenshots');

/**
 * One headless chromium for a test file (reuse it across its tests; one context per
 * person). Playwright gives it a fresh profile directory of its own; the flags keep it
 * from reaching anything but the loopback addresses the tests open.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What went wrong in a page: script errors, CSP violations, failed loads, dialogs (alert() from injected markup). */
export interface PageTrouble {
  errors: string[];
  dialogs: string[];
}

/** A new person's browser context and page, with its trouble recorded. */
export async function personPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; trouble: PageTrouble }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const trouble: PageTrouble = { errors: [], dialogs: [] };
  page.on('pageerror', (e) => trouble.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) trouble.errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    trouble.dialogs.push(d.message());
    void d.dismiss();
  });
  return { context, page, trouble };
}

/** Sign in on the sign-in page the browser is on (or is sent to) with an API token; waits for the page it returns to. */
export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/ui/signin')), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
}

/** Controls a keyboard or screen-reader user could not name: no label, aria-label or text. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('input, select, textarea, button, a[href]'))) {
      if (el instanceof HTMLInputElement && el.type === 'hidden') continue;
      const labelled =
        (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) ||
        el.getAttribute('aria-label') ||
        el.getAttribute('aria-labelledby') ||
        el.closest('label') ||
        ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent?.trim());
      if (!labelled) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
}

/** Save a screenshot into var/ui-screenshots/NAME.png. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
