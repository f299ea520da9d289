// The pure and small pieces of Stage 1: the report view's HTML, Clysm-JSON repair, validator
// offsets, output paths and the atomic commit, joining generator results with the reader,
// and the wasm-tools stand-in script.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { escapeHtml, renderReportHtml } from '../../client/src/stage1/reportHtml';
import { diffWasmBytes } from '../../server/src/wasm/diffFiles';
import { parseLenientJson } from '../../server/src/backends/sbcl/lenientJson';
import { writeWasmToolsShim } from '../../server/src/backends/sbcl/wasmToolsShim';
import { commitStage1, defaultOutputSettings, OutputRefused, outputPaths, planOutputs, sha256, type OutputSettings } from '../../server/src/stage1/outputFiles';
import { isOurTempFile, tempNameFor } from '../../server/src/util/atomicWrite';
import { joinGeneratedForms, NOT_PROCESSED_MESSAGE } from '../../server/src/stage1/stage1Forms';
import { v8Offset, validateInV8, wasmToolsOffset } from '../../server/src/wasm/validate';
import { buildClysmLike, buildStartBeforeCompileForm } from '../support/wasm';

describe('report view HTML', () => {
  const a = buildClysmLike();
  const b = buildClysmLike({ omitExport: 'compile_all', extraType: true });
  const diff = diffWasmBytes(a.bytes, b.bytes, { a: 'Stage 0', b: 'Stage <1>' }, { a: '/x/a.wasm', b: '/x/b.wasm' });
  const html = renderReportHtml({ title: 'T & <b>', diff }, 'vscode-webview://abc', 'NONCE123');

  it('has a strict CSP: nothing but its own nonce\'d style and script', () => {
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src vscode-webview:\/\/abc 'nonce-NONCE123'; script-src 'nonce-NONCE123';/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="NONCE123">/);
    assert.doesNotMatch(html, /on(click|load)=/);
  });

  it('escapes every value from the outcome', () => {
    assert.match(html, /<h1>T &amp; &lt;b&gt;<\/h1>/);
    assert.match(html, /Stage &lt;1&gt;/);
    assert.doesNotMatch(html, /Stage <1>/);
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('highlights the missing export and the new type, and uses the theme\'s colours', () => {
    assert.match(html, /<tr class="missing"><td>missing in Stage &lt;1&gt;<\/td><td><code>compile_all<\/code><\/td>/);
    assert.match(html, /<li class="added"><code>\(struct \(field \(mut i31ref\)\)\)<\/code><\/li>/);
    assert.match(html, /var\(--vscode-errorForeground\)/);
    assert.match(html, /data-command="openTextDiff"/);
  });

  it('says how function pairs were made and lists added functions by name', () => {
    const { stage0, stage1 } = buildStartBeforeCompileForm();
    const page = renderReportHtml({ title: 'T', diff: diffWasmBytes(stage0.bytes, stage1.bytes, { a: 'Stage 0', b: 'Stage 1' }, { a: '/a.wasm', b: '/b.wasm' }) }, 'vscode-webview://abc', 'N');
    assert.match(page, /<p>1 paired \(1 by export name, 0 by name section, 0 by index\); 1 changed, 1 added, 0 removed<\/p>/);
    assert.match(page, /<p class="added">Added \(1\): <code>_start<\/code><\/p>/);
    assert.match(page, /<tr class=""><td><code>compile_form<\/code><\/td><td>by export name<\/td>/);
    assert.match(page, /<tr class="added"><td><code>_start<\/code><\/td><td>new in Stage 1<\/td>/);
  });
});

describe('Clysm JSON repair', () => {
  it('escapes raw newlines inside strings only', () => {
    const text = '{\n  "message": "Compile-time directive error in X:\n  Package error",\n  "n": 1\n}';
    assert.throws(() => JSON.parse(text));
    assert.deepEqual(parseLenientJson(text), { message: 'Compile-time directive error in X:\n  Package error', n: 1 });
    assert.equal(parseLenientJson('[1]'), undefined);
    assert.equal(parseLenientJson('{'), undefined);
  });
});

describe('validator offsets', () => {
  it('parses V8\'s @+N and wasm-tools\' (at offset 0x…)', () => {
    assert.equal(v8Offset('WebAssembly.Module(): section was shorter than expected size (11 bytes expected, 10 decoded) @+20'), 20);
    assert.equal(wasmToolsOffset('error: func 2 failed to validate\n\nCaused by:\n    0: type mismatch (at offset 0x1a)'), 26);
    assert.equal(v8Offset('no offset'), undefined);
  });

  it('V8 rejects Clysm\'s own malformed stub header with the offset', () => {
    // build/stage0's create-stage1-stub-module declares an 11-byte type section holding 10 bytes.
    const stub = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x01, 0x0b, 0x02, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x6e, 0x01, 0x6e]);
    const verdict = validateInV8(stub);
    assert.equal(verdict.valid, false);
    assert.equal(typeof verdict.offset, 'number');
  });
});

describe('output files', () => {
  it('derives every path from the settings', () => {
    const p = outputPaths('/ws', { outputDir: 'dist', outputName: 'clysm-stage1.wasm', reportName: 'stage1-report.json' });
    assert.deepEqual(p, {
      dir: '/ws/dist',
      stage1: '/ws/dist/clysm-stage1.wasm',
      previous: '/ws/dist/clysm-stage1.prev.wasm',
      report: '/ws/dist/stage1-report.json',
      stage2: '/ws/dist/clysm-stage2.wasm',
      artifacts: { 'defun-errors.json': '/ws/dist/defun-errors.json' },
    });
    assert.equal(outputPaths('/ws', { outputDir: '/abs/out', outputName: 'x.wasm', reportName: 'r.json' }).stage2, '/abs/out/x.stage2.wasm');
    assert.ok(isOurTempFile(path.basename(tempNameFor('/ws/dist/clysm-stage1.wasm'))));
  });

  it('commits only bytes whose sha256 is the one recorded at write time', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-commit-'));
    try {
      const paths = outputPaths(dir, { outputDir: 'dist', outputName: 'clysm-stage1.wasm', reportName: 'r.json' });
      const bytes = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
      assert.throws(() => commitStage1(bytes, sha256(Uint8Array.from([1])), paths), OutputRefused);
      assert.equal(fs.existsSync(paths.stage1), false);
      const committed = commitStage1(bytes, sha256(bytes), paths);
      assert.deepEqual([committed.size, committed.previous], [8, undefined]);
      const again = commitStage1(bytes, sha256(bytes), paths);
      assert.equal(again.previous, paths.previous);
      assert.deepEqual(fs.readdirSync(paths.dir).sort(), ['clysm-stage1.prev.wasm', 'clysm-stage1.wasm']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Issue 10 items 1 and 2: every name generation writes resolves inside the output folder,
// never to Stage 0, a module or another output, and the folder stays inside the workspace.
describe('planOutputs: the one check of where generation writes', () => {
  const modules = ['src/compiler/ast.lisp', 'src/reader/tokenizer.lisp'];
  let top = '';
  let ws = '';
  let outside = '';
  const plan = (settings: Partial<OutputSettings>, allowOutsideWorkspace = false) =>
    planOutputs({ output: { ...defaultOutputSettings, ...settings }, workspaceRoot: ws, stage0Path: 'dist/clysm-stage0.wasm', modules, allowOutputOutsideWorkspace: allowOutsideWorkspace });
  const refused = (settings: Partial<OutputSettings>, pattern: RegExp) => assert.throws(() => plan(settings), (e: Error) => e instanceof OutputRefused && pattern.test(e.message), JSON.stringify(settings));

  beforeEach(() => {
    top = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-plan-')));
    ws = path.join(top, 'ws');
    outside = path.join(top, 'outside');
    fs.mkdirSync(path.join(ws, 'dist'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'src', 'compiler'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(ws, 'dist', 'clysm-stage0.wasm'), 'stage0');
    fs.writeFileSync(path.join(ws, 'src', 'compiler', 'ast.lisp'), '(defun a () 1)');
  });
  afterEach(() => fs.rmSync(top, { recursive: true, force: true }));

  it('accepts the defaults and returns the paths to write', () => {
    assert.equal(plan({}).report, path.join(ws, 'dist', 'stage1-report.json'));
  });

  it('refuses a report or Stage 1 name that is Stage 0, naming the setting and the path', () => {
    refused({ reportName: 'clysm-stage0.wasm' }, new RegExp(`^clysm\\.stage1\\.reportName: ${path.join(ws, 'dist', 'clysm-stage0.wasm')} is Stage 0, which is never overwritten`));
    refused({ outputName: 'clysm-stage0.wasm' }, /^clysm\.stage1\.outputName: .* is Stage 0/);
  });

  it('refuses a name with a folder in it, such as ../src/compiler/ast.lisp', () => {
    refused({ reportName: '../src/compiler/ast.lisp' }, /^clysm\.stage1\.reportName "\.\.\/src\/compiler\/ast\.lisp" must be a plain file name/);
    refused({ outputName: '..' }, /outputName "\.\." must be a plain file name/);
    refused({ reportName: '' }, /reportName "" is empty/);
    // A huge value is clipped in the message.
    assert.throws(() => plan({ reportName: `${'x/'.repeat(50_000)}r.json` }), (e: Error) => e.message.length < 300 && /\(100008 characters\) must be a plain file name/.test(e.message));
  });

  it('refuses an output that is a module of the module list', () => {
    refused({ outputDir: 'src/compiler', reportName: 'ast.lisp' }, /^clysm\.stage1\.reportName: .*ast\.lisp is the module src\/compiler\/ast\.lisp, which is never overwritten/);
  });

  it('refuses two outputs that are one file (report = Stage 1, report = the .prev copy, Stage 1 = defun-errors.json)', () => {
    refused({ reportName: 'clysm-stage1.wasm' }, /^clysm\.stage1\.reportName: .* is the same file as clysm\.stage1\.outputName/);
    refused({ reportName: 'clysm-stage1.prev.wasm' }, /is the same file as the previous-Stage 1 copy/);
    refused({ outputName: 'defun-errors.json' }, /the generator's defun-errors\.json: .* is the same file as clysm\.stage1\.outputName/);
  });

  it('refuses an output name that is a symbolic link out of the output folder', () => {
    fs.symlinkSync(path.join(outside, 'authorized_keys'), path.join(ws, 'dist', 'stage1-report.json'));
    refused({}, new RegExp(`^clysm\\.stage1\\.reportName: .* is a symbolic link to ${path.join(outside, 'authorized_keys')}, outside the output folder`));
    fs.rmSync(path.join(ws, 'dist', 'stage1-report.json'));
    fs.symlinkSync(path.join(ws, 'src', 'compiler', 'ast.lisp'), path.join(ws, 'dist', 'clysm-stage1.prev.wasm'));
    refused({}, /symbolic link to .*ast\.lisp, outside the output folder/);
  });

  it('refuses an output folder whose real path is outside the workspace unless the user allowed it', () => {
    fs.symlinkSync(outside, path.join(ws, 'linked'));
    refused({ outputDir: 'linked' }, new RegExp(`^clysm\\.stage1\\.outputDir "linked": the output folder ${path.join(ws, 'linked')} \\(it leads to ${outside}\\) is outside the workspace folder`));
    refused({ outputDir: outside }, /allowOutputOutsideWorkspace/);
    assert.equal(plan({ outputDir: 'linked' }, true).dir, path.join(ws, 'linked'));
  });

  it('names the CLI flags when given them', () => {
    assert.throws(
      () => planOutputs({ output: { ...defaultOutputSettings, reportName: 'clysm-stage0.wasm' }, workspaceRoot: ws, stage0Path: 'dist/clysm-stage0.wasm', modules, outputNames: { reportName: '--report-name' } }),
      (e: Error) => /^--report-name: .* is Stage 0/.test(e.message),
    );
  });
});

describe('joining generator results with the reader', () => {
  it('gives positions to reported forms and marks unreported ones as not processed', () => {
    const text = '(in-package :x)\n\n(defun f () 1)\n(defun g () (h))\n';
    const joined = joinGeneratedForms([{ index: 1, path: 'a.lisp', text }, { index: 2, path: 'missing.lisp' }], [
      { id: '1:0', status: 'skipped' },
      { id: '1:1', status: 'compiled' },
      { id: '9:9', status: 'compiled' },
    ]);
    assert.deepEqual(joined.forms.map((f) => [f.id, f.result.status, f.form.range.start.line]), [['1:0', 'skipped', 0], ['1:1', 'compiled', 2], ['1:2', 'no-output', 3]]);
    assert.equal(joined.forms[2].result.message, NOT_PROCESSED_MESSAGE);
    assert.equal(joined.notProcessed, 1);
    assert.match(joined.warnings[0], /1 form id\(s\) the editor's reader does not find \(9:9\)/);
  });
});

describe('wasm-tools stand-in', () => {
  it('implements `validate FILE` with V8: exit 0 valid, 1 invalid with the message, 2 usage', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-shim-'));
    try {
      writeWasmToolsShim(dir);
      const launcher = path.join(dir, 'wasm-tools');
      fs.writeFileSync(path.join(dir, 'ok.wasm'), Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
      fs.writeFileSync(path.join(dir, 'bad.wasm'), Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x01, 0x05, 0x01]));
      assert.equal(spawnSync(launcher, ['validate', path.join(dir, 'ok.wasm')]).status, 0);
      const bad = spawnSync(launcher, ['validate', path.join(dir, 'bad.wasm')], { encoding: 'utf8' });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^error: WebAssembly\.Module\(\): .*@\+\d+/);
      assert.equal(spawnSync(launcher, ['print', path.join(dir, 'ok.wasm')]).status, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
