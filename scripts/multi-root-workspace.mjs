// Lays out a multi-root workspace for the integration runner (issue 11 item 16): a
// .code-workspace file with three folders. `alpha` is the example workspace with a `clysm.asd`
// (a Clysm checkout), `beta` the example workspace with two modules in its folder's
// `clysm.modules`, and `notes` a plain folder with a Lisp file (neither: not analysed).
import fs from 'node:fs';
import path from 'node:path';

/** Returns the .code-workspace file created under `dir`; `example` is examples/workspace (with its built Stage 0). */
export function layOutMultiRootWorkspace(example, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const alpha = path.join(dir, 'alpha');
  fs.cpSync(example, alpha, { recursive: true });
  // Only its presence matters to the folder rule; the Stage 0 backend never reads it.
  fs.writeFileSync(path.join(alpha, 'clysm.asd'), ';; stand-in: marks this folder as a Clysm checkout\n');
  const beta = path.join(dir, 'beta');
  fs.cpSync(example, beta, { recursive: true });
  fs.mkdirSync(path.join(beta, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(beta, '.vscode/settings.json'), JSON.stringify({ 'clysm.modules': ['src/backend/leb128.lisp', 'src/compiler/ast.lisp'] }, null, 2));
  const notes = path.join(dir, 'notes');
  fs.mkdirSync(notes, { recursive: true });
  fs.writeFileSync(path.join(notes, 'scratch.lisp'), '(defun scratch () (undefined-here))\n');
  const file = path.join(dir, 'clysm.code-workspace');
  fs.writeFileSync(file, JSON.stringify({ folders: [{ path: 'alpha' }, { path: 'notes' }, { path: 'beta' }], settings: { 'clysm.backend': 'stage0' } }, null, 2));
  return file;
}
