// Save and restore of a workspace's results across sessions: the stored state seeds the
// result cache on load, and saves are either immediate (after a whole run, or the CLI's run)
// or batched after edits. The state itself is built by WorkspaceRun.persistedState.
import { CacheStore, DebouncedWriter } from './cacheStore';
import type { ResultCache } from './resultCache';
import { seedCache, type PersistedState } from './persistedState';

export class ResultPersistence {
  readonly store: CacheStore;
  private readonly writer: DebouncedWriter;
  /** When the state shown now was saved, while restored results have not all been redone. */
  restoredSavedAt: string | undefined;

  constructor(
    storageDir: string,
    root: string,
    log: (message: string) => void,
    /** The state to write; undefined when there is nothing to save yet. */
    private readonly stateToSave: () => PersistedState | undefined,
    /** Delay between an edit and the write it causes (edits come in bursts). */
    writeDelayMs: number,
  ) {
    this.store = new CacheStore(storageDir, root, log);
    this.writer = new DebouncedWriter(() => {
      const state = this.stateToSave();
      if (state) this.store.save(state);
    }, writeDelayMs);
  }

  /** The stored state, with every stored result put back into `cache`; undefined when there is none. */
  load(cache: ResultCache): PersistedState | undefined {
    const state = this.store.load();
    if (!state) return undefined;
    seedCache(cache, state);
    this.restoredSavedAt = state.savedAt;
    return state;
  }

  saveNow(): void {
    this.writer.now();
  }

  /** Saves once the edits pause. */
  saveSoon(): void {
    this.writer.schedule();
  }

  /** Writes a pending save now (on shutdown). */
  flush(): void {
    this.writer.flush();
  }
}
