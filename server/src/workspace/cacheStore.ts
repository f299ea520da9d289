// Where the persisted state lives: one JSON file per workspace in a storage folder (the
// extension's workspace storage, or `clysm-check --cache DIR`). Reads tolerate anything (a
// bad file is logged and ignored); writes are atomic; edits are batched by a debounce.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import { parsePersistedState, type PersistedState } from './persistedState';

export class CacheStore {
  readonly file: string;

  constructor(
    storageDir: string,
    private readonly root: string,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    // One folder may serve several workspaces (the CLI's --cache): name the file after the root.
    const tag = createHash('sha256').update(root).digest('hex').slice(0, 16);
    this.file = path.join(storageDir, `clysm-results-${tag}.json`);
  }

  /** The stored state, or undefined when there is none or it cannot be used (logged). */
  load(): PersistedState | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`result cache ${this.file} could not be read: ${(error as Error).message}; starting cold`);
      return undefined;
    }
    const parsed = parsePersistedState(text, this.root);
    if ('problem' in parsed) {
      this.log(`result cache ${this.file} ignored: ${parsed.problem}; starting cold`);
      return undefined;
    }
    return parsed.state;
  }

  save(state: PersistedState): void {
    try {
      writeFileAtomic(this.file, JSON.stringify(state));
    } catch (error) {
      // Losing the cache costs a recompile, never results: log and carry on.
      this.log(`result cache ${this.file} could not be written: ${(error as Error).message}`);
    }
  }
}

/** Runs `write` once `delayMs` after the last schedule(); flush() writes a pending one now. */
export class DebouncedWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: () => void,
    private readonly delayMs: number,
  ) {}

  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, this.delayMs);
    // A pending cache write must not keep a CLI or test process alive.
    this.timer.unref();
  }

  /** Writes now, cancelling any pending write. */
  now(): void {
    this.cancel();
    this.write();
  }

  /** Writes only when a write is pending (on shutdown). */
  flush(): void {
    if (this.timer) this.now();
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
