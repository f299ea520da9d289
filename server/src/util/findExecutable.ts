// Resolves a command the way a shell would, so a missing `sbcl` or `wasm-tools` is reported
// before anything is spawned.
import * as fs from 'node:fs';
import * as path from 'node:path';

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `command` (a name looked up on PATH, or a path), or undefined. */
export function findExecutable(command: string, envPath: string | undefined = process.env.PATH): string | undefined {
  if (command.includes('/') || command.includes(path.sep)) {
    const absolute = path.resolve(command);
    return isExecutableFile(absolute) ? absolute : undefined;
  }
  const extensions = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = path.join(dir, command + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}
