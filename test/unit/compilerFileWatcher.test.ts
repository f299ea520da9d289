// The compiler file watcher (clysm-check --watch and the server's files outside the folder):
// one report per burst of saves, naming only the files whose content changed.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { watchCompilerFiles } from '../../server/src/workspace/compilerFileWatcher';

describe('watchCompilerFiles', () => {
  it('reports the changed file of a burst, not the one rewritten with the same text nor an unwatched one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-watcher-'));
    try {
      const [same, changed, other] = ['same.lisp', 'changed.lisp', 'other.lisp'].map((name) => path.join(dir, name));
      fs.writeFileSync(same, '(defun a ())');
      fs.writeFileSync(changed, '(defun b ())');
      const reports: string[][] = [];
      const reported = new Promise<void>((resolve) => {
        const watcher = watchCompilerFiles([same, changed], (files) => {
          reports.push(files);
          watcher.close();
          resolve();
        });
        fs.writeFileSync(same, '(defun a ())');
        fs.writeFileSync(other, '(defun c ())');
        fs.writeFileSync(changed, '(defun b (x) x)');
      });
      await reported;
      assert.deepEqual(reports, [[changed]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
