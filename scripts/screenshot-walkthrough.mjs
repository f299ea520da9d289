#!/usr/bin/env node
// Screenshot of the walkthrough as users get it: installs the .vsix into code-server (like the
// packaged integration pass), opens the example workspace, runs "Welcome: Open Walkthrough..."
// and picks "Get started with Clysm".
//   node scripts/screenshot-walkthrough.mjs FILE.vsix [--out docs/screenshot-walkthrough.png]
// Needs scripts/setup-vscode-test.sh. Exit 0 when the walkthrough and its first step showed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startCodeServer, launchBrowser, workbenchUrl } = require('./run-vscode-tests.js');

const args = process.argv.slice(2);
const vsix = args.find((a) => a.endsWith('.vsix'));
const outAt = args.indexOf('--out');
const out = path.resolve(outAt >= 0 ? args[outAt + 1] : path.join(REPO, 'docs/screenshot-walkthrough.png'));
if (!vsix) {
  console.error('usage: node scripts/screenshot-walkthrough.mjs FILE.vsix [--out PNG]');
  process.exit(2);
}

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-walkthrough-'));
fs.cpSync(path.join(REPO, 'examples/workspace'), workspace, { recursive: true });
const cs = await startCodeServer({ vsix: path.resolve(vsix) });
let browser;
let code = 1;
try {
  browser = await launchBrowser(cs.env);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(workbenchUrl(cs.port, { folder: workspace }));
  await page.locator('.statusbar-item').filter({ hasText: /Clysm/ }).first().waitFor({ timeout: 60000 });
  const runCommand = async (title) => {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row.focused').filter({ hasText: title }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
  };
  // A wide editor: the walkthrough shows a step's Markdown beside the steps only when there is room.
  await runCommand('View: Close Secondary Side Bar').catch(() => page.keyboard.press('Escape'));
  await runCommand('View: Close Primary Side Bar').catch(() => page.keyboard.press('Escape'));
  await runCommand('Welcome: Open Walkthrough');
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'Get started with Clysm' }).first().click({ timeout: 15000 });
  await page.locator('.getting-started-category').filter({ hasText: 'Open a Clysm checkout' }).first().waitFor({ timeout: 15000 })
    .catch(() => page.getByText('Open a Clysm checkout').first().waitFor({ timeout: 15000 }));
  // The step's Markdown renders in a webview beside the steps.
  await page.locator('.getting-started-media iframe, .getting-started-media .webview').first().waitFor({ timeout: 15000 }).catch(() => undefined);
  const frame = page.frameLocator('.getting-started-media iframe').frameLocator('iframe');
  await frame.getByText('Trust the folder').first().waitFor({ timeout: 15000 }).catch((e) => console.error(`markdown not seen: ${e.message.split('\n')[0]}`));
  await page.waitForTimeout(800); // painting, not synchronisation
  await page.screenshot({ path: out });
  console.log(`saved ${out}`);
  code = 0;
} catch (error) {
  console.error(String(error?.stack ?? error));
  if (browser) await browser.contexts()[0]?.pages()[0]?.screenshot({ path: `${out}.debug.png` }).catch(() => undefined);
} finally {
  await browser?.close().catch(() => undefined);
  await cs.stop();
  fs.rmSync(cs.tmp, { recursive: true, force: true });
  fs.rmSync(workspace, { recursive: true, force: true });
}
process.exit(code);
