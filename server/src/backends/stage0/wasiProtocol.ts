// The WASI-command protocol between the wasmtime engine and Stage 0 (docs/stage0-abi.md §10):
// JSON lines both ways. Stage 0 first writes a handshake line, then answers each request line
// `{"id":N,"text":"…"}` with `{"id":N,"reports":[…],"returned":…}`. What an answer means is
// decided by the same rules as a JS-host call (resultFromReports.ts). Pure: no processes here.
import { clipText } from '../../util/boundedText';
import type { FormResult } from '../../types';
import { interpretFormCall, type ByteValidator, type FormReport } from './resultFromReports';

export const protocolName = 'clysm-stage0-wasi';
export const protocolVersion = 1;

/** wasmtime's exit code after a trap: 128 + SIGABRT on Unix, 3 on Windows (src/commands/run.rs). */
export const trapExitCodes: readonly number[] = [134, 3];

export function encodeRequest(id: number, text: string): string {
  return `${JSON.stringify({ id, text })}\n`;
}

export type Handshake = { ok: true } | { ok: false; message: string };

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The first line Stage 0 writes. Undefined when the line is not a handshake at all. */
export function parseHandshake(line: string): Handshake | undefined {
  const value = parseObject(line);
  if (!value || !('protocol' in value)) return undefined;
  if (value.protocol !== protocolName) {
    return { ok: false, message: `Stage 0 speaks protocol ${JSON.stringify(value.protocol)}, not ${protocolName}` };
  }
  if (value.version !== protocolVersion) {
    return { ok: false, message: `Stage 0 speaks ${protocolName} version ${JSON.stringify(value.version)}; this extension speaks version ${protocolVersion}` };
  }
  return { ok: true };
}

export type Answer =
  | { kind: 'result'; id: unknown; reports: FormReport[]; returned: unknown }
  | { kind: 'error'; id: unknown; message: string }
  | { kind: 'malformed'; id: unknown; reason: string };

const optionalText = (v: unknown): string | null | undefined => (v === null ? null : typeof v === 'string' ? v : undefined);

function toReport(entry: unknown): FormReport | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const r = entry as Record<string, unknown>;
  const formId = optionalText(r.formId);
  const errorType = optionalText(r.errorType);
  const message = optionalText(r.message);
  if (typeof r.success !== 'boolean' || formId === undefined || errorType === undefined || message === undefined) return undefined;
  return { formId, success: r.success, errorType, message };
}

/** An answer line, or undefined for a line that is not one (Stage 0's own output: logged). */
export function parseAnswer(line: string): Answer | undefined {
  const value = parseObject(line);
  if (!value || !('id' in value)) return undefined;
  const id = value.id;
  if (typeof value.error === 'string') return { kind: 'error', id, message: value.error };
  if (!Array.isArray(value.reports) || !('returned' in value)) {
    return { kind: 'malformed', id, reason: 'an answer needs "reports" (an array) and "returned"' };
  }
  const reports: FormReport[] = [];
  for (const entry of value.reports) {
    const report = toReport(entry);
    if (!report) return { kind: 'malformed', id, reason: `a report must be {formId, success, errorType, message}: ${JSON.stringify(entry)}` };
    reports.push(report);
  }
  return { kind: 'result', id, reports, returned: value.returned };
}

/** The FormResult of an answer, by the JS-host rules (docs/stage0-abi.md §4). */
export function answerToResult(answer: Answer, validate: ByteValidator): FormResult {
  switch (answer.kind) {
    case 'result':
      return interpretFormCall({ reports: answer.reports, returned: answer.returned }, validate);
    case 'error':
      return { status: 'failed', errorType: 'abi-error', message: clipText(`Stage 0 refused the request: ${answer.message}`) };
    case 'malformed':
      return { status: 'failed', errorType: 'abi-error', message: clipText(`Stage 0 answered in a form this host does not understand: ${answer.reason}`) };
  }
}

export interface ProcessEnd {
  exitCode?: number;
  signal?: string;
  /** The last part of what wasmtime wrote to stderr. */
  stderr: string;
}

/** A trap (a per-form `failed`) or a crash of the engine process (retried, then `crashed`). */
export type EndVerdict = { kind: 'trap'; message: string } | { kind: 'crash'; reason: string };

/** The text after the last `wasm trap: ` in wasmtime's error chain. */
export function trapFromStderr(stderr: string): string | undefined {
  const matches = [...stderr.matchAll(/wasm trap: (.+)$/gm)];
  return matches.at(-1)?.[1].trim();
}

/** wasmtime's last non-empty stderr line (its innermost `Caused by`), for messages. */
export function lastStderrLine(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  return lines.at(-1)?.replace(/^\d+: /, '');
}

/** Why the process ended while a form was in flight. */
export function classifyEnd(end: ProcessEnd): EndVerdict {
  const trap = trapFromStderr(end.stderr);
  if (trap !== undefined && end.exitCode !== undefined && trapExitCodes.includes(end.exitCode)) return { kind: 'trap', message: trap };
  const last = lastStderrLine(end.stderr);
  const how = end.signal ? `wasmtime was killed by ${end.signal}` : `wasmtime exited with code ${end.exitCode ?? 'unknown'}`;
  return { kind: 'crash', reason: last ? `${how}: ${last}` : `${how} without answering` };
}
