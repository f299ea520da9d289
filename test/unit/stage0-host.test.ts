import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { buildImportObject, HostImportError, Stage0Host } from '../../server/src/backends/stage0/hostImports';
import { resolveReadable, resolveWritable } from '../../server/src/sandbox/paths';
import { WriteLimitExceeded } from '../../server/src/sandbox/writeBudget';
import { tempWorkspace } from './stage0-helpers';

describe('Stage 0 import object', () => {
  const host = new Stage0Host({ workspaceRoot: '/nonexistent', modules: ['a.lisp'] });

  it('provides exactly the declared imports', () => {
    const imports = buildImportObject([{ module: 'clysm.compile', name: 'report-form-result', kind: 'function' }], host.provided());
    assert.deepEqual(Object.keys(imports), ['clysm.compile']);
    assert.deepEqual(Object.keys(imports['clysm.compile']), ['report-form-result']);
  });

  it('names an import the host does not know', () => {
    assert.throws(
      () => buildImportObject([
        { module: 'clysm.fs', name: 'read-source', kind: 'function' },
        { module: 'clysm.fs', name: 'bogus', kind: 'function' },
      ], host.provided()),
      (error: Error) => error instanceof HostImportError && error.message === 'Stage 0 imports clysm.fs/bogus, which this host does not provide',
    );
    assert.throws(
      () => buildImportObject([{ module: 'host', name: 'log', kind: 'function' }, { module: 'env', name: 'x', kind: 'function' }], host.provided()),
      /Stage 0 imports host\/log and env\/x, which this host does not provide/,
    );
  });

  it('refuses wasm: imports the engine did not supply, and wrong kinds', () => {
    assert.throws(() => buildImportObject([{ module: 'wasm:js-string', name: 'frob', kind: 'function' }], host.provided()), /wasm:js-string\/frob, which this engine does not provide/);
    assert.throws(() => buildImportObject([{ module: 'clysm.fs', name: 'read-source', kind: 'global' }], host.provided()), /clysm.fs\/read-source as a global/);
  });

  it('collects report-form-result calls per call and coerces values', () => {
    const stage0Host = new Stage0Host({ workspaceRoot: '/nonexistent', modules: ['x.lisp', 'y.lisp'] });
    const compile = stage0Host.provided()['clysm.compile'];
    compile['report-form-result'](null, 0, 'compile-error', 'Undefined function: X');
    assert.deepEqual(stage0Host.reports, [{ formId: null, success: false, errorType: 'compile-error', message: 'Undefined function: X' }]);
    compile['report-start']('x.lisp', 3);
    assert.deepEqual(stage0Host.progress, [{ kind: 'report-start', modulePath: 'x.lisp', formCount: 3 }]);
    stage0Host.beginCall();
    assert.deepEqual(stage0Host.reports, []);
    assert.deepEqual(stage0Host.provided()['clysm.fs']['list-modules'](), ['x.lisp', 'y.lisp']);
  });
});

describe('Stage 0 file sandbox', () => {
  let root = '';
  let outside = '';
  let cleanup: () => void = () => undefined;
  let logs: string[] = [];
  let stage0Host: Stage0Host;

  beforeEach(() => {
    const temp = tempWorkspace();
    cleanup = temp.cleanup;
    root = path.join(temp.root, 'ws');
    outside = path.join(temp.root, 'secret.txt');
    fs.mkdirSync(path.join(root, 'src'), { recursive: true });
    fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src', 'a.lisp'), '(defun a () 1)');
    fs.writeFileSync(outside, 'top secret');
    fs.writeFileSync(path.join(root, 'dist', 'clysm-stage0.wasm'), 'stage0');
    logs = [];
    stage0Host = new Stage0Host(
      { workspaceRoot: root, modules: [], outputDir: path.join(root, 'dist'), protectedFiles: [path.join(root, 'dist', 'clysm-stage0.wasm')] },
      (message) => logs.push(message),
    );
  });
  afterEach(() => cleanup());

  it('read-source reads files under the workspace folder', () => {
    assert.equal(stage0Host.readSource('src/a.lisp'), '(defun a () 1)');
    assert.equal(stage0Host.readSource(path.join(root, 'src', 'a.lisp')), '(defun a () 1)');
    assert.equal(stage0Host.readSource('src/missing.lisp'), null);
  });

  it('read-source refuses path traversal and absolute paths outside', () => {
    assert.equal(stage0Host.readSource('../secret.txt'), null);
    assert.equal(stage0Host.readSource('src/../../secret.txt'), null);
    assert.equal(stage0Host.readSource(outside), null);
    assert.equal(stage0Host.readSource(null), null);
    assert.ok(logs.some((l) => /refused: \.\.\/secret\.txt is outside the workspace folder/.test(l)), logs.join('\n'));
  });

  it('read-source refuses a symbolic link that leads outside', () => {
    fs.symlinkSync(outside, path.join(root, 'src', 'link.lisp'));
    assert.equal(stage0Host.readSource('src/link.lisp'), null);
    assert.ok(logs.some((l) => /symbolic link/.test(l)));
    fs.symlinkSync(path.dirname(outside), path.join(root, 'escape'));
    assert.equal(stage0Host.readSource('escape/secret.txt'), null);
  });

  it('write-bytes writes byte strings into the output folder only', () => {
    assert.equal(stage0Host.writeBytes('\0asm\x01\0\0\0', 'stage1/clysm-stage1.wasm'), 8);
    assert.deepEqual([...fs.readFileSync(path.join(root, 'dist', 'stage1', 'clysm-stage1.wasm'))], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    assert.equal(stage0Host.writeBytes(Uint8Array.of(1, 2), 'raw.bin'), 2);
    assert.equal(stage0Host.writeBytes('x', '../src/a.lisp'), -1);
    assert.equal(stage0Host.writeBytes('x', outside), -1);
    assert.equal(stage0Host.writeBytes('\u0100', 'wide.bin'), -1);
    assert.equal(fs.readFileSync(path.join(root, 'src', 'a.lisp'), 'utf8'), '(defun a () 1)');
  });

  it('write-bytes never overwrites Stage 0 and does not follow links out', () => {
    assert.equal(stage0Host.writeBytes('x', 'clysm-stage0.wasm'), -1);
    assert.equal(fs.readFileSync(path.join(root, 'dist', 'clysm-stage0.wasm'), 'utf8'), 'stage0');
    fs.symlinkSync(path.dirname(outside), path.join(root, 'dist', 'out'));
    assert.equal(stage0Host.writeBytes('x', 'out/secret.txt'), -1);
    assert.equal(fs.readFileSync(outside, 'utf8'), 'top secret');
  });

  it('write-bytes is refused without an output folder', () => {
    const noOutput = new Stage0Host({ workspaceRoot: root, modules: [] }, (m) => logs.push(m));
    assert.equal(noOutput.writeBytes('x', 'a.bin'), -1);
    assert.ok(logs.some((l) => /no output folder/.test(l)));
  });

  // Issue 10 item 2: dist/ a symbolic link to a folder outside the workspace (say ~/.ssh).
  it('write-bytes refuses an output folder whose real path is outside the workspace', () => {
    const sshDir = path.join(path.dirname(root), 'dot-ssh');
    fs.mkdirSync(sshDir);
    fs.rmSync(path.join(root, 'dist'), { recursive: true });
    fs.symlinkSync(sshDir, path.join(root, 'dist'));
    assert.equal(stage0Host.writeBytes('ssh-ed25519 AAAA attacker', 'authorized_keys'), -1);
    assert.deepEqual(fs.readdirSync(sshDir), []);
    assert.ok(logs.some((l) => l.includes(`the output folder ${path.join(root, 'dist')} (it leads to ${sshDir}) is outside the workspace folder`)), logs.join('\n'));
  });

  it('write-bytes does not follow a file name that is a symbolic link out, even a dangling one', () => {
    const target = path.join(path.dirname(root), 'authorized_keys');
    fs.symlinkSync(target, path.join(root, 'dist', 'keys'));
    assert.equal(stage0Host.writeBytes('x', 'keys'), -1);
    assert.equal(fs.existsSync(target), false);
    const refused = resolveWritable(path.join(root, 'dist'), 'keys');
    assert.ok(!refused.ok && refused.reason.includes(`symbolic link to ${target}`), JSON.stringify(refused));
    // A dangling link as a folder of the name: dist/ssh -> <outside>/.ssh (not there yet).
    fs.symlinkSync(path.join(path.dirname(root), '.ssh'), path.join(root, 'dist', 'ssh'));
    assert.equal(stage0Host.writeBytes('x', 'ssh/authorized_keys'), -1);
    assert.equal(fs.existsSync(path.join(path.dirname(root), '.ssh')), false);
    const viaFolder = resolveWritable(path.join(root, 'dist'), 'ssh/authorized_keys');
    assert.ok(!viaFolder.ok && viaFolder.reason.includes(`symbolic link to ${path.join(path.dirname(root), '.ssh', 'authorized_keys')}`), JSON.stringify(viaFolder));
  });

  // Issue 10 item 3: one call wrote 256 MiB, and the file count had no limit.
  it('write-bytes caps the bytes and the files of one compile_form call; the call fails', () => {
    const capped = new Stage0Host(
      { workspaceRoot: root, modules: [], outputDir: path.join(root, 'dist'), writeLimits: { maxBytes: 10, maxFiles: 2 } },
      (m) => logs.push(m),
    );
    assert.equal(capped.writeBytes('123456', 'a.bin'), 6);
    assert.equal(capped.writeBytes('1234', 'a.bin'), 4);
    assert.throws(() => capped.writeBytes('1', 'b.bin'), (e: Error) => e instanceof WriteLimitExceeded && /would bring this run's output to 11 bytes, over the limit of 10 bytes \(clysm\.stage1\.maxOutputMb\)/.test(e.message));
    assert.match(capped.writeLimitProblem ?? '', /over the limit/);
    assert.equal(fs.existsSync(path.join(root, 'dist', 'b.bin')), false);
    // Once over, every later write of the call is refused too; the next call starts afresh.
    assert.throws(() => capped.writeBytes('', 'c.bin'), WriteLimitExceeded);
    capped.beginCall();
    assert.equal(capped.writeLimitProblem, undefined);
    assert.equal(capped.writeBytes('1', 'b.bin'), 1);
    assert.equal(capped.writeBytes('1', 'c.bin'), 1);
    assert.throws(() => capped.writeBytes('1', 'd.bin'), /already wrote 2 files, the limit \(clysm\.stage1\.maxOutputFiles\)/);
    assert.equal(fs.existsSync(path.join(root, 'dist', 'd.bin')), false);
  });

  it('resolvers explain their refusals', () => {
    const read = resolveReadable(root, '../../etc/passwd');
    assert.ok(!read.ok && /outside the workspace folder/.test(read.reason));
    const write = resolveWritable(path.join(root, 'dist'), '.');
    assert.ok(!write.ok && /outside the output folder/.test(write.reason));
    const nul = resolveReadable(root, 'a\0b');
    assert.ok(!nul.ok && /NUL/.test(nul.reason));
  });
});
