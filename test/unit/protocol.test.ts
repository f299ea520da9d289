// The protocol stands alone: the files of server/src/protocol/ import nothing but the LSP
// protocol package and each other, so the client bundle and the CLI never pull in server code.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { repoRoot } from '../support/repo';

const protocolDir = path.join(repoRoot, 'server', 'src', 'protocol');
const ALLOWED_PACKAGE = 'vscode-languageserver-protocol';

/** The imports and re-exports of a file that are neither the LSP protocol package nor a sibling. */
function foreignImports(source: string, siblings: ReadonlySet<string>): string[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  return importedFiles
    .map((f) => f.fileName)
    .filter((name) => !(name === ALLOWED_PACKAGE || (name.startsWith('./') && !name.slice(2).includes('/') && siblings.has(name.slice(2)))));
}

describe('protocol imports', () => {
  const files = fs.readdirSync(protocolDir).filter((f) => f.endsWith('.ts'));
  const siblings = new Set(files.map((f) => f.replace(/\.ts$/, '')));

  it('finds the protocol files', () => {
    assert.ok(files.includes('settings.ts') && files.includes('analysis.ts') && files.includes('stage1.ts'), files.join(', '));
  });

  it('every file under server/src/protocol/ imports only vscode-languageserver-protocol and sibling protocol files', () => {
    const offending = files.flatMap((f) => foreignImports(fs.readFileSync(path.join(protocolDir, f), 'utf8'), siblings).map((i) => `${f}: ${i}`));
    assert.deepEqual(offending, []);
  });

  it('the check flags implementation imports, type-only ones and re-exports included', () => {
    const siblingsHere = new Set(['settings']);
    const source = [
      "import type { Summary } from '../blockers/model';",
      "import { RequestType } from 'vscode-languageserver-protocol';",
      "import type { X } from './settings';",
      "export * from '../stage1/generateStage1';",
      "import { y } from './missing';",
      "import * as lsp from 'vscode-languageserver/node';",
    ].join('\n');
    assert.deepEqual(foreignImports(source, siblingsHere), ['../blockers/model', '../stage1/generateStage1', './missing', 'vscode-languageserver/node']);
  });
});
