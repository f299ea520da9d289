// A child started through diesWithParent() goes when its parent is killed by SIGKILL, even
// while it spins (wasmtime running a looping Stage 0, SBCL busy in a form).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { diesWithParent } from '../../server/src/util/diesWithParent';

/** Turns a child that never goes into a failure instead of a hung run (not a timing assertion). */
const WAIT_LIMIT_MS = 30_000;

/** Dead: no /proc entry, or a zombie. */
function isGone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('diesWithParent', { timeout: 60_000 }, () => {
  it('wraps the command in setpriv --pdeathsig KILL on Linux, and leaves it alone without setpriv', () => {
    const command = { command: '/usr/bin/wasmtime', args: ['run', 'x.wasm'] };
    const wrapped = diesWithParent(command, (name) => (name === 'setpriv' ? '/usr/bin/setpriv' : undefined));
    assert.deepEqual(wrapped, process.platform === 'linux'
      ? { command: '/usr/bin/setpriv', args: ['--pdeathsig', 'KILL', '--', '/usr/bin/wasmtime', 'run', 'x.wasm'] }
      : command);
    assert.deepEqual(diesWithParent(command, () => undefined), command);
  });

  it('a spinning grandchild dies when its parent is SIGKILLed', async () => {
    // The parent starts a busy loop through diesWithParent, says its pid, and waits.
    const helper = path.join(__dirname, '..', '..', 'server', 'src', 'util', 'diesWithParent.js');
    const parentScript = `
      const { spawn } = require('node:child_process');
      const { diesWithParent } = require(${JSON.stringify(helper)});
      const c = diesWithParent({ command: process.execPath, args: ['-e', 'for (;;) {}'] });
      const child = spawn(c.command, c.args, { stdio: 'ignore' });
      child.on('spawn', () => process.stdout.write(child.pid + '\\n'));
      setInterval(() => undefined, 1e9);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
    const grandchild = Number(line.toString().trim());
    assert.ok(grandchild > 0 && !isGone(grandchild));
    const exited = once(parent, 'exit');
    parent.kill('SIGKILL');
    await exited;
    const deadline = Date.now() + WAIT_LIMIT_MS;
    while (!isGone(grandchild) && Date.now() < deadline) await delay(100);
    const gone = isGone(grandchild);
    if (!gone) process.kill(grandchild, 'SIGKILL');
    assert.ok(gone, `the grandchild ${grandchild} outlived its parent`);
  });
});
