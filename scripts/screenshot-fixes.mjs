#!/usr/bin/env node
// Takes the Fixes screenshot (docs/screenshot-fixes.png): starts code-server like the test runner,
// with the extension loaded from its development folder, opens a copy of a Clysm checkout, waits
// for the whole-workspace analysis and shows the Blockers view in its Fixes mode with the
// mouse on the second root cause, whose Go to Compiler Source action shows.
//   node scripts/screenshot-fixes.mjs CHECKOUT [--out FILE] [--timeout MS]
// Needs scripts/setup-vscode-test.sh and a build (node esbuild.mjs). The checkout is copied to a
// temp folder first: the extension may write into its workspace, and the checkout stays untouched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { withWorkbench } = require('./run-vscode-tests.js');

const t0 = Date.now();
const log = (...a) => console.log(`[screenshot-fixes ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

function parseArgs(argv) {
  const o = { checkout: undefined, out: path.join(REPO, 'docs/screenshot-fixes.png'), timeout: 240000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = path.resolve(argv[++i]);
    else if (a === '--timeout') o.timeout = Number(argv[++i]);
    else o.checkout = path.resolve(a);
  }
  if (!o.checkout || !fs.existsSync(path.join(o.checkout, 'clysm.asd'))) {
    console.error('usage: screenshot-fixes.mjs CHECKOUT [--out FILE] [--timeout MS]  (CHECKOUT: a folder with clysm.asd)');
    process.exit(2);
  }
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const wsTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-fixes-ws-'));
  const ws = path.join(wsTmp, 'clysm');
  // Sources only: the checkout's tests and baselines are not modules.
  fs.cpSync(o.checkout, ws, { recursive: true, filter: (src) => !/[/\\](\.git|ansi-test|node_modules)$/.test(src) });
  let code = 1;
  try {
    await withWorkbench(
      {
        folder: ws,
        extensionDevelopmentPath: REPO,
        settings: {
          'clysm.backend': 'sbcl',
          'editor.minimap.enabled': false,
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
          'workbench.colorTheme': 'Default Dark Modern',
        },
        viewport: { width: 1500, height: 900 },
        timeout: o.timeout,
        debugShot: o.out.replace(/\.png$/, '-debug.png'),
      },
      async (page) => {
        log('workbench loaded');
        await page.locator('.activitybar .action-item a[aria-label^="Clysm"], .activitybar .action-item[aria-label^="Clysm"]').first().click({ timeout: o.timeout });
        const sidebar = await page.locator('.part.sidebar').boundingBox();
        if (sidebar) {
          // Widen the side bar so the root-cause messages fit.
          const x = sidebar.x + sidebar.width;
          const y = sidebar.y + sidebar.height / 2;
          await page.mouse.move(x, y);
          await page.mouse.down();
          await page.mouse.move(x + 560, y, { steps: 8 });
          await page.mouse.up();
        }
        const blockers = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: /^\s*Blockers/ }) });
        // Idle coverage: the pulse icon replaces the spinner once the analysis is done.
        const status = page.locator('.statusbar-item').filter({ hasText: /Clysm \d+(\.\d)?% · \d+\/\d+/ }).filter({ has: page.locator('.codicon-pulse') });
        await status.first().waitFor({ timeout: o.timeout });
        log(`status bar: ${(await status.first().innerText()).trim()}`);
        // The Modules pane folded: the Fixes list gets the whole side bar.
        await page.locator('.pane-header', { hasText: /^\s*Modules/ }).first().click();
        const rows = blockers.locator('.monaco-list-row[aria-level="1"]').filter({ hasText: /forms? · / });
        await rows.nth(2).waitFor({ timeout: o.timeout });
        // The mouse on the second cause (it has a compiler function).
        const box = await rows.nth(1).boundingBox();
        if (box) await page.mouse.move(box.x + 80, box.y + box.height / 2, { steps: 5 });
        // Its inline Go to Compiler Source action shows under the mouse.
        await rows.nth(1).locator('.actions .action-label').first().waitFor({ state: 'visible', timeout: 15000 });
        await page.waitForTimeout(400); // let the row finish painting (a rendering delay, not a synchronisation)
        fs.mkdirSync(path.dirname(o.out), { recursive: true });
        await page.screenshot({ path: o.out });
        log(`saved ${o.out}`);
      },
    );
    code = 0;
  } catch (e) {
    console.error(String(e.stack || e));
  } finally {
    fs.rmSync(wsTmp, { recursive: true, force: true });
  }
  return code;
}

main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(1); });
