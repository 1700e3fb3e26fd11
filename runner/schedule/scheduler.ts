/**
 * The scheduler core, independent of real time: `runDue()` runs every schedule whose latest slot
 * (at or before now) has not been served, `trigger()` runs one schedule for its current slot.
 * A job kind never runs twice at once: a trigger while it runs is skipped (and logged), and the
 * slot stays unserved so it is caught up on the next start.
 *
 * A schedule seen for the first time only records `since`: slots before the scheduler knew about
 * it are not caught up (a fresh deployment does not run an apply at once).
 *
 * `start.ts` adds the lock and node-cron; tests drive this class with a fake clock.
 */
import type { Logger } from '../log.ts';
import { previousRun } from './cron.ts';
import { JOB_KINDS, type JobFn, type JobKind, type JobRegistry } from './jobs.ts';
import { readScheduleState, scheduleStatePath, writeScheduleState, type ScheduleState } from './state.ts';
import type { StateStore } from '../state/types.ts';

export interface ScheduleEntry {
  name: string;
  cron: string;
  timezone?: string;
  job: JobKind;
}

export type RunStatus = 'ok' | 'failed' | 'skipped-overlap' | 'not-due';

export interface RunReport {
  schedule: string;
  job: JobKind;
  scheduledFor: string | null;
  reason: 'scheduled' | 'catch-up';
  status: RunStatus;
  error?: string;
}

export interface SchedulerOptions {
  schedules: readonly ScheduleEntry[];
  jobs: JobRegistry;
  stateDir: string;
  /** Where the schedule state lives (default `<stateDir>/schedule.json`). */
  state?: Pick<StateStore, 'readScheduleState' | 'writeScheduleState'>;
  logger: Logger;
  now?: () => Date;
}

const MAX_ERROR = 300;

export class Scheduler {
  private readonly opts: SchedulerOptions;
  private readonly now: () => Date;
  private state: ScheduleState = { version: 1, jobs: {} };
  private readonly running = new Map<JobKind, Promise<RunReport>>();
  private saving: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(options: SchedulerOptions) {
    const names = new Set<string>();
    for (const s of options.schedules) {
      if (names.has(s.name)) throw new Error(`two schedules are named "${s.name}"`);
      names.add(s.name);
      if (!(JOB_KINDS as readonly string[]).includes(s.job)) throw new Error(`schedule "${s.name}": unknown job "${s.job}"`);
    }
    this.opts = options;
    this.now = options.now ?? (() => new Date());
  }

  get file(): string {
    return scheduleStatePath(this.opts.stateDir);
  }

  /** Loads the state and records `since` for schedules seen for the first time. */
  async init(): Promise<void> {
    this.state = this.opts.state ? await this.opts.state.readScheduleState() : await readScheduleState(this.file);
    const at = this.now().toISOString();
    let changed = false;
    for (const s of this.opts.schedules) {
      const j = this.state.jobs[s.name];
      if (!j) {
        this.state.jobs[s.name] = { since: at };
        changed = true;
        this.opts.logger.info({ schedule: s.name, job: s.job }, 'new schedule: runs from its next slot');
      } else if (j.lastStatus === 'running') {
        this.opts.logger.warn({ schedule: s.name, job: s.job, startedAt: j.lastStartedAt }, 'the previous run was interrupted; its slot will be caught up');
      }
    }
    if (changed) await this.save();
  }

  snapshot(): ScheduleState {
    return structuredClone(this.state);
  }

  /**
   * The slot a schedule should serve now, or null when its latest slot was already served. `at`
   * (a cron tick's own time) guards against a timer that fires a little early.
   */
  dueSlot(name: string, at?: Date): Date | null {
    const s = this.entry(name);
    const j = this.state.jobs[name];
    const now = this.now();
    const ref = at && at.getTime() > now.getTime() ? at : now;
    const slot = previousRun(s.cron, s.timezone ?? 'UTC', ref);
    if (!slot || !j) return null;
    const served = Date.parse(j.lastScheduledFor ?? j.since);
    return slot.getTime() > served ? slot : null;
  }

  /** Runs (concurrently) every schedule that has an unserved slot; resolves when all have ended. */
  async runDue(reason: 'scheduled' | 'catch-up' = 'catch-up'): Promise<RunReport[]> {
    const runs = this.opts.schedules.filter((s) => this.dueSlot(s.name)).map((s) => this.trigger(s.name, reason));
    return Promise.all(runs);
  }

  /** Runs one schedule for its current slot, unless that job kind is already running. */
  trigger(name: string, reason: 'scheduled' | 'catch-up' = 'scheduled', at?: Date): Promise<RunReport> {
    const s = this.entry(name);
    const slot = this.dueSlot(name, at);
    const base = { schedule: name, job: s.job, reason, scheduledFor: slot?.toISOString() ?? null };
    if (!slot) return Promise.resolve({ ...base, status: 'not-due' });
    if (this.running.has(s.job)) {
      this.opts.logger.warn({ schedule: name, job: s.job, scheduledFor: base.scheduledFor }, 'skipped: the same job is still running (no overlap)');
      return Promise.resolve({ ...base, status: 'skipped-overlap' });
    }
    const run = this.execute(s, slot, reason).finally(() => this.running.delete(s.job));
    this.running.set(s.job, run);
    return run;
  }

  /** Is this job kind running now? */
  isRunning(job: JobKind): boolean {
    return this.running.has(job);
  }

  /** Signals running jobs to stop at a safe point and waits for them. */
  async stop(): Promise<void> {
    this.abort.abort(new Error('scheduler stopping'));
    await Promise.allSettled([...this.running.values()]);
    await this.saving;
  }

  private async execute(s: ScheduleEntry, slot: Date, reason: 'scheduled' | 'catch-up'): Promise<RunReport> {
    const scheduledFor = slot.toISOString();
    const log = this.opts.logger.child({ schedule: s.name, job: s.job, scheduledFor, reason });
    const j = this.state.jobs[s.name]!;
    Object.assign(j, { lastStartedAt: this.now().toISOString(), lastStatus: 'running' });
    await this.save();
    const fn: JobFn | undefined = this.opts.jobs[s.job];
    let error: string | undefined;
    log.info('job started');
    try {
      if (!fn) throw new Error(`no function registered for job "${s.job}"`);
      await fn({ schedule: s.name, job: s.job, scheduledFor, reason, logger: log, signal: this.abort.signal });
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR);
    }
    Object.assign(j, { lastScheduledFor: scheduledFor, lastFinishedAt: this.now().toISOString(), lastStatus: error ? 'failed' : 'ok' });
    if (error) j.lastError = error;
    else delete j.lastError;
    await this.save();
    if (error) log.error({ error }, 'job failed');
    else log.info('job finished');
    return { schedule: s.name, job: s.job, scheduledFor, reason, status: error ? 'failed' : 'ok', ...(error ? { error } : {}) };
  }

  private entry(name: string): ScheduleEntry {
    const s = this.opts.schedules.find((x) => x.name === name);
    if (!s) throw new Error(`no schedule named "${name}"`);
    return s;
  }

  private save(): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(this.state)) as ScheduleState;
    const next = this.saving.then(() => (this.opts.state ? this.opts.state.writeScheduleState(snapshot) : writeScheduleState(this.file, snapshot)));
    this.saving = next.catch(() => undefined);
    return next;
  }
}
