// What one run of Stage 0's code may write through clysm.output/write-bytes: total bytes and
// distinct files. Stage 0 is untrusted, so without a cap one call can fill the disk. The first
// write over the cap refuses the write and every later one, and the run fails with the reason.
import { defaultOf } from '../protocol/settings';

export interface WriteLimits {
  maxBytes: number;
  maxFiles: number;
}

const MIB = 1024 * 1024;

export const defaultWriteLimits: WriteLimits = {
  maxBytes: defaultOf('clysm.stage1.maxOutputMb') * MIB,
  maxFiles: defaultOf('clysm.stage1.maxOutputFiles'),
};

/** The limits the `clysm.stage1.maxOutput*` settings give. */
export function writeLimitsFrom(settings: { maxOutputMb: number; maxOutputFiles: number }): WriteLimits {
  return { maxBytes: Math.floor(settings.maxOutputMb * MIB), maxFiles: Math.floor(settings.maxOutputFiles) };
}

function sizeText(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** Thrown from write-bytes when a run goes over its limits, so the Wasm call stops there. */
export class WriteLimitExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteLimitExceeded';
  }
}

export class WriteBudget {
  private bytes = 0;
  private readonly files = new Set<string>();
  /** Why the run went over; once set, every later write is refused too. */
  exceeded?: string;

  constructor(private readonly limits: WriteLimits = defaultWriteLimits) {}

  /** Charges a write of `size` bytes to `file`; returns why it is refused when it goes over a limit. */
  charge(file: string, size: number): string | undefined {
    if (this.exceeded) return this.exceeded;
    const isNew = !this.files.has(file);
    if (isNew && this.files.size >= this.limits.maxFiles) {
      this.exceeded = `write-bytes to ${file} refused: this run already wrote ${this.files.size} files, the limit (clysm.stage1.maxOutputFiles)`;
    } else if (this.bytes + size > this.limits.maxBytes) {
      this.exceeded = `write-bytes of ${sizeText(size)} to ${file} refused: it would bring this run's output to ${sizeText(this.bytes + size)}, over the limit of ${sizeText(this.limits.maxBytes)} (clysm.stage1.maxOutputMb)`;
    } else {
      this.bytes += size;
      if (isNew) this.files.add(file);
      return undefined;
    }
    return this.exceeded;
  }
}
