// Where the Lisp driver lives. The build copies server/lisp/driver.lisp next to the bundled
// server (dist/lisp/driver.lisp); tests and the CLI running from out/ find the source copy.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DRIVER_SOURCE = path.join('server', 'lisp', 'driver.lisp');

/** dist/lisp/driver.lisp next to the bundle, else server/lisp/driver.lisp above this file. */
export function defaultDriverPath(from: string = __dirname): string {
  const bundled = path.join(from, 'lisp', 'driver.lisp');
  if (fs.existsSync(bundled)) return bundled;
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, DRIVER_SOURCE);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return bundled;
  }
}

/** Build step: copies the driver to `<outDir>/lisp/driver.lisp`. Returns the destination. */
export function copyDriver(repoRoot: string, outDir: string): string {
  const destination = path.join(outDir, 'lisp', 'driver.lisp');
  fs.mkdirSync(path.dirname(destination), { recursive: true });
  fs.copyFileSync(path.join(repoRoot, DRIVER_SOURCE), destination);
  return destination;
}
