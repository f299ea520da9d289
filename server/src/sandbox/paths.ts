// Where code chosen by the workspace may read and write: the clysm.fs / clysm.output host
// imports of any compiler binary (untrusted), and the Stage 1 output folder. Reads stay under
// the workspace folder, writes inside the output folder. Both checks are lexical first (no
// `..` escape) and then on real paths (no symlink escape). Not Stage 0's own rule: stage1/
// and the backends share it.
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

function danglingLinkTarget(file: string): string | undefined {
  try {
    if (!fs.lstatSync(file).isSymbolicLink() || realpathOrUndefined(file) !== undefined) return undefined;
    return path.resolve(path.dirname(file), fs.readlinkSync(file));
  } catch {
    return undefined;
  }
}

/**
 * The real path `file` has, or would have once created: its own real path when it exists,
 * else its nearest existing ancestor's real path plus the rest of the name, following
 * dangling symbolic links on the way (at most 40, like the kernel).
 */
export function realPathOf(file: string, linksFollowed = 0): string {
  const absolute = path.resolve(file);
  let existing = absolute;
  while (realpathOrUndefined(existing) === undefined && existing !== path.dirname(existing)) {
    // A write through a dangling link (the file's or a folder's) lands at the link's target.
    const target = linksFollowed < 40 ? danglingLinkTarget(existing) : undefined;
    if (target !== undefined) return realPathOf(path.join(target, path.relative(existing, absolute)), linksFollowed + 1);
    existing = path.dirname(existing);
  }
  const real = realpathOrUndefined(existing) ?? existing;
  return path.join(real, path.relative(existing, absolute));
}

/**
 * Why nothing may be written into `outputDir`: its real path (symbolic links followed) is
 * outside the workspace folder's. Undefined when it is inside. Callers skip this check only
 * when the user (never the workspace) allowed an output folder outside the workspace.
 */
export function outputFolderOutsideWorkspace(workspaceRoot: string, outputDir: string): string | undefined {
  const realRoot = realPathOf(workspaceRoot);
  const realDir = realPathOf(outputDir);
  if (isInside(realRoot, realDir)) return undefined;
  const via = realDir === path.resolve(outputDir) ? '' : ` (it leads to ${realDir})`;
  return `the output folder ${path.resolve(outputDir)}${via} is outside the workspace folder ${realRoot}`;
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
  const realBase = realPathOf(base);
  // Where the file really lands: a symbolic link in the name (the file's or a folder's) is followed.
  const finalPath = realPathOf(candidate);
  if (finalPath === realBase || !isInside(realBase, finalPath)) {
    return { ok: false, reason: `${String(requested)} leads outside the output folder (symbolic link to ${finalPath})` };
  }
  for (const file of protectedFiles) {
    if (realPathOf(file) === finalPath) return { ok: false, reason: `${String(requested)} is the Stage 0 binary, which is never overwritten` };
  }
  return { ok: true, path: finalPath };
}
