// Sends the server's log to the client in batches: one window/logMessage per interval instead
// of one per line, and at most `maxBatchBytes` per batch (the rest is counted, not sent). A
// backend that prints without pause then costs the client a few messages a second, not
// hundreds of thousands, and hover stays fast.
import { formatBytes } from '../util/formatBytes';
import { realTimers, type Timers } from '../util/timers';

export interface LogBatcherOptions {
  send(text: string): void;
  intervalMs?: number;
  maxBatchBytes?: number;
  timers?: Timers;
}

export class LogBatcher {
  private lines: string[] = [];
  private bytes = 0;
  private droppedLines = 0;
  private droppedBytes = 0;
  private timer: unknown;
  private readonly timers: Timers;

  constructor(private readonly options: LogBatcherOptions) {
    this.timers = options.timers ?? realTimers;
  }

  add(line: string): void {
    const size = Buffer.byteLength(line) + 1;
    if (this.bytes + size > (this.options.maxBatchBytes ?? 256 * 1024)) {
      this.droppedLines++;
      this.droppedBytes += size;
    } else {
      this.lines.push(line);
      this.bytes += size;
    }
    this.timer ??= this.timers.setTimeout(() => this.flush(), this.options.intervalMs ?? 100);
  }

  /** Sends what is waiting now (also before the server exits). */
  flush(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.droppedLines > 0) this.lines.push(`… ${this.droppedLines} more log lines (${formatBytes(this.droppedBytes)}) dropped`);
    if (this.lines.length > 0) this.options.send(this.lines.join('\n'));
    this.lines = [];
    this.bytes = 0;
    this.droppedLines = 0;
    this.droppedBytes = 0;
  }
}
