#!/usr/bin/env node
// Checks, in a real VS Code (code-server + headless Chromium), the states of issue 11 that only the
// workbench shows, and takes their documentation pictures:
//   1. restricted: an untrusted workspace: the status bar says so, the Clysm views explain it, and
//      the palette offers no command that needs the server (docs/screenshot-restricted.png);
//   2. modules: the Modules view on a workspace with two package.lisp, each with its folder
//      (docs/screenshot-modules.png); then the walkthrough, whose first step must be ticked;
//   3. loading: the SBCL stand-in workspace, checked once, then Clysm: Restart Server: the status
//      bar says "loading compiler…" with the last known coverage (docs/screenshot-loading.png);
//   4. multiroot: a .code-workspace with two Clysm folders and a plain one: the Blockers and
//      Modules views group by folder, the status bar names the active editor's folder
//      (docs/screenshot-multi-root.png).
//
//   node scripts/screenshot-states.mjs [--only restricted|modules|loading|multiroot] [--out-dir docs] [--timeout MS]
// Needs scripts/setup-vscode-test.sh and a build (node esbuild.mjs); part 3 needs sbcl on the PATH.
// Exit 0 when every state showed what it should, 1 otherwise (a .debug.png is saved for a failure).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { layOutMultiRootWorkspace } from './multi-root-workspace.mjs';
import { layOutSbclWorkspace } from './sbcl-workspace.mjs';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { withWorkbench } = require('./run-vscode-tests.js');

const t0 = Date.now();
const log = (...a) => console.log(`[states ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const outDir = path.resolve(opt('--out-dir', path.join(REPO, 'docs')));
const timeout = +opt('--timeout', 90000);
const only = opt('--only');

/** Commands that need the server: none may show in the palette of an untrusted workspace. */
const SERVER_COMMANDS = ['Generate Stage 1', 'Export Report', 'Re-check All Modules', 'Verify Fixed Point', 'Diff Stage 0 and Stage 1', 'Restart Server'];

const SETTINGS = {
  'workbench.colorTheme': 'Default Dark Modern',
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** One code-server session on `folder` with the extension loaded from the repo; runs `body(page)`. */
async function session(name, folder, { workspaceTrust = false, settings = {} } = {}, body) {
  try {
    await withWorkbench(
      { folder, extensionDevelopmentPath: REPO, settings: { ...SETTINGS, ...settings }, workspaceTrust, timeout, debugShot: path.join(outDir, `screenshot-${name}.debug.png`) },
      async (page) => {
        log(`${name}: workbench loaded`);
        await body(page);
      },
    );
    return true;
  } catch (e) {
    console.error(`${name}: ${String(e.stack || e)}`);
    return false;
  }
}

const statusItem = (page, re) => page.locator('.statusbar-item').filter({ hasText: re }).first();
const pane = (page, name) => page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${name}`) }) });

async function openClysmContainer(page) {
  await page.locator('.activitybar .action-item a[aria-label^="Clysm"], .activitybar .action-item[aria-label^="Clysm"]').first().click({ timeout });
}

/** The palette's rows for a query (F1, then the text), as shown. */
async function paletteRows(page, query) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${query}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ timeout: 15000 });
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

function copyWorkspace(src, extra = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-states-'));
  const ws = path.join(tmp, path.basename(src));
  fs.cpSync(src, ws, { recursive: true });
  for (const [file, text] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(ws, file)), { recursive: true });
    fs.writeFileSync(path.join(ws, file), text);
  }
  return { ws, tmp };
}

async function restricted() {
  const { ws, tmp } = copyWorkspace(path.join(REPO, 'examples/workspace'));
  try {
    return await session('restricted', ws, { workspaceTrust: true }, async (page) => {
      await statusItem(page, /Clysm: restricted/).waitFor({ timeout });
      await openClysmContainer(page);
      await pane(page, 'Blockers').getByText('Clysm runs nothing in an untrusted workspace').first().waitFor({ timeout });
      const rows = await paletteRows(page, 'Clysm:');
      log(`restricted palette: ${rows.join(' | ')}`);
      const shown = SERVER_COMMANDS.filter((c) => rows.some((r) => r.includes(c)));
      if (shown.length) throw new Error(`the palette of an untrusted workspace offers ${shown.join(', ')}`);
      if (!rows.some((r) => r.includes('Show Output'))) throw new Error('the palette lacks Clysm: Show Output');
      await page.waitForTimeout(300); // painting, not synchronisation
      await page.screenshot({ path: path.join(outDir, 'screenshot-restricted.png') });
      log('saved screenshot-restricted.png');
      await page.keyboard.press('Escape');
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function modules() {
  // Two modules named package.lisp, as in Clysm: the folder must tell them apart.
  const { ws, tmp } = copyWorkspace(path.join(REPO, 'examples/workspace'), {
    'src/backend/package.lisp': '(defpackage :example-backend (:use :cl))\n',
    'src/compiler/package.lisp': '(defpackage :example-compiler (:use :cl))\n',
  });
  try {
    // VS Code's default start page: the walkthrough service then exists before Clysm activates.
    return await session('modules', ws, { settings: { 'workbench.startupEditor': 'welcomePage' } }, async (page) => {
      await openClysmContainer(page);
      // Give the Modules view the room: collapse the Blockers view.
      await pane(page, 'Blockers').locator('.pane-header').first().click();
      const rows = pane(page, 'Modules').locator('.monaco-list-row');
      for (const folder of ['src/backend', 'src/compiler']) {
        await rows.filter({ hasText: 'package.lisp' }).filter({ hasText: folder }).first().waitFor({ timeout });
      }
      await statusItem(page, /Clysm \d+(\.\d)?% · \d+\/\d+/).waitFor({ timeout });
      log(`modules: ${(await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')).join(' | ')}`);
      await page.mouse.move(700, 450);
      await page.waitForTimeout(300); // painting
      await page.screenshot({ path: path.join(outDir, 'screenshot-modules.png') });
      log('saved screenshot-modules.png');

      // The walkthrough: a folder is open, so its first step must be ticked.
      await paletteRows(page, 'Welcome: Open Walkthrough');
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'Get started with Clysm' }).first().click({ timeout: 15000 });
      const step = page.locator('.getting-started-step').filter({ hasText: 'Open a Clysm checkout' }).first();
      await step.waitFor({ timeout: 15000 });
      await step.locator('.codicon-getting-started-step-checked, .codicon-pass-filled').first().waitFor({ timeout: 15000 });
      log('walkthrough: "Open a Clysm checkout" is ticked');
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function loading() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-states-sbcl-'));
  const ws = layOutSbclWorkspace(tmp);
  try {
    return await session('loading', ws, {}, async (page) => {
      await openClysmContainer(page);
      // The first load (cold fasls) shows the loading state without a last known coverage.
      await statusItem(page, /Clysm: loading compiler…/).waitFor({ timeout });
      log('first start: loading state shown');
      // Idle coverage: the pulse icon replaces the spinner once the run is done.
      const done = page.locator('.statusbar-item').filter({ hasText: /Clysm \d+(\.\d)?% · \d+\/\d+/ }).filter({ has: page.locator('.codicon-pulse') }).first();
      await done.waitFor({ timeout: 180000 });
      log(`checked: ${(await done.innerText()).trim()}`);
      // A restart shows the results of that run as the last known coverage while SBCL loads again.
      const restartPalette = paletteRows(page, 'Clysm: Restart Server');
      await restartPalette;
      const loadingItem = statusItem(page, /Clysm: loading compiler… \(last \d+\.\d%\)/);
      const seen = loadingItem.waitFor({ timeout });
      await page.keyboard.press('Enter');
      await seen;
      const shot = path.join(outDir, 'screenshot-loading.png');
      await page.screenshot({ path: shot });
      const text = (await loadingItem.innerText().catch(() => '')).trim();
      if (!/loading compiler/.test(text)) throw new Error(`the loading state ended before the picture (status bar now: ${text || 'changed'})`);
      log(`saved screenshot-loading.png: ${text}`);
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function multiroot() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-states-multi-'));
  const file = layOutMultiRootWorkspace(path.join(REPO, 'examples/workspace'), tmp);
  try {
    return await session('multi-root', file, {}, async (page) => {
      await openClysmContainer(page);
      for (const name of ['Blockers', 'Modules']) {
        const rows = pane(page, name).locator('.monaco-list-row');
        for (const folder of ['alpha', 'beta']) await rows.filter({ hasText: new RegExp(`^\\s*${folder}`) }).first().waitFor({ timeout });
        log(`${name}: ${(await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')).join(' | ')}`);
      }
      // Open a module of beta: the status bar follows it.
      // The quick input without `>` opens files: pick beta's ast.lisp.
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('ast.lisp');
      await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'beta' }).first().click({ timeout: 15000 });
      await statusItem(page, /Clysm \(beta\) \d+(\.\d)?% · \d+\/\d+/).waitFor({ timeout });
      // The tree is long: collapse alpha's blockers so both folders fit in the picture.
      await pane(page, 'Blockers').locator('.monaco-list-row').filter({ hasText: /^\s*alpha/ }).first().click();
      await page.mouse.move(900, 600);
      await page.waitForTimeout(300); // painting
      await page.screenshot({ path: path.join(outDir, 'screenshot-multi-root.png') });
      log('saved screenshot-multi-root.png');
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const parts = { restricted, modules, loading, multiroot };
let ok = true;
for (const [name, run] of Object.entries(parts)) {
  if (only && only !== name) continue;
  ok = (await run()) && ok;
}
process.exit(ok ? 0 : 1);
