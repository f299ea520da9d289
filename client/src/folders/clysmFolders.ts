// Which workspace folders Clysm analyses, and which one the status bar follows. Pure (no VS Code),
// so the rule is unit-tested; ctx.ts gathers the facts and runs one language server per folder.

export interface FolderFacts {
  /** The folder's URI, as a string: the key of its server run. */
  uri: string;
  name: string;
  /** The folder holds a Clysm checkout (`clysm.asd` at its root). */
  hasClysmAsd: boolean;
  /** `clysm.modules` is set (non-empty) for the folder. */
  modulesConfigured: boolean;
}

/**
 * One folder open: it is analysed, whatever it holds (as before multi-root support: the module
 * list then falls back to every `.lisp` file). Several folders: each one that holds a Clysm
 * checkout or is configured with `clysm.modules`; when none is, the first one, so that opening a
 * multi-root workspace never silently checks nothing.
 */
export function foldersToAnalyse<T extends FolderFacts>(folders: readonly T[]): T[] {
  if (folders.length <= 1) return [...folders];
  const chosen = folders.filter((f) => f.hasClysmAsd || f.modulesConfigured);
  return chosen.length > 0 ? chosen : folders.slice(0, 1);
}

/**
 * The analysed folder the status bar shows: the one of the active editor when it is analysed,
 * else the one shown before (an output panel or a file outside every folder keeps it), else the first.
 */
export function folderToShow(analysed: readonly string[], editorFolder: string | undefined, shown: string | undefined): string | undefined {
  if (editorFolder !== undefined && analysed.includes(editorFolder)) return editorFolder;
  if (shown !== undefined && analysed.includes(shown)) return shown;
  return analysed[0];
}

/** An analysed folder as the views name it. */
export interface FolderRef {
  uri: string;
  name: string;
}
