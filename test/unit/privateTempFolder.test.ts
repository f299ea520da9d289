// Issue 10 item 4: private folders left in the temp folder by a killed run are removed the
// next time one is made; a live process's folder, and anything not ours, is left alone.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { makePrivateFolder, removeStalePrivateFolders } from '../../server/src/util/privateTempFolder';

describe('private temp folders', () => {
  let temp = '';
  beforeEach(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-private-test-'));
  });
  afterEach(() => fs.rmSync(temp, { recursive: true, force: true }));

  it('removes the folders of processes that are gone, of every kind, and nothing else', () => {
    const make = (name: string): string => {
      fs.mkdirSync(path.join(temp, name, 'inside'), { recursive: true });
      return name;
    };
    const gone = ['clysm-stage1-111-abcdef', 'clysm-stage2-111-ABC123', 'clysm-wasi-output-111-x1y2z3', 'clysm-validate-111-qwerty'].map(make);
    const live = make('clysm-stage1-222-abcdef');
    const mine = make(`clysm-stage2-${process.pid}-abcdef`);
    const notOurs = [make('clysm-stage1-abcdef'), make('clysm-stage1-111-abcdef-extra'), make('other-111-abcdef')];
    // A symbolic link with our name is not a folder we made: neither it nor its target goes.
    const target = make('target');
    fs.symlinkSync(path.join(temp, target), path.join(temp, 'clysm-stage1-111-linked'));
    const removed = removeStalePrivateFolders(temp, (pid) => pid === 222);
    assert.deepEqual(removed.map((f) => path.basename(f)).sort(), [...gone].sort());
    assert.deepEqual(fs.readdirSync(temp).sort(), [live, mine, ...notOurs, target, 'clysm-stage1-111-linked'].sort());
    assert.ok(fs.existsSync(path.join(temp, target, 'inside')));
  });

  it('makes a folder named after this process, after removing stale ones', () => {
    fs.mkdirSync(path.join(temp, 'clysm-validate-999999999-abcdef'));
    const made = makePrivateFolder(temp, 'validate');
    assert.match(path.basename(made), new RegExp(`^clysm-validate-${process.pid}-[A-Za-z0-9]{6}$`));
    // pid 999999999 is above Linux's pid_max, so no process has it.
    assert.deepEqual(fs.readdirSync(temp), [path.basename(made)]);
  });
});
