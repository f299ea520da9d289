// Where the Lisp driver lives. The build copies server/lisp/driver.lisp (and json.lisp, which
// it loads) next to the bundled server (dist/lisp/); tests and the CLI running from out/ find
// the source copy.
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

/** The Lisp the driver loads from its own folder (server/lisp/json.lisp). */
export const SHARED_LISP = 'json.lisp';

/** Every file the driver at `driver` loads: itself and the shared Lisp next to it (what a saved core depends on). */
export function driverFiles(driver: string): string[] {
  return [driver, path.join(path.dirname(driver), SHARED_LISP)];
}

/** Build step: copies the driver and the Lisp it loads to `<outDir>/lisp/`. Returns the driver's destination. */
export function copyDriver(repoRoot: string, outDir: string): string {
  const destination = path.join(outDir, 'lisp', 'driver.lisp');
  fs.mkdirSync(path.dirname(destination), { recursive: true });
  fs.copyFileSync(path.join(repoRoot, DRIVER_SOURCE), destination);
  fs.copyFileSync(path.join(repoRoot, path.dirname(DRIVER_SOURCE), SHARED_LISP), path.join(path.dirname(destination), SHARED_LISP));
  return destination;
}
