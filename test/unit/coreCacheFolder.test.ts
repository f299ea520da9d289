// CoreCache when its folder cannot be made: saving a core only saves time, so it logs why and
// builds nothing, and the backend's start goes on (it used to throw from mkdir).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CoreCache } from '../../server/src/backends/sbcl/coreCache';

describe('CoreCache with an unusable folder', () => {
  it('logs one line, starts no builder and reports no build', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-core-folder-'));
    try {
      const blocker = path.join(root, 'file');
      fs.writeFileSync(blocker, 'in the way\n');
      const source = path.join(root, 'a.lisp');
      fs.writeFileSync(source, '(defun a () 1)\n');
      const lines: string[] = [];
      const cache = new CoreCache(path.join(blocker, 'cores'), (line) => lines.push(line));
      let specs = 0;
      cache.ensure({ workspaceRoot: root, files: [source], sbcl: process.execPath }, () => {
        specs++;
        throw new Error('no builder may be started');
      });
      assert.equal(specs, 0);
      assert.equal(cache.lastBuild(), undefined);
      assert.equal(lines.length, 1);
      assert.match(lines[0], /no core can be saved in .*cores: ENOTDIR/);
      assert.equal(fs.readFileSync(blocker, 'utf8'), 'in the way\n');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
