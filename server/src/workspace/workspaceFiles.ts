// File access for the workspace model, kept behind a small interface so the model can be
// driven from the editor's open buffers or from a plain directory (CLI, tests).
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SourceText {
  text: string;
  /** Set when the file is not valid UTF-8: the text has U+FFFD where bytes were invalid. */
  warning?: string;
}

export interface WorkspaceFiles {
  /** Reads a workspace-relative file; undefined when it does not exist. */
  read(relPath: string): SourceText | undefined;
  /** Every `.lisp` file under the root, workspace-relative with `/` separators. */
  listLispFiles(): string[];
}

const skippedDirectories = new Set(['node_modules', '.git', '.vscode-test', 'dist', 'out']);

export class DiskFiles implements WorkspaceFiles {
  constructor(private readonly root: string) {}

  read(relPath: string): SourceText | undefined {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(path.join(this.root, relPath));
    } catch {
      return undefined;
    }
    return decodeSource(bytes);
  }

  listLispFiles(): string[] {
    const found: string[] = [];
    const walk = (dir: string, rel: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.') || skippedDirectories.has(entry.name)) continue;
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(path.join(dir, entry.name), childRel);
        else if (entry.isFile() && entry.name.endsWith('.lisp')) found.push(childRel);
      }
    };
    walk(this.root, '');
    return found.sort();
  }
}

/** Decodes UTF-8 strictly first, so a non-UTF-8 file is reported instead of silently mangled. */
export function decodeSource(bytes: Uint8Array): SourceText {
  try {
    return { text: stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return {
      text: stripBom(new TextDecoder('utf-8').decode(bytes)),
      warning: 'file is not valid UTF-8; invalid bytes were replaced by U+FFFD before reading',
    };
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Overlays the editor's unsaved buffers on another file source. */
export class OverlayFiles implements WorkspaceFiles {
  private readonly open = new Map<string, string>();
  constructor(private readonly base: WorkspaceFiles) {}

  setOpen(relPath: string, text: string | undefined): void {
    if (text === undefined) this.open.delete(relPath);
    else this.open.set(relPath, text);
  }

  /** Workspace-relative paths of the files open in the editor. */
  openPaths(): string[] {
    return [...this.open.keys()];
  }

  read(relPath: string): SourceText | undefined {
    const text = this.open.get(relPath);
    return text !== undefined ? { text } : this.base.read(relPath);
  }

  listLispFiles(): string[] {
    return this.base.listLispFiles();
  }
}
