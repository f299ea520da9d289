// The line protocol between the language server and server/lisp/driver.lisp.
// Requests go to the driver's stdin, replies come back on fd 3; one JSON object per line each way.
// The first stdin line is a secret tag, and every reply line is `<tag> <json>`: code that a form
// runs can write to fd 3 as well, and a line without the tag is not the driver's.
import { randomBytes } from 'node:crypto';

/** What the server asks for. `id` is added by SbclProcess. */
export type DriverRequest =
  | { op: 'compile'; package: string; form: string; timeout_ms: number }
  | { op: 'list-forms'; path: string }
  /** Only to a process started for generation (stage1Generation.ts): the generator changes the image. */
  | { op: 'generate-stage1'; output: string; report: string; defun_errors: string }
  /** Re-evaluates the changed top-level forms of these files (all the system's files when absent). */
  /** `in_place_only`: no full load is possible, so apply even what would need one, where it can be. */
  | { op: 'reload'; files?: string[]; in_place_only?: boolean }
  | { op: 'ping' }
  | { op: 'quit' };

/** Sent once, after the workspace's system has loaded. */
export interface ReadyMessage {
  type: 'ready';
  protocol: number;
  sbcl_version: string;
  asdf_version?: string;
  system: string;
  /** Directory of the system's .asd file, with a trailing slash. */
  source_root: string;
  /** The .asd file and every source file the system names. */
  source_files: string[];
  load_ms: number;
  from_core: boolean;
  dynamic_space_bytes: number;
  heap_bytes: number;
  pid: number;
}

/** Sent instead of `ready` when the driver cannot serve; the process then exits. */
export interface FatalMessage {
  type: 'fatal';
  kind: 'asdf-missing' | 'system-not-found' | 'load-failed' | 'no-compiler' | 'driver';
  message: string;
  condition?: string;
}

/** Text printed while loading the system (compiler notes, redefinition warnings). */
export interface LogMessage {
  type: 'log';
  source: string;
  text: string;
}

/** A frame of the workspace's system: the function and where it is defined (1-based line and column). */
export interface WireFrame {
  function: string;
  file?: string;
  line?: number;
  column?: number;
}

/** The innermost frame of the workspace's system when the error was signalled, with its callers. */
export interface WireOrigin extends WireFrame {
  frames?: WireFrame[];
}

export type DriverStatus = 'compiled' | 'failed' | 'skipped' | 'timeout' | 'read-error';

export interface ResultMessage {
  type: 'result';
  id: number;
  status: DriverStatus;
  /** `compile-error`, `stack-exhausted`, `timeout`, `read-error`, `unknown-package`, `internal-error`, ... */
  error_type?: string;
  /** Lisp condition class, e.g. `SIMPLE-ERROR`. */
  condition?: string;
  message?: string;
  /** Where the compiler signalled the error (`failed` with `compile-error` only). */
  origin?: WireOrigin;
  operator?: string;
  name?: string;
  /** True when COMPILE-TO-WASM returned NIL: the form was evaluated in the host. */
  directive?: boolean;
  nbytes?: number;
  /** The compiled module, base64. */
  wasm?: string;
  compile_ms?: number;
  total_ms: number;
  warnings: number;
  warning_messages?: string[];
  /** The first characters the form printed; the UTF-8 bytes after them are only counted. */
  stdout?: string;
  stderr?: string;
  stdout_clipped_bytes?: number;
  stderr_clipped_bytes?: number;
  heap_bytes: number;
}

/** One top-level datum of a file, as the host reader (and Clysm's generator) sees it. */
export interface DriverForm {
  index: number;
  /** Character offsets into the file; the text from `start` includes leading comments. */
  start: number;
  end: number;
  /** Package in effect when the datum was read. */
  package: string;
  operator?: string;
  name?: string;
  compilable: boolean;
  read_error?: string;
}

export interface FormsMessage {
  type: 'forms';
  id: number;
  path: string;
  forms?: DriverForm[];
  error?: string;
}

export interface PongMessage {
  type: 'pong';
  id: number;
  heap_bytes: number;
}

export interface ErrorMessage {
  type: 'error';
  id?: number;
  message: string;
}

export interface SavingCoreMessage {
  type: 'saving-core';
  path: string;
}

/** A changed form that did not read, compile or evaluate during a reload; offsets into `path`. */
export interface ReloadErrorEntry {
  path: string;
  start: number;
  end: number;
  message: string;
  condition?: string;
  operator?: string;
  name?: string;
}

/** The driver's answer to `reload`: applied in place, or `full` (a fresh load is needed, nothing applied). */
export interface ReloadedMessage {
  type: 'reloaded';
  id: number;
  mode: 'incremental' | 'full';
  reason?: string | null;
  files: string[];
  forms?: number | null;
  errors?: ReloadErrorEntry[] | null;
  /** Definitions removed (FMAKUNBOUND) because their form went away. */
  removed?: string[] | null;
  /** Names of the definitions evaluated in place. */
  names?: string[] | null;
  ms: number;
}

/** What Clysm's generator did, as the driver observed it; `id` is the generate-stage1 request's. */
export type Stage1Event = { type: 'stage1-event'; id: number } & (
  | { kind: 'loaded' }
  | { kind: 'phase'; phase: string; total?: number }
  | { kind: 'module'; index: number | null; path: string | null; status: string | null; forms: { id: string | null; operator: string | null; compilable: boolean }[] }
  | { kind: 'progress'; done: number; total: number; module: number }
  | { kind: 'result'; form: string | null; status: 'compiled' | 'failed' | 'skipped'; message: string | null }
  | { kind: 'done' }
  | { kind: 'failed'; stage: string; message: string; condition?: string }
);

/** Ends a generate-stage1 request; its events said how it went. */
export interface Stage1FinishedMessage {
  type: 'stage1-finished';
  id: number;
}

export type DriverReply = ResultMessage | FormsMessage | ReloadedMessage | PongMessage | ErrorMessage | Stage1FinishedMessage;
export type DriverMessage = ReadyMessage | FatalMessage | LogMessage | SavingCoreMessage | Stage1Event | DriverReply;

const TYPES = new Set(['ready', 'fatal', 'log', 'saving-core', 'result', 'forms', 'pong', 'error', 'stage1-event', 'stage1-finished', 'reloaded']);

/** Parses one line from fd 3; undefined for anything that is not a driver message. */
export function parseDriverLine(line: string): DriverMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && TYPES.has(type) ? (value as DriverMessage) : undefined;
}

/** A fresh secret for one driver process. */
export function newReplyTag(): string {
  return randomBytes(18).toString('base64url');
}

export type TaggedLine =
  | { kind: 'message'; message: DriverMessage }
  /** Carries the tag but no driver message after it. */
  | { kind: 'unparsable'; text: string }
  /** No tag: written by something other than the driver. */
  | { kind: 'forged'; text: string };

/**
 * Parses one fd 3 line. Text before the tag is dropped: a form may have written a partial line
 * just before the driver's reply, and only the driver knows the tag.
 */
export function parseTaggedLine(line: string, tag: string): TaggedLine {
  const at = line.indexOf(`${tag} `);
  if (at < 0) return { kind: 'forged', text: line };
  const text = line.slice(at + tag.length + 1);
  const message = parseDriverLine(text);
  return message ? { kind: 'message', message } : { kind: 'unparsable', text };
}
