// The files of the saved-cores folder (coreCache.ts), and which of them no workspace can use
// any more. Per workspace root, `<root hash>.json` (the manifest) names `<root hash>-<key>.core`;
// a build writes `<core>.<pid>.partial` and renames it, and a manifest is written the same way.
// Pruning matches these names strictly: any other file in the folder is never removed.
import { createHash } from 'node:crypto';
import * as path from 'node:path';

const hex16 = '[0-9a-f]{16}';
const manifestPattern = new RegExp(`^(${hex16})\\.json$`);
const corePattern = new RegExp(`^(${hex16})-${hex16}\\.core$`);
const partialPattern = new RegExp(`^${hex16}(?:\\.json|-${hex16}\\.core)\\.([1-9][0-9]{0,9})\\.partial$`);

/**
 * How old an unfinished file must be before it is removed. A build writes its partial core in
 * seconds and renames it at once, so an hour-old one is not being written; the pid check keeps
 * the partial of a live process whatever its age.
 */
export const STALE_AFTER_MS = 60 * 60 * 1000;

/** The first 16 hex digits of the root's sha256: what the names of its manifest and cores start with. */
export function rootHash(workspaceRoot: string): string {
  return createHash('sha256').update(workspaceRoot).digest('hex').slice(0, 16);
}

export function manifestFileName(workspaceRoot: string): string {
  return `${rootHash(workspaceRoot)}.json`;
}

export function coreFileName(workspaceRoot: string, key: string): string {
  return `${rootHash(workspaceRoot)}-${key.slice(0, 16)}.core`;
}

/** The name a file is written under before it is renamed into place. */
export function partialFileName(file: string, pid: number): string {
  return `${file}.${pid}.partial`;
}

/** Is `name` one of the files this folder holds (a manifest, a core or a partial of either)? */
export function isCoreFolderFile(name: string): boolean {
  return manifestPattern.test(name) || corePattern.test(name) || partialPattern.test(name);
}

export function isManifestFile(name: string): boolean {
  return manifestPattern.test(name);
}

/** The file name of `core` when it is a core of this folder saved for `workspaceRoot`'s hash; else undefined. */
export function ownCoreName(dir: string, core: string, workspaceHash: string): string | undefined {
  const name = path.basename(core);
  const match = corePattern.exec(name);
  return match?.[1] === workspaceHash && path.resolve(path.dirname(core)) === path.resolve(dir) ? name : undefined;
}

export interface CoreFolderEntry {
  name: string;
  size: number;
  mtimeMs: number;
}

export interface PruneInputs {
  dir: string;
  /** The folder's regular files (isCoreFolderFile names only are considered). */
  entries: readonly CoreFolderEntry[];
  /** The parsed JSON of each manifest entry, by name; undefined when it did not parse. */
  manifests: ReadonlyMap<string, unknown>;
  now: number;
  /** True only when the folder is known to be gone (not when it merely cannot be checked). */
  folderGone(folder: string): boolean;
  exists(file: string): boolean;
  /** Is the process that writes a partial still running? */
  running(pid: number): boolean;
}

export type PruneReason = 'workspace gone' | 'core missing' | 'unfinished' | 'unused core';

export interface Removal {
  name: string;
  size: number;
  reason: PruneReason;
}

/**
 * The files to remove: the manifest and core of each workspace whose folder no longer exists;
 * manifests whose core is missing; partial files older than STALE_AFTER_MS whose writer is no
 * longer running; cores no manifest names, as old (a crash between the rename and the manifest).
 *
 * A manifest without `root` (saved before roots were recorded) is kept unless its core is
 * missing: its name is a one-way hash of the root, and guessing wrong would cost a live
 * workspace its last good core; that workspace's next saved core records the root.
 */
export function staleCoreFiles(inputs: PruneInputs): Removal[] {
  const entries = inputs.entries.filter((e) => isCoreFolderFile(e.name));
  const byName = new Map(entries.map((e) => [e.name, e]));
  const removals: Removal[] = [];
  const named = new Set<string>();
  const remove = (name: string, reason: PruneReason): void => {
    const entry = byName.get(name);
    if (entry && !removals.some((r) => r.name === name)) removals.push({ name, size: entry.size, reason });
  };
  const stale = (entry: CoreFolderEntry): boolean => inputs.now - entry.mtimeMs >= STALE_AFTER_MS;

  for (const entry of entries) {
    const hash = manifestPattern.exec(entry.name)?.[1];
    if (!hash) continue;
    const manifest = inputs.manifests.get(entry.name) as { root?: unknown; core?: unknown } | undefined;
    if (typeof manifest !== 'object' || manifest === null || typeof manifest.core !== 'string') continue; // not understood: kept
    const core = ownCoreName(inputs.dir, manifest.core, hash);
    const root = typeof manifest.root === 'string' && rootHash(manifest.root) === hash ? manifest.root : undefined;
    if (root !== undefined && inputs.folderGone(root)) {
      remove(entry.name, 'workspace gone');
      if (core) remove(core, 'workspace gone');
    } else if (!inputs.exists(manifest.core)) {
      remove(entry.name, 'core missing');
    } else if (core) {
      named.add(core);
    }
  }
  for (const entry of entries) {
    if (corePattern.test(entry.name) && !named.has(entry.name) && stale(entry)) remove(entry.name, 'unused core');
    const pid = partialPattern.exec(entry.name)?.[1];
    if (pid && stale(entry) && !inputs.running(Number(pid))) remove(entry.name, 'unfinished');
  }
  return removals;
}

const reasonText: Record<PruneReason, (n: number) => string> = {
  'workspace gone': (n) => `${n} of workspaces that no longer exist`,
  'core missing': (n) => `${n} manifest${n === 1 ? '' : 's'} whose core is missing`,
  unfinished: (n) => `${n} unfinished partial file${n === 1 ? '' : 's'}`,
  'unused core': (n) => `${n} core${n === 1 ? '' : 's'} no manifest names`,
};

/** `2 of workspaces that no longer exist, 1 unfinished partial file`: what a prune removed, by reason. */
export function describeRemovals(removals: readonly Removal[]): string {
  const counts = new Map<PruneReason, number>();
  for (const r of removals) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => reasonText[reason](n)).join(', ');
}
