/**
 * What a schedule runs: a map from job kind (the config's `job`) to an async function. The lead
 * plugs in plan/apply/snapshot; until then every kind is a stub that says clearly it is not
 * configured (and fails the run, so nobody believes a purge happened).
 */
import type { Logger } from '../log.ts';

export const JOB_KINDS = ['plan', 'apply', 'snapshot', 'dsr-poll', 'hold-sync'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface JobContext {
  /** Schedule name from the config. */
  schedule: string;
  job: JobKind;
  /** The cron slot this run serves (ISO). */
  scheduledFor: string;
  reason: 'scheduled' | 'catch-up';
  logger: Logger;
  /** Aborted when the scheduler stops; long jobs should stop at a safe point. */
  signal: AbortSignal;
}

export type JobFn = (ctx: JobContext) => Promise<void>;
export type JobRegistry = Partial<Record<JobKind, JobFn>>;

export class JobNotConfiguredError extends Error {
  constructor(job: string) {
    super(`job "${job}" is not configured in this build of the runner: nothing was done`);
    this.name = 'JobNotConfiguredError';
  }
}

/** A registry where every job kind logs "not configured" and fails. */
export function stubJobs(): Record<JobKind, JobFn> {
  const stub =
    (job: JobKind): JobFn =>
    async (ctx) => {
      ctx.logger.warn({ schedule: ctx.schedule, job }, `job "${job}" is not configured: nothing was done`);
      throw new JobNotConfiguredError(job);
    };
  return Object.fromEntries(JOB_KINDS.map((k) => [k, stub(k)])) as Record<JobKind, JobFn>;
}
