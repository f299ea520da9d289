// Recognises "there is no Stage 1 yet" in the server's answers, so the client can offer
// Generate Stage 1 instead of a bare error. Pure: unit-tested against the server's own messages.
import type { DiffResult, FixedPointOutcome } from '../../../server/src/protocol';

/** True when a diff or a fixed-point check failed only because Stage 1 has not been generated. */
export function isMissingStage1(answer: Pick<DiffResult, 'problem'> | Pick<FixedPointOutcome, 'status'>): boolean {
  if ('status' in answer) return answer.status === 'missing-stage1';
  // The diff reports a missing file as `<label> not found: <path>`, with the label `Stage 1`.
  return answer.problem?.startsWith('Stage 1 not found') ?? false;
}
