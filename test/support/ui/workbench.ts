/**
 * Driving VS Code's workbench (code-server) with Playwright: open the browser on a folder, run commands from
 * the palette, open files, find tree rows in a view, use their context menus, take screenshots.
 * Selectors are VS Code's own DOM (aria labels and monaco classes), the same ones its smoke tests use.
 */
import type { Browser, Page, Locator } from 'playwright-core';
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath, repoRoot } from '../code-server.ts';

export const screenshotDir = join(repoRoot, 'docs', 'screenshots');

export async function openWorkbench(url: string, folder: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // The first paint is followed by extension host start-up; wait for the status bar to settle.
  await page.waitForSelector('.statusbar', { timeout: 30_000 });
  return { browser, page };
}

export class Workbench {
  constructor(readonly page: Page) {}

  async runCommand(title: string): Promise<void> {
    const p = this.page;
    await p.keyboard.press('Escape');
    await p.keyboard.press('F1');
    const input = p.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
  }

  async openFile(name: string): Promise<void> {
    const p = this.page;
    await p.keyboard.press('Escape');
    await p.keyboard.press('Control+P');
    const input = p.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await p.keyboard.press('Enter');
    await p.locator(`.tab[aria-label*="${name}"]`).first().waitFor({ timeout: 15_000 });
  }

  /** Answers the open quick input (input box or pick) with `text` + Enter. */
  async answer(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** Opens the Wheelhouse container in the activity bar. */
  async openWheelhouse(): Promise<void> {
    const icon = this.page.locator('.activitybar .action-item a[aria-label^="Wheelhouse"], .activitybar .action-label[aria-label^="Wheelhouse"]').first();
    await icon.waitFor({ timeout: 30_000 });
    const selected = await icon.evaluate((e) => e.closest('.action-item')?.classList.contains('checked') ?? false);
    if (!selected) await icon.click();
  }

  pane(title: string): Locator {
    return this.page.locator('.pane', { has: this.page.locator(`.pane-header[aria-label^="${title}"]`) }).first();
  }

  async expandPane(title: string): Promise<Locator> {
    const header = this.page.locator(`.pane-header[aria-label^="${title}"]`).first();
    await header.waitFor({ timeout: 15_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    return this.pane(title);
  }

  /** A tree row whose label is `label` (exact, first match) in a view, waiting for it to appear. */
  async row(view: string, label: string, timeoutMs = 30_000): Promise<Locator> {
    const pane = this.pane(view);
    const row = pane.locator('.monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${escape(label)}$`) }) }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    return row;
  }

  async expandRow(row: Locator): Promise<void> {
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  }

  async contextMenu(row: Locator, item: string): Promise<void> {
    await row.click({ button: 'right' });
    const entry = this.page.locator('.context-view .action-item', { hasText: item }).first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.hover();
    await entry.click();
    // VS Code's menus act on mouse-up of a highlighted item; if a re-render swallowed the click, Enter
    // triggers the highlighted item (the same one the user pointed at).
    // Never press Enter into whatever the command opened (an input box): only while the menu itself is
    // still up after a generous pause (a loaded machine, or a command module loading on first use).
    const menu = this.page.locator('.context-view .monaco-menu');
    if (await menu.isVisible().catch(() => false)) {
      await this.page.waitForTimeout(1500);
      const inputOpen = await this.page.locator('.quick-input-widget').isVisible().catch(() => false);
      if (!inputOpen && (await menu.isVisible().catch(() => false))) await this.page.keyboard.press('Enter');
    }
  }

  async notification(text: string | RegExp, timeoutMs = 60_000): Promise<string> {
    const toast = this.page.locator('.notification-toast, .notifications-center', { hasText: text }).first();
    await toast.waitFor({ state: 'visible', timeout: timeoutMs });
    return (await toast.textContent()) ?? '';
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(screenshotDir, { recursive: true });
    const path = join(screenshotDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
