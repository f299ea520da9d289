import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { decodeSource, DiskFiles, OverlayFiles } from '../../server/src/workspace/workspaceFiles';
import { formCacheKey, ResultCache } from '../../server/src/workspace/resultCache';

describe('source decoding', () => {
  it('decodes UTF-8 and drops a byte-order mark', () => {
    const decoded = decodeSource(Buffer.from('\ufeff(defun λ () "é")', 'utf8'));
    assert.equal(decoded.text, '(defun λ () "é")');
    assert.equal(decoded.warning, undefined);
  });

  it('reports a non-UTF-8 file instead of silently mangling it', () => {
    const decoded = decodeSource(Buffer.from([0x28, 0x61, 0x20, 0xe9, 0x29])); // "(a é)" in Latin-1
    assert.match(decoded.warning ?? '', /not valid UTF-8/);
    assert.equal(decoded.text, '(a \ufffd)');
  });
});

describe('workspace files', () => {
  it('lists .lisp files in path order, skipping dot, dist and node_modules folders', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-files-'));
    try {
      for (const rel of ['src/b.lisp', 'src/a/z.lisp', 'a.lisp', 'dist/x.lisp', 'node_modules/y.lisp', '.git/w.lisp', 'src/readme.md']) {
        fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        fs.writeFileSync(path.join(root, rel), '(x)');
      }
      const files = new DiskFiles(root);
      assert.deepEqual(files.listLispFiles(), ['a.lisp', 'src/a/z.lisp', 'src/b.lisp']);
      assert.equal(files.read('src/b.lisp')?.text, '(x)');
      assert.equal(files.read('missing.lisp'), undefined);
      const overlay = new OverlayFiles(files);
      overlay.setOpen('src/b.lisp', '(unsaved)');
      assert.equal(overlay.read('src/b.lisp')?.text, '(unsaved)');
      overlay.setOpen('src/b.lisp', undefined);
      assert.equal(overlay.read('src/b.lisp')?.text, '(x)');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('result cache', () => {
  it('keys on backend identity, package and text, and drops compiled bytes', () => {
    const a = formCacheKey('stage0:v8:abc', 'CL-USER', '(f)');
    assert.notEqual(a, formCacheKey('stage0:v8:abd', 'CL-USER', '(f)'));
    assert.notEqual(a, formCacheKey('stage0:v8:abc', 'CLYSM', '(f)'));
    assert.notEqual(a, formCacheKey('stage0:v8:abc', 'CL-USER', '(g)'));
    // The separator keeps (identity, package) pairs from colliding.
    assert.notEqual(formCacheKey('ab', 'c', 'x'), formCacheKey('a', 'bc', 'x'));
    const cache = new ResultCache();
    cache.set(a, { status: 'compiled', bytes: 3, wasm: new Uint8Array([1, 2, 3]) });
    assert.deepEqual(cache.get(a, 5000), { status: 'compiled', bytes: 3 });
    assert.equal(cache.get('nope', 5000), undefined);
    assert.equal(cache.hits, 1);
    assert.equal(cache.misses, 1);
  });
});
