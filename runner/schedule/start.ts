/**
 * The scheduler at run time: takes `<stateDir>/scheduler.lock` (refusing to start when another
 * live runner holds it), catches up missed slots, then lets node-cron fire each schedule.
 * `runOnce` does the first two and returns: what is due runs, then it exits.
 */
import { join } from 'node:path';
import nodeCron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import { acquireLock, type Lock, type LockOptions } from '../lock.ts';
import type { Logger } from '../log.ts';
import type { StateStore } from '../state/types.ts';
import { Scheduler, type RunReport, type SchedulerOptions } from './scheduler.ts';

export const SCHEDULER_LOCK = 'scheduler.lock';

export interface StartOptions extends SchedulerOptions {
  lock?: Omit<LockOptions, 'purpose'>;
  /** Take leadership from this state store (an advisory lock in PostgreSQL) instead of the lock file. */
  leader?: Pick<StateStore, 'lock'>;
  /** While another runner leads: look again this many times before giving up (a standby runner). */
  leaderRetries?: number;
}

export interface RunningScheduler {
  scheduler: Scheduler;
  /** Resolves with the catch-up runs started at start-up. */
  catchUp: Promise<RunReport[]>;
  /** Stops the cron tasks, waits for running jobs, releases the lock. */
  stop(): Promise<void>;
}

async function lockFor(options: StartOptions): Promise<Pick<Lock, 'release'>> {
  if (options.leader) return options.leader.lock('scheduler', { purpose: 'lethe schedule', ...(options.leaderRetries !== undefined ? { retries: options.leaderRetries } : {}) });
  return acquireLock(join(options.stateDir, SCHEDULER_LOCK), { ...options.lock, purpose: 'lethe schedule' });
}

function cronLogger(logger: Logger): CronLogger {
  return {
    info: (m) => logger.debug({ source: 'node-cron' }, m),
    warn: (m) => logger.warn({ source: 'node-cron' }, m),
    error: (m) => logger.error({ source: 'node-cron' }, m instanceof Error ? m.message : m),
    debug: (m) => logger.debug({ source: 'node-cron' }, m instanceof Error ? m.message : m),
  };
}

/** Runs whatever is due now, then releases the lock. */
export async function runOnce(options: StartOptions): Promise<RunReport[]> {
  const lock = await lockFor(options);
  try {
    const scheduler = new Scheduler(options);
    await scheduler.init();
    const reports = await scheduler.runDue('catch-up');
    await scheduler.stop();
    return reports;
  } finally {
    await lock.release();
  }
}

export async function startScheduler(options: StartOptions): Promise<RunningScheduler> {
  const lock = await lockFor(options);
  let tasks: ScheduledTask[] = [];
  try {
    const scheduler = new Scheduler(options);
    await scheduler.init();
    const log = options.logger;
    tasks = options.schedules.map((s) =>
      nodeCron.schedule(
        s.cron,
        (ctx) => {
          scheduler.trigger(s.name, 'scheduled', ctx.date).catch((err: unknown) => {
            log.error({ schedule: s.name, error: err instanceof Error ? err.message : String(err) }, 'could not run the schedule');
          });
        },
        { timezone: s.timezone ?? 'UTC', name: `lethe:${s.name}`, logger: cronLogger(log), suppressMissedWarning: true },
      ),
    );
    const catchUp = scheduler.runDue('catch-up');
    let stopped = false;
    return {
      scheduler,
      catchUp,
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const t of tasks) await t.destroy();
        await scheduler.stop();
        await catchUp.catch(() => undefined);
        await lock.release();
      },
    };
  } catch (err) {
    for (const t of tasks) await t.destroy();
    await lock.release();
    throw err;
  }
}
