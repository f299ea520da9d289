// The layers of the language server (issue 9): backends/ implement compiling and generating
// and never reach into stage1/, the orchestration above them, which reaches the backends only
// through their interface and factory; wasm/ is about Wasm itself and depends on neither.
// Checked on the import statements of the sources.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/repo';

const serverSrc = path.join(repoRoot, 'server', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative module a file imports, as a path relative to server/src (`stage1/fixedPoint`). */
function importedModules(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.map((s) => path.relative(serverSrc, path.resolve(path.dirname(file), s)).split(path.sep).join('/'));
}

/** `file -> module` for each import of a file under `folder` that lands in one of `forbidden`. */
function violations(folder: string, forbidden: string[]): string[] {
  return sourceFiles(path.join(serverSrc, folder)).flatMap((file) =>
    importedModules(file)
      .filter((module) => forbidden.some((f) => module === f || module.startsWith(`${f}/`)))
      .map((module) => `${path.relative(serverSrc, file)} -> ${module}`),
  );
}

describe('layering of server/src', () => {
  it('finds the imports it checks (a file known to import backends/)', () => {
    assert.ok(importedModules(path.join(serverSrc, 'stage1', 'generateStage1.ts')).includes('backends/generation'));
  });

  it('no file under backends/ imports stage1/', () => {
    assert.deepEqual(violations('backends', ['stage1']), []);
  });

  it('stage1/ imports from backends/ only the generation interface and the backend factory', () => {
    const allowed = new Set(['backends/generation', 'backends/createBackend']);
    const internals = violations('stage1', ['backends']).filter((v) => !allowed.has(v.split(' -> ')[1]));
    assert.deepEqual(internals, []);
  });

  it('wasm/ imports neither backends/ nor stage1/', () => {
    assert.deepEqual(violations('wasm', ['backends', 'stage1']), []);
  });
});
