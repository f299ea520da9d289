// Turns what the driver (or the supervisor) reports into the domain's FormResult, validating
// returned bytes the way Clysm's generator does: rejected bytes make the form `failed`.
import type { FormResult, Origin, SourceFrame } from '../../types';
import { clipText } from '../../util/boundedText';
import type { DriverReply, WireFrame, WireOrigin } from './driverProtocol';
import { clippedNote } from './outputClip';
import type { JobOutcome } from './supervisor';
import type { WasmValidator } from '../../wasm/validate';

/** A FormResult plus what the form printed while it was compiled. */
export interface SbclFormResult extends FormResult {
  /** Text the compiler (or a directive evaluated in the host) wrote to *standard-output*. */
  stdout?: string;
  /** Text written to *error-output*. */
  stderr?: string;
  /** Warnings signalled (and muffled) during the compile. */
  warnings?: number;
  /** True when the form was evaluated in the host (COMPILE-TO-WASM returned NIL). */
  directive?: boolean;
}

export async function formResultFromOutcome(outcome: JobOutcome, validator: WasmValidator): Promise<SbclFormResult> {
  switch (outcome.kind) {
    case 'crashed':
      return { status: 'crashed', errorType: 'crash', message: outcome.message };
    case 'hung':
      return { status: 'timeout', errorType: 'timeout', message: outcome.message };
    case 'reply':
      return formResultFromReply(outcome.reply, validator);
  }
}

/** The form's result from the driver's reply; Clysm's message (a condition's text, unbounded) is clipped. */
export async function formResultFromReply(reply: DriverReply, validator: WasmValidator): Promise<SbclFormResult> {
  const result = await resultFromReply(reply, validator);
  return result.message === undefined ? result : { ...result, message: clipText(result.message) };
}

async function resultFromReply(reply: DriverReply, validator: WasmValidator): Promise<SbclFormResult> {
  if (reply.type !== 'result') {
    const message = reply.type === 'error' ? reply.message : `unexpected driver reply of type ${reply.type}`;
    return { status: 'failed', errorType: 'driver-error', message };
  }
  const stdout = printed(reply.stdout, reply.stdout_clipped_bytes);
  const stderr = printed(reply.stderr, reply.stderr_clipped_bytes);
  const extra: SbclFormResult = {
    status: 'failed',
    durationMs: reply.compile_ms ?? reply.total_ms,
    ...(stdout ? { stdout } : {}),
    ...(stderr ? { stderr } : {}),
    ...(reply.warnings ? { warnings: reply.warnings } : {}),
    ...(reply.directive ? { directive: true } : {}),
  };
  switch (reply.status) {
    case 'compiled': {
      const wasm = new Uint8Array(Buffer.from(reply.wasm ?? '', 'base64'));
      const verdict = await validator.validate(wasm);
      if (verdict.valid) return { ...extra, status: 'compiled', bytes: wasm.length, wasm };
      return { ...extra, status: 'failed', errorType: 'wasm-validation-error', message: verdict.message, bytes: wasm.length, wasm };
    }
    case 'skipped':
      return { ...extra, status: 'skipped', message: reply.message };
    case 'timeout':
      return { ...extra, status: 'timeout', errorType: 'timeout', message: reply.message };
    case 'read-error':
      return { ...extra, status: 'read-error', errorType: 'read-error', message: reply.message };
    case 'failed': {
      const failed: SbclFormResult = { ...extra, status: 'failed', errorType: reply.error_type ?? 'compile-error', message: reply.message };
      if (reply.condition) failed.condition = reply.condition;
      const origin = originFromWire(reply.origin);
      if (origin) failed.origin = origin;
      return failed;
    }
  }
}

/** What the form printed, with the count of what the driver did not keep. */
function printed(kept: string | undefined, clippedBytes: number | undefined): string | undefined {
  if (!clippedBytes) return kept;
  return `${kept ?? ''}${kept?.endsWith('\n') ? '' : '\n'}${clippedNote(clippedBytes)}\n`;
}

function frameFromWire(wire: WireFrame): SourceFrame | undefined {
  if (typeof wire?.function !== 'string') return undefined;
  const frame: SourceFrame = { function: wire.function };
  if (typeof wire.file === 'string') frame.file = wire.file;
  if (Number.isInteger(wire.line)) frame.line = wire.line;
  if (Number.isInteger(wire.column)) frame.column = wire.column;
  return frame;
}

/** The driver's origin, when it has a file and a line (a frame without one cannot be opened). */
export function originFromWire(wire: WireOrigin | undefined): Origin | undefined {
  const frame = wire === undefined ? undefined : frameFromWire(wire);
  if (frame?.file === undefined || frame.line === undefined) return undefined;
  const origin: Origin = { ...frame, file: frame.file, line: frame.line, column: frame.column ?? 1 };
  const frames = (Array.isArray(wire?.frames) ? wire.frames : []).map(frameFromWire).filter((f) => f !== undefined);
  if (frames.length > 0) origin.frames = frames;
  return origin;
}
