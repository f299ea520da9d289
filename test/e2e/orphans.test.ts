// Every child dies with its parent: the language server and the CLI are killed with SIGKILL
// (which they cannot trap) while their Stage 0 worker is stuck in a Wasm loop, and the worker
// must go too. Waiting for that is the one bounded retry in these tests, as a last resort: no
// event reaches us when a grandchild dies (Node marks every inherited descriptor close-on-exec
// at start-up, so no pipe of ours can reach the worker, and it is not our child to wait for).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { buildReadThenLoopStage0 } from '../fixtures/stage0/variants';
import { distDir } from '../support/repo';

/** Turns a worker that never goes into a failure instead of a hung run (not a timing assertion). */
const WAIT_LIMIT_MS = 30_000;
const RECHECK_MS = 100;

interface Workspace {
  root: string;
  stage0: string;
  fifo: string;
}

/** A workspace with one module, a Stage 0 whose _initialize reads `block.fifo` and then loops, and that FIFO. */
function loopingWorkspace(): Workspace {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-orphans-')));
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'src', 'a.lisp'), '(defun a () 1)\n');
  const stage0 = path.join(root, 'stage0-read-then-loop.wasm');
  fs.writeFileSync(stage0, buildReadThenLoopStage0('block.fifo'));
  const fifo = path.join(root, 'block.fifo');
  const made = spawnSync('mkfifo', [fifo]);
  assert.equal(made.status, 0, `mkfifo failed: ${made.stderr?.toString()}`);
  return { root, stage0, fifo };
}

function spawnParent(args: string[]): ChildProcess {
  return spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
}

/** Every process below `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** Dead: no /proc entry, or a zombie (killed; nobody has reaped it yet). */
function isGone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** True once every pid is gone; false when some still runs at the limit. */
async function allGoneWithin(pids: number[], limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!pids.every(isGone)) {
    if (Date.now() > deadline) return false;
    await delay(RECHECK_MS);
  }
  return true;
}

/**
 * Waits until a Stage 0 worker has opened the FIFO for reading (so it runs), lets its read end,
 * so _initialize enters its endless loop, then SIGKILLs `parent` and resolves true once all its
 * descendants are gone (false when one still runs at the limit).
 */
async function killParentAndWaitForAll(parent: ChildProcess, ws: Workspace, leftovers: number[]): Promise<boolean> {
  const opening = fs.promises.open(ws.fifo, 'w');
  const noReader = setTimeout(() => {
    // No worker opened the FIFO: open its read end here, so the pending open returns and the test fails instead of hanging.
    fs.closeSync(fs.openSync(ws.fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
  }, WAIT_LIMIT_MS);
  const writer = await opening;
  clearTimeout(noReader);
  await writer.close();
  const below = descendants(parent.pid!);
  assert.ok(below.length > 0, 'no Stage 0 worker opened the FIFO');
  leftovers.push(...below);
  const exited = once(parent, 'exit');
  parent.kill('SIGKILL');
  await exited;
  return allGoneWithin(below, WAIT_LIMIT_MS);
}

describe('children die with a parent killed by SIGKILL while Stage 0 loops', { timeout: 120_000 }, () => {
  const workspaces: Workspace[] = [];
  const leftovers: number[] = [];
  after(() => {
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone: the expected case
      }
    }
    for (const ws of workspaces) fs.rmSync(ws.root, { recursive: true, force: true });
  });

  it('the language server: its Stage 0 worker goes too', async () => {
    const ws = loopingWorkspace();
    workspaces.push(ws);
    const server = spawnParent([path.join(distDir, 'server.js'), '--stdio']);
    const connection = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    connection.onNotification(() => undefined);
    connection.onRequest(() => null);
    connection.onError(() => undefined);
    connection.listen();
    const uri = pathToFileURL(ws.root).href;
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'ws' }],
      capabilities: {},
      initializationOptions: { backend: 'stage0', stage0Path: ws.stage0, stage0TimeoutMs: 600_000 },
    });
    await connection.sendNotification('initialized', {});
    const allGone = await killParentAndWaitForAll(server, ws, leftovers);
    connection.dispose();
    assert.ok(allGone, `a descendant of the killed server still runs (pids ${leftovers.join(', ')})`);
  });

  it('clysm-check: its Stage 0 worker goes too', async () => {
    const ws = loopingWorkspace();
    workspaces.push(ws);
    const cli = spawnParent([path.join(distDir, 'cli.js'), ws.root, '--backend', 'stage0', '--stage0', ws.stage0, '--timeout-ms', '600000']);
    const allGone = await killParentAndWaitForAll(cli, ws, leftovers);
    assert.ok(allGone, `a descendant of the killed CLI still runs (pids ${leftovers.join(', ')})`);
  });

  it('clysm-check stage1: its compile_all worker goes too', async () => {
    const ws = loopingWorkspace();
    workspaces.push(ws);
    const out = path.join(ws.root, 'out');
    const cli = spawnParent([path.join(distDir, 'cli.js'), 'stage1', ws.root, '--backend', 'stage0', '--stage0', ws.stage0, '--out', out, '--timeout-ms', '600000']);
    const allGone = await killParentAndWaitForAll(cli, ws, leftovers);
    assert.ok(allGone, `a descendant of the killed CLI still runs (pids ${leftovers.join(', ')})`);
  });
});
