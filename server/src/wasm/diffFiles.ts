// Diff of two Wasm files for the views and the CLI: reads both, runs the section reader, the
// structural diff and the byte comparison, and renders the texts. The only I/O is reading
// the two files.
import * as fs from 'node:fs';
import { diffSummaryText, diffToJson, moduleSummaryText, type Json } from './diffText';
import { compareBytes, diffModules, type ByteComparison, type WasmDiff } from './wasmDiff';
import { readModule, WasmFormatError } from './wasmReader';

export interface WasmDiffOutcome {
  labels: { a: string; b: string };
  paths: { a: string; b: string };
  diff: WasmDiff;
  bytes: ByteComparison;
  /** Human summary (diffSummaryText), as the CLI prints it. */
  summaryText: string;
  /** Line-per-item structure of each side (moduleSummaryText), for the text diff editor. */
  textA: string;
  textB: string;
}

export class WasmFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WasmFileError';
  }
}

export function readWasmFile(file: string, label: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WasmFileError(code === 'ENOENT' ? `${label} not found: ${file}` : `${label} could not be read (${file}): ${(error as Error).message}`);
  }
}

function parse(bytes: Uint8Array, label: string, file: string): ReturnType<typeof readModule> {
  try {
    return readModule(bytes);
  } catch (error) {
    const detail = error instanceof WasmFormatError || error instanceof Error ? error.message : String(error);
    throw new WasmFileError(`${label} (${file}) is not a readable WebAssembly module: ${detail}`);
  }
}

export function diffWasmBytes(a: Uint8Array, b: Uint8Array, labels: { a: string; b: string }, paths: { a: string; b: string }): WasmDiffOutcome {
  const infoA = parse(a, labels.a, paths.a);
  const infoB = parse(b, labels.b, paths.b);
  const diff = diffModules(infoA, infoB);
  const bytes = compareBytes(a, b);
  return {
    labels,
    paths,
    diff,
    bytes,
    summaryText: diffSummaryText(diff, { labels, bytes }),
    textA: moduleSummaryText(infoA),
    textB: moduleSummaryText(infoB),
  };
}

/** Reads and compares two files; throws WasmFileError with a message naming the file. */
export function diffWasmFiles(fileA: string, fileB: string, labels: { a: string; b: string } = { a: fileA, b: fileB }): WasmDiffOutcome {
  return diffWasmBytes(readWasmFile(fileA, labels.a), readWasmFile(fileB, labels.b), labels, { a: fileA, b: fileB });
}

/** The CLI's `--json` shape of a diff outcome. */
export function diffOutcomeJson(outcome: WasmDiffOutcome): Json {
  const json = diffToJson(outcome.diff, { labels: outcome.labels, bytes: outcome.bytes });
  return { a: outcome.paths.a, b: outcome.paths.b, ...(json as { [key: string]: Json }) };
}
