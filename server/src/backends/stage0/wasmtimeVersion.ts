// Which wasmtime can run Clysm's output, and with which flags (reference: wasm-engines.md §1,
// from wasmtime's RELEASES.md and crates/cli-flags): exceptions (exnref, try_table) are
// complete from 37, so 37 is the minimum, with GC, function-references and exceptions
// switched on by hand; from 47 they are on by default and no flag is needed. Pure.

export interface WasmtimeVersion {
  major: number;
  minor: number;
  patch: number;
  /** The whole first line of `wasmtime --version`, e.g. `wasmtime 37.0.0 (abc1234 2025-09-20)`. */
  text: string;
}

export const minimumWasmtime = 37;
export const defaultFeaturesFrom = 47;
/** The proposals Clysm's output needs, as wasmtime's `-W` options. */
export const clysmWasmOptions = 'gc=y,function-references=y,exceptions=y';

/** Parses `wasmtime --version` output (clap prints `wasmtime X.Y.Z[-pre] (hash date)`). */
export function parseWasmtimeVersion(output: string): WasmtimeVersion | undefined {
  const line = output.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  const match = /^wasmtime(?:-cli)?\s+v?(\d+)\.(\d+)\.(\d+)\b/.exec(line);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), text: line };
}

export function formatVersion(v: WasmtimeVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export type FlagChoice = { ok: true; flags: string[] } | { ok: false; message: string };

/** The `-W` flags for this version, or why it cannot run Clysm's output. */
export function wasmtimeFlags(version: WasmtimeVersion, where: string): FlagChoice {
  if (version.major < minimumWasmtime) {
    return {
      ok: false,
      message: `wasmtime ${formatVersion(version)} at ${where} is too old: Clysm's Stage 0 needs wasmtime ${minimumWasmtime}.0.0 or later ` +
        `(WasmGC and exception handling with try_table); found ${formatVersion(version)}, need ≥ ${minimumWasmtime}.0.0`,
    };
  }
  return { ok: true, flags: version.major >= defaultFeaturesFrom ? [] : ['-W', clysmWasmOptions] };
}

/** The message for a wasmtime that could not be run at all. */
export function missingWasmtimeMessage(reason: string): string {
  return `wasmtime not found (${reason}): the wasmtime engine needs wasmtime ${minimumWasmtime}.0.0 or later; found none, ` +
    `need ≥ ${minimumWasmtime}.0.0. Set clysm.wasmtime.path (clysm-check: --wasmtime) to one`;
}
