#!/usr/bin/env node
// Takes the documentation screenshots: starts code-server (like the test runner) with the extension
// loaded from its development folder and opens the example workspace. Then:
//   1. the views: the Clysm activity bar container with the Blockers view (top category and its top
//      message expanded, a form revealed from the tree) and the Modules view, the coverage status bar
//      item and the module language status (docs/screenshot-views.png);
//   2. the status bar tooltip, hovered (docs/screenshot-status.png);
//   3. the hover: finds a module with a failing form through the Problems panel, hovers the squiggle
//      with the mouse (docs/screenshot-hover.png).
//
//   node scripts/screenshot.mjs [hover.png] [--views-out FILE] [--status-out FILE] [--no-views]
//                              [--workspace DIR] [--extension DIR] [--vsix FILE] [--file src/x.lisp]
//                              [--timeout MS]
// Defaults: the docs/ paths above, examples/workspace (copied to a temp folder first), the repo as
// the development extension. Needs scripts/setup-vscode-test.sh and a build (node esbuild.mjs).
// Exit 0 when every picture shows what it should, 1 otherwise (a debug screenshot is saved next to
// the one that failed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startCodeServer, launchBrowser, workbenchUrl } = require('./run-vscode-tests.js');

const t0 = Date.now();
const log = (...a) => console.log(`[screenshot ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

function parseArgs(argv) {
  const o = {
    out: path.join(REPO, 'docs/screenshot-hover.png'),
    viewsOut: path.join(REPO, 'docs/screenshot-views.png'),
    statusOut: path.join(REPO, 'docs/screenshot-status.png'),
    views: true,
    workspace: path.join(REPO, 'examples/workspace'),
    extension: REPO,
    timeout: 90000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--workspace') o.workspace = path.resolve(next());
    else if (a === '--views-out') o.viewsOut = path.resolve(next());
    else if (a === '--status-out') o.statusOut = path.resolve(next());
    else if (a === '--no-views') o.views = false;
    else if (a === '--extension') o.extension = path.resolve(next());
    else if (a === '--vsix') o.vsix = path.resolve(next());
    else if (a === '--file') o.file = next();
    else if (a === '--timeout') o.timeout = +next();
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.out = path.resolve(a);
  }
  return o;
}

/** Workspace-relative paths of the .lisp modules under src/, in name order. */
function lispModules(root) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      else if (e.isFile() && e.name.endsWith('.lisp')) out.push(path.relative(root, p));
    }
  };
  if (fs.existsSync(path.join(root, 'src'))) walk(path.join(root, 'src'));
  return out.sort();
}

/** Runs a command by its palette title (F1), once the palette shows it. */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row.focused').filter({ hasText: title }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
}

/** Saves a debug picture next to `out` after a failed step. */
async function debugShot(page, out) {
  const dbg = out.replace(/\.png$/, '') + '.debug.png';
  await page.screenshot({ path: dbg }).then(() => log(`debug screenshot: ${dbg}`), () => {});
}

/**
 * The Clysm container: waits for the whole-workspace coverage (no file opened), expands the top
 * blocker category and its top message, reveals the first form from the tree, and takes the picture.
 */
async function captureViews(page, o) {
  // Open the container from its activity bar icon, as a user would.
  await page.locator('.activitybar .action-item a[aria-label^="Clysm"], .activitybar .action-item[aria-label^="Clysm"]').first().click({ timeout: o.timeout });
  const pane = (name) => page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${name}`) }) });
  // Widen the side bar so the blocker messages fit: drag its sash (the default is ~300 px).
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (sidebar) {
    const x = sidebar.x + sidebar.width;
    const y = sidebar.y + sidebar.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 190, y, { steps: 8 });
    await page.mouse.up();
  }
  const blockers = pane('Blockers');
  const modules = pane('Modules');
  // Idle coverage: the pulse icon replaces the spinner once the analysis is done.
  const status = page.locator('.statusbar-item').filter({ hasText: /Clysm \d+(\.\d)?% · \d+\/\d+/ }).filter({ has: page.locator('.codicon-pulse') });
  await status.first().waitFor({ timeout: o.timeout });
  log(`status bar: ${(await status.first().innerText()).trim()}`);
  const level = (n) => blockers.locator(`.monaco-list-row[aria-level="${n}"]`);
  await level(1).filter({ hasText: /forms? · / }).first().waitFor({ timeout: o.timeout });
  await modules.locator('.monaco-list-row').first().waitFor({ timeout: o.timeout });
  // Expand the top category (regressions, when present, come first and are already open).
  const category = level(1).filter({ hasText: /forms? · / }).first();
  await category.click();
  const pattern = level(2).first();
  await pattern.waitFor({ timeout: 15000 });
  await pattern.click();
  const form = level(3).first();
  await form.waitFor({ timeout: 15000 });
  await form.click(); // runs clysm.revealForm: the form opens with its range selected
  await page.locator('.tabs-container .tab.active').first().waitFor({ timeout: 15000 });
  await page.locator('.editor-group-container.active .monaco-editor .selected-text').first().waitFor({ timeout: 15000 });
  // Park the mouse on the Blockers header: its title actions (filter, refresh, collapse) show, and
  // no row tooltip or editor hover covers the picture.
  const park = async () => {
    const header = await blockers.locator('.pane-header').first().boundingBox();
    await page.mouse.move(header ? header.x + header.width / 2 : 100, header ? header.y + header.height / 2 : 80);
  };
  await park();
  await page.waitForTimeout(400); // let the editor finish painting (rendering delay, not a synchronisation)
  fs.mkdirSync(path.dirname(o.viewsOut), { recursive: true });
  await page.screenshot({ path: o.viewsOut });
  log(`saved ${o.viewsOut}`);

  // The status bar tooltip: the formula, backend, Stage 0 and the command links.
  const item = status.first();
  const box = await item.boundingBox();
  if (!box) throw new Error('the status bar item has no box');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'coverage = compiled' }).first().waitFor({ state: 'visible', timeout: 15000 });
  await page.waitForTimeout(400); // fade-in
  await page.screenshot({ path: o.statusOut });
  log(`saved ${o.statusOut}`);
  await park();
  await page.keyboard.press('Escape');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  // A temp copy: the extension may write caches into the workspace, and nothing may touch the repo.
  const wsTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-shot-ws-'));
  const ws = path.join(wsTmp, path.basename(o.workspace));
  fs.cpSync(o.workspace, ws, { recursive: true });
  const files = o.file ? [o.file] : lispModules(ws);
  if (!files.length) throw new Error(`no .lisp modules under ${o.workspace}/src`);

  const cs = await startCodeServer({
    vsix: o.vsix,
    settings: {
      // Every quick-opened module keeps its own tab, so the client pulls diagnostics for all of them.
      'workbench.editor.enablePreview': false,
      'editor.hover.delay': 200,
      'editor.hover.above': false, // the hover opens below the squiggle and leaves the code above it visible
      'editor.minimap.enabled': false,
      // A sticky header over the top lines could hide the squiggle the hover step points at.
      'editor.stickyScroll.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'workbench.colorTheme': 'Default Dark Modern',
    },
  });
  log(`code-server up on 127.0.0.1:${cs.port}`);
  let browser;
  let page;
  let code = 1;
  try {
    browser = await launchBrowser(cs.env);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // extensionDevelopmentPath alone loads the extension from source without running any tests.
    await page.goto(workbenchUrl(cs.port, { folder: ws, extensionDevelopmentPath: o.vsix ? undefined : o.extension }));
    await page.locator('.monaco-workbench').waitFor({ timeout: o.timeout });
    await page.locator('.explorer-folders-view, .monaco-list').first().waitFor({ timeout: o.timeout });
    log('workbench loaded');

    if (o.views) {
      try {
        await captureViews(page, o);
      } catch (e) {
        await debugShot(page, o.viewsOut);
        page = undefined; // the debug picture is taken: none for the hover
        throw e;
      }
    }

    // Open every module through Quick Open.
    for (const f of files) {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(f);
      // Enter only once the filtered list has this file focused (the list lags behind typing).
      await page.locator('.quick-input-list .monaco-list-row.focused').filter({ hasText: path.basename(f) }).first().waitFor({ timeout: 15000 });
      await page.keyboard.press('Enter');
      await page.locator(`.tabs-container .tab[data-resource-name="${path.basename(f)}"]`).first().waitFor({ timeout: 15000 });
    }
    log(`opened ${files.length} module(s)`);

    // The Problems panel lists the diagnostics of every tab: go to the first error.
    await page.keyboard.press('Control+Shift+M');
    const marker = page.locator('.markers-panel .monaco-list-row .marker-icon.error, .markers-panel .monaco-list-row .codicon-error').first();
    await marker.waitFor({ timeout: o.timeout });
    await marker.click();
    await page.keyboard.press('Enter'); // reveal it in its editor (the range comes selected)
    await page.keyboard.press('ArrowLeft'); // drop the selection so the squiggle shows
    log('a diagnostic is listed; revealed it');

    // Hover the middle of the first squiggle in the active editor.
    // The editor re-renders its overlays when the cursor moves, so a located squiggle can be detached
    // by the time it is measured: measure all visible ones and retry a few times.
    const squiggles = page.locator('.editor-group-container.active .monaco-editor .view-overlays .squiggly-error').filter({ visible: true });
    // Only a squiggle well inside the editor's viewport: one scrolled half under the top edge would
    // put the mouse on the breadcrumbs instead.
    const viewport = await page.locator('.editor-group-container.active .monaco-editor .overflow-guard').first().boundingBox();
    const inside = (b) => !viewport || (b.y >= viewport.y + 12 && b.y + b.height <= viewport.y + viewport.height - 12);
    let box = null;
    for (let attempt = 0; attempt < 10 && !box; attempt++) {
      await squiggles.first().waitFor({ timeout: 15000 });
      for (const el of await squiggles.all()) {
        box = await el.boundingBox().catch(() => null);
        if (box && box.width > 0 && inside(box)) break;
        box = null;
      }
    }
    if (!box) throw new Error('no visible squiggle to hover');
    await page.mouse.move(box.x + Math.min(box.width / 2, 40), box.y + box.height / 2, { steps: 5 });
    const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-resizable-hover .monaco-hover-content').filter({ hasText: /failed|timeout/ }).first();
    await hover.waitFor({ state: 'visible', timeout: 15000 });
    // Let the hover's fade-in finish before taking the picture (a rendering delay, not a synchronisation).
    await page.waitForTimeout(400);
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    await page.screenshot({ path: o.out });
    log(`saved ${o.out}`);
    code = 0;
  } catch (e) {
    console.error(String(e.stack || e));
    if (page) await debugShot(page, o.out);
  } finally {
    if (browser) await browser.close().catch(() => {});
    await cs.stop();
    fs.rmSync(cs.tmp, { recursive: true, force: true });
    fs.rmSync(wsTmp, { recursive: true, force: true });
  }
  return code;
}

main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(1); });
