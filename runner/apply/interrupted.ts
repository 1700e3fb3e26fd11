/**
 * A run that stops part-way because a read was incomplete (fail closed, DESIGN §4.7) or a batch
 * call ended without per-record results: one clear line for the person at the terminal (exit 1,
 * no stack trace) that says truthfully whether anything was changed and that a re-run resumes.
 */
import { UserError } from '../cli/errors.ts';
import { safeDetail, type ApplyResult } from './context.ts';

/** A batch call ended without per-record results: its calls may or may not have happened. */
export class UncertainBatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UncertainBatchError';
  }
}

export class ApplyInterruptedError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'ApplyInterruptedError';
  }
}

const READ_ERRORS = new Set(['IncompleteReadError']);

/** The error to throw for `err` raised while running batches (other errors pass unchanged). */
export function interrupted(err: unknown, result: ApplyResult): unknown {
  if (!(err instanceof Error)) return err;
  const changed = result.done.length + result.pending.length;
  const detail = safeDetail(err.message).split('\n')[0];
  if (err instanceof UncertainBatchError) return new ApplyInterruptedError(`apply stopped: ${detail}`);
  if (!READ_ERRORS.has(err.name)) return err;
  if (changed === 0) return new ApplyInterruptedError(`apply stopped before changing anything: a read was incomplete (${detail}); nothing was changed by this run; re-run lethe apply with the same plan`);
  return new ApplyInterruptedError(`apply stopped: a read was incomplete (${detail}) after ${changed} action(s) were carried out (journaled, not repeated); re-run lethe apply with the same plan to resume`);
}
