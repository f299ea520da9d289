// Lays out the SBCL stand-in workspace in a folder: test/fixtures/sbcl-workspace with the
// stand-in system next to it (its clysm.asd loads `:pathname "../clysm-standin/src/"`), set to
// the SBCL backend and the fixture's module order. Used by the integration runner and the pictures.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Returns the workspace folder created under `dir`. */
export function layOutSbclWorkspace(dir) {
  const workspace = path.join(dir, 'sbcl-workspace');
  fs.cpSync(path.join(REPO, 'test/fixtures/sbcl-workspace'), workspace, { recursive: true });
  fs.cpSync(path.join(REPO, 'test/fixtures/clysm-standin'), path.join(dir, 'clysm-standin'), { recursive: true });
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode/settings.json'), JSON.stringify({
    'clysm.backend': 'sbcl',
    // The fixture's order (its README): package.lisp defines the package the other modules use.
    'clysm.modules': ['src/app/package.lisp', 'src/app/shapes.lisp', 'src/app/noisy.lisp'],
  }, null, 2));
  return workspace;
}
