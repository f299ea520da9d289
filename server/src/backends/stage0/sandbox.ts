// Path checks for the clysm.fs / clysm.output host imports. Stage 0 is untrusted code
// chosen by the workspace: it may read only under the workspace folder and write only into
// the output folder. Both checks are lexical first (no `..` escape) and then on real paths
// (no symlink escape).
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Resolved = { ok: true; path: string } | { ok: false; reason: string };

/** True when `child` is `parent` itself or lies below it. Both must be absolute and normalised. */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function checkRequest(requested: unknown): string | undefined {
  if (typeof requested !== 'string') return `the path is a ${requested === null ? 'null' : typeof requested}, not a string`;
  if (requested === '') return 'the path is empty';
  if (requested.includes('\0')) return 'the path contains a NUL character';
  return undefined;
}

function realpathOrUndefined(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

/** Resolves a path Stage 0 wants to read: it must exist and really be under `root`. */
export function resolveReadable(root: string, requested: unknown): Resolved {
  const problem = checkRequest(requested);
  if (problem) return { ok: false, reason: problem };
  const base = path.resolve(root);
  const candidate = path.resolve(base, requested as string);
  if (!isInside(base, candidate)) return { ok: false, reason: `${String(requested)} is outside the workspace folder` };
  const realBase = realpathOrUndefined(base) ?? base;
  const real = realpathOrUndefined(candidate);
  if (real === undefined) return { ok: false, reason: `${String(requested)} does not exist` };
  if (!isInside(realBase, real)) return { ok: false, reason: `${String(requested)} leads outside the workspace folder (symbolic link)` };
  return { ok: true, path: real };
}

/**
 * Resolves a path Stage 0 wants to write: under `outputDir`, never a symbolic link out of
 * it, and never one of the `protectedFiles` (the Stage 0 binary itself).
 */
export function resolveWritable(outputDir: string, requested: unknown, protectedFiles: string[] = []): Resolved {
  const problem = checkRequest(requested);
  if (problem) return { ok: false, reason: problem };
  const base = path.resolve(outputDir);
  const candidate = path.resolve(base, requested as string);
  if (candidate === base || !isInside(base, candidate)) {
    return { ok: false, reason: `${String(requested)} is outside the output folder` };
  }
  const realBase = realpathOrUndefined(base) ?? base;
  // The nearest existing ancestor decides where the file really lands.
  let existing = path.dirname(candidate);
  while (realpathOrUndefined(existing) === undefined && existing !== path.dirname(existing)) existing = path.dirname(existing);
  const realParent = realpathOrUndefined(existing) ?? existing;
  if (!isInside(realBase, realParent)) return { ok: false, reason: `${String(requested)} leads outside the output folder (symbolic link)` };
  const realTarget = realpathOrUndefined(candidate);
  if (realTarget !== undefined && !isInside(realBase, realTarget)) {
    return { ok: false, reason: `${String(requested)} is a symbolic link out of the output folder` };
  }
  const finalPath = realTarget ?? path.join(realParent, path.relative(existing, candidate));
  for (const file of protectedFiles) {
    const realProtected = realpathOrUndefined(file) ?? path.resolve(file);
    if (realProtected === finalPath) return { ok: false, reason: `${String(requested)} is the Stage 0 binary, which is never overwritten` };
  }
  return { ok: true, path: finalPath };
}
