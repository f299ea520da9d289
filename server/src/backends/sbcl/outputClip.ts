// Bounds what one output stream of SBCL (fd 1 or fd 2) puts in the log. A form may print
// 100 MB there; the log gets the first `budgetBytes` of each segment (one segment per form: the
// process ends it at every reply) and then one line counting the rest. Lines are cut at
// `maxLineChars`, and text with no newline at all is never held in memory beyond that.
import { formatBytes } from '../../util/formatBytes';

export interface OutputClipOptions {
  /** Bytes of log lines per segment; what comes after is only counted. */
  budgetBytes: number;
  maxLineChars: number;
  /** Characters of the most recent output kept for `recentLines()` (exit diagnostics). */
  recentChars?: number;
  emit(line: string): void;
}

export class OutputClip {
  private partial = '';
  private logged = 0;
  private clipped = 0;
  private recent = '';

  constructor(private readonly options: OutputClipOptions) {}

  /** Takes the next decoded chunk of the stream. */
  push(chunk: string): void {
    this.recent = (this.recent + chunk).slice(-(this.options.recentChars ?? 4096));
    if (this.logged >= this.options.budgetBytes) {
      // Over budget: only count, without splitting 100 MB into lines.
      this.clipped += Buffer.byteLength(this.partial) + Buffer.byteLength(chunk);
      this.partial = '';
      return;
    }
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
    if (this.partial.length > this.options.maxLineChars) {
      this.line(this.partial);
      this.partial = '';
    }
  }

  /** Ends a segment: logs a pending partial line and how much was clipped, then resets the budget. */
  endSegment(): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
    if (this.clipped > 0) this.options.emit(clippedNote(this.clipped));
    this.logged = 0;
    this.clipped = 0;
  }

  /** The last lines the stream carried, logged or not (fatal errors come last). */
  recentLines(count: number): string[] {
    return this.recent.split('\n').filter((line) => line.trim() !== '').slice(-count);
  }

  private line(text: string): void {
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    const shown = line.length > this.options.maxLineChars ? line.slice(0, this.options.maxLineChars) : line;
    const size = Buffer.byteLength(shown) + 1;
    if (this.logged + size > this.options.budgetBytes) {
      this.logged = this.options.budgetBytes;
      this.clipped += Buffer.byteLength(line) + 1;
      return;
    }
    this.logged += size;
    if (shown === line) {
      this.options.emit(line);
    } else {
      this.clipped += Buffer.byteLength(line) - Buffer.byteLength(shown);
      this.options.emit(`${shown}…`);
    }
  }
}

/** The one wording for output that was cut: `… 99.9 MB more output clipped`. */
export function clippedNote(bytes: number): string {
  return `… ${formatBytes(bytes)} more output clipped`;
}
