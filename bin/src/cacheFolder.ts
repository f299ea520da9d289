// Where clysm-check keeps what it saves between runs: one rule, pure (the platform, the
// environment and the home folder are arguments) so every platform's answer is unit-tested.
import * as path from 'node:path';

/** The subfolder of the user's cache directory that clysm-check owns. */
const TOOL_FOLDER = 'clysm-check';

export interface CacheFolderInputs {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}

/** The platform's folder for a user's caches: XDG on Linux and other Unixes, Library/Caches on macOS, LOCALAPPDATA on Windows. */
export function userCacheDirectory({ platform, env, home }: CacheFolderInputs): string {
  const paths = platform === 'win32' ? path.win32 : path.posix;
  // An empty or relative XDG_CACHE_HOME is invalid by the XDG spec and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  if (platform === 'darwin') return paths.join(home, 'Library', 'Caches');
  if (platform === 'win32') return env.LOCALAPPDATA || paths.join(home, 'AppData', 'Local');
  return xdg && paths.isAbsolute(xdg) ? xdg : paths.join(home, '.cache');
}

/** The cache folder clysm-check uses when --cache is not given. */
export function defaultCacheFolder(inputs: CacheFolderInputs): string {
  const paths = inputs.platform === 'win32' ? path.win32 : path.posix;
  return paths.join(userCacheDirectory(inputs), TOOL_FOLDER);
}

/** The saved SBCL cores' folder inside a cache folder (the same cores the extension saves in its own storage). */
export function coresFolder(cacheFolder: string): string {
  return path.join(cacheFolder, 'cores');
}
