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
//      (docs/screenshot-multi-root.png);
//   5. lastchange: the SBCL stand-in workspace with a module that calls 1+; once checked, the
//      stand-in compiler is edited and saved in the editor so that FOLD folds 1+: the Blockers
//      view's Last change node lists the forms that moved, the status bar tooltip says the delta
//      and the focus stays in the editor; the picture has the notification (in the notification
//      center: no toasts under the smoke-test driver) and the hover of the form that now
//      compiles (docs/screenshot-last-change.png).
//
//   node scripts/screenshot-states.mjs [--only restricted|modules|loading|multiroot|lastchange] [--out-dir docs] [--timeout MS]
// Needs scripts/setup-vscode-test.sh and a build (node esbuild.mjs); parts 3 and 5 need sbcl on the PATH.
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

/** Waits for the idle coverage (the pulse icon replaces the spinner once a run is done); returns its text. */
async function checked(page) {
  const done = page.locator('.statusbar-item').filter({ hasText: /Clysm \d+(\.\d)?% · \d+\/\d+/ }).filter({ has: page.locator('.codicon-pulse') }).first();
  await done.waitFor({ timeout: 180000 });
  return (await done.innerText()).trim();
}

/** Drags the sash between the side bar and the editor `by` pixels to the right: long tree rows fit. */
async function widenSideBar(page, by) {
  const box = await page.locator('.part.sidebar').first().boundingBox();
  if (!box) throw new Error('the side bar has no box');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width + 1 + by, y, { steps: 5 });
  await page.mouse.up();
}

/** Opens `file` (an absolute path, inside the workspace or not) through Quick Open. */
async function quickOpen(page, file) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(file);
  // Enter only once the filtered list has this file focused (the list lags behind typing).
  await page.locator('.quick-input-list .monaco-list-row.focused').filter({ hasText: path.basename(file) }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[data-resource-name="${path.basename(file)}"]`).first().waitFor({ timeout: 15000 });
}

/** The text of the hover shown when the mouse rests on `box` (a workbench or an editor hover matching `re`). */
async function hoverText(page, box, re) {
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  const hover = page.locator('.monaco-hover:not(.hidden), .workbench-hover').filter({ hasText: re }).first();
  await hover.waitFor({ state: 'visible', timeout: 15000 });
  return (await hover.innerText()).replace(/\s+/g, ' ').trim();
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
      log(`checked: ${await checked(page)}`);
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

/** A module of the picture's workspace: 1+ is not in the stand-in's FOLD until the change below. */
const COUNTER = 'src/app/counter.lisp';
const COUNTER_TEXT = ';;;; Calls 1+: the stand-in compiler folds it only once FOLD knows it.\n(in-package #:standin-app)\n\n'
  + '(defun next-area ()\n  (1+ (area)))\n\n(defun uses-1+ ()\n  (1+ 41))\n';
const BEFORE = "'(+ - *)";
const AFTER = "'(+ - * 1+)";

async function lastchange() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-states-sbcl-'));
  const ws = layOutSbclWorkspace(tmp);
  fs.writeFileSync(path.join(ws, COUNTER), COUNTER_TEXT);
  const settingsFile = path.join(ws, '.vscode/settings.json');
  const wsSettings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  wsSettings['clysm.modules'].push(COUNTER);
  fs.writeFileSync(settingsFile, JSON.stringify(wsSettings, null, 2));
  const compiler = path.join(tmp, 'clysm-standin/src/compiler.lisp');
  if (!fs.readFileSync(compiler, 'utf8').includes(BEFORE)) throw new Error(`${BEFORE} is not in the stand-in compiler`);
  const settings = { 'workbench.editor.enablePreview': false, 'editor.hover.delay': 200, 'editor.hover.above': false, 'editor.stickyScroll.enabled': false };
  try {
    return await session('last-change', ws, { settings }, async (page) => {
      await openClysmContainer(page);
      await widenSideBar(page, 200);
      log(`checked: ${await checked(page)}`);

      // The change, typed and saved in the editor: the stand-in compiler lies outside the folder.
      await quickOpen(page, compiler);
      const editor = page.locator('.editor-group-container.active .monaco-editor').first();
      await editor.click();
      await page.keyboard.press('Control+F');
      const find = page.locator('.editor-group-container.active .find-widget textarea, .editor-group-container.active .find-widget input').first();
      await find.fill(BEFORE);
      await page.locator('.editor-group-container.active .find-widget .matchesCount').filter({ hasText: /^1 of 1$/ }).waitFor({ timeout: 15000 });
      await page.keyboard.press('Escape'); // the match stays selected; typing replaces it
      await page.keyboard.type(AFTER);
      await editor.locator('.view-line').filter({ hasText: AFTER }).first().waitFor({ timeout: 15000 });
      await page.keyboard.press('Control+S');
      await page.locator('.tabs-container .tab.active:not(.dirty)').first().waitFor({ timeout: 15000 });
      if (!fs.readFileSync(compiler, 'utf8').includes(AFTER)) throw new Error('the saved stand-in compiler lacks the change');
      log('saved the stand-in compiler with 1+ in FOLD');

      // What the workbench shows: the node, its forms, the notification, the tooltip.
      const blockers = pane(page, 'Blockers');
      const node = blockers.locator('.monaco-list-row').filter({ hasText: /^\s*Last change/ }).first();
      await node.waitFor({ timeout });
      const nodeText = (await node.innerText()).replace(/\s+/g, ' ').trim();
      if (!/\+1 compiled, 0 regressions, 1 message changed \(compiler\.lisp: FOLD\)/.test(nodeText)) throw new Error(`the Last change node says: ${nodeText}`);
      if ((await node.getAttribute('aria-expanded')) !== 'true') await node.click();
      const formRow = (name) => blockers.locator('.monaco-list-row[aria-level="2"]').filter({ hasText: name }).first();
      await formRow('USES-1+').waitFor({ timeout: 15000 });
      // Still failing, with another message: the row says which.
      await formRow('NEXT-AREA').filter({ hasText: 'message changed: Undefined function: AREA' }).waitFor({ timeout: 15000 });
      const rows = (await blockers.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      log(`Blockers: ${rows.join(' | ')}`);
      // The notification is sent before the views refresh (ctx.ts): with the node shown, it has come.
      const focusInEditor = await page.evaluate(() => !!document.activeElement?.closest('.editor-group-container.active .monaco-editor'));
      if (!focusInEditor) throw new Error('the focus left the editor when the delta came');
      const bar = await statusItem(page, /Clysm \d+(\.\d)?% · \d+\/\d+/).boundingBox();
      if (!bar) throw new Error('the status bar item has no box');
      const tooltip = await hoverText(page, bar, 'Last compiler change');
      if (!/Last compiler change: \+1 compiled, 0 regressions, 1 message changed \(compiler\.lisp: FOLD\)/.test(tooltip)) throw new Error(`the status bar tooltip says: ${tooltip}`);
      log(`status bar tooltip: ${tooltip}`);

      // The form that now compiles, hovered below the one whose message changed, beside the notification. The smoke-test driver
      // that the workbench needs for extensionDevelopmentPath turns toasts off (NotificationsToasts
      // skips them), so the notification is shown in the notification center.
      await quickOpen(page, path.join(ws, COUNTER));
      await page.locator('.statusbar-item').filter({ has: page.locator('.codicon-bell, .codicon-bell-dot') }).first().click();
      const notification = page.locator('.notifications-center .notification-list-item').filter({ hasText: 'Clysm: the compiler change gave +1 compiled, 0 regressions, 1 message changed' }).first();
      await notification.waitFor({ timeout: 15000 });
      log(`notification: ${(await notification.innerText()).replace(/\s+/g, ' ').trim()}`);
      const line = page.locator('.editor-group-container.active .monaco-editor .view-line').filter({ hasText: '(defun uses-1+' }).first();
      await line.waitFor({ timeout: 15000 });
      const lineBox = await line.boundingBox();
      if (!lineBox) throw new Error('the line of USES-1+ has no box');
      const hover = await hoverText(page, { x: lineBox.x + 50, y: lineBox.y, width: 30, height: lineBox.height }, 'Since the last compiler edit');
      if (!/this form now compiles \(before: failed/.test(hover)) throw new Error(`the hover of USES-1+ says: ${hover}`);
      log(`hover: ${hover}`);
      await page.waitForTimeout(400); // the hover's fade-in: painting, not synchronisation
      await page.screenshot({ path: path.join(outDir, 'screenshot-last-change.png') });
      log('saved screenshot-last-change.png');
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const parts = { restricted, modules, loading, multiroot, lastchange };
let ok = true;
for (const [name, run] of Object.entries(parts)) {
  if (only && only !== name) continue;
  ok = (await run()) && ok;
}
process.exit(ok ? 0 : 1);
