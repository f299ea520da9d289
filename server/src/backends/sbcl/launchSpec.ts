// The SBCL command line for the driver. Flags follow the measured hazards: no ldb (it would
// read requests as commands), no debugger, no init files, and never --lose-on-corruption
// (it turns a caught stack exhaustion into a fatal error with a backtrace on stdout).
import type { LaunchSpec } from './sbclProcess';

export interface DriverLaunch {
  sbcl: string;
  workspaceRoot: string;
  systemName: string;
  driverPath: string;
  dynamicSpaceSizeMb: number;
  /** Extra SBCL runtime options, placed before --end-runtime-options (e.g. --control-stack-size 8MB). */
  extraArgs: readonly string[];
  /** Start from this saved core instead of loading the driver and the system. */
  core?: string;
  /** Load, then save a core to this file and exit. */
  saveCore?: string;
  env?: Record<string, string>;
}

/** A Lisp string literal for `text`. */
export function lispString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function driverLaunchSpec(launch: DriverLaunch): LaunchSpec {
  const runtime = [
    ...(launch.core ? ['--core', launch.core] : []),
    '--noinform',
    '--dynamic-space-size', `${launch.dynamicSpaceSizeMb}MB`,
    '--disable-ldb',
    ...launch.extraArgs,
    '--end-runtime-options',
  ];
  const toplevel = [
    '--disable-debugger',
    '--no-userinit',
    '--no-sysinit',
    // --load would parse the path as a Lisp pathname (wildcards); a native namestring is exact.
    ...(launch.core ? [] : ['--eval', `(load (sb-ext:parse-native-namestring ${lispString(launch.driverPath)}))`]),
    '--eval', '(clysm-sbcl-driver:main)',
    '--end-toplevel-options',
  ];
  const user = [
    '--workspace', launch.workspaceRoot,
    '--system', launch.systemName,
    ...(launch.saveCore ? ['--save-core', launch.saveCore] : []),
  ];
  return { command: launch.sbcl, args: [...runtime, ...toplevel, ...user], cwd: launch.workspaceRoot, env: launch.env };
}
