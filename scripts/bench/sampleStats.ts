// Small helpers for benchmark figures: a percentile of samples and the machine's load.
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

/** The q-quantile (0..1) of `samples`, nearest rank. */
export function percentile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** `uptime`'s line (the load averages), or Node's load averages where uptime is missing. */
export function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os.loadavg().map((n) => n.toFixed(2)).join(', ')}`;
  }
}
