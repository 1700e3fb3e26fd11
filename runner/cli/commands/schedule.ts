/**
 * `lethe schedule --config FILE [--once] [--list N]`: run the schedules of a RunnerConfig.
 * Relative `stateDir` paths are taken from the config file's folder (default `.lethe` there).
 */
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { formatProblem, hasErrors, loadConfigFile } from '../../../engine/load/index.ts';
import type { RunnerConfig } from '../../../engine/schema/index.ts';
import { LockHeldError } from '../../lock.ts';
import { createLogger, type Logger } from '../../log.ts';
import { checkCron, CronError, nextRuns } from '../../schedule/cron.ts';
import { type JobKind, type JobRegistry } from '../../schedule/jobs.ts';
import { runnerJobs } from '../../schedule/runner-jobs.ts';
import type { ScheduleEntry } from '../../schedule/scheduler.ts';
import { runOnce, startScheduler } from '../../schedule/start.ts';
import { UserError } from '../errors.ts';
import { openState } from '../../state/index.ts';

export interface ScheduleCommandOptions {
  config: string;
  once?: boolean;
  list?: number;
  /** Wait to become the leader instead of refusing to start while another runner leads. */
  standby?: boolean;
}

export interface ScheduleDeps {
  /** Job functions (default: stubs that report "not configured"). */
  jobs?: JobRegistry;
  now?: () => Date;
  logger?: Logger;
  out?: (text: string) => void;
  /** Resolves when the long-running scheduler should stop (default: SIGINT or SIGTERM). */
  until?: Promise<void>;
}

export interface LoadedSchedules {
  stateDir: string;
  config: RunnerConfig;
  schedules: ScheduleEntry[];
}

/** Loads the config and checks every cron expression; problems become a `UserError`. */
export async function loadSchedules(file: string): Promise<LoadedSchedules> {
  const { config, problems } = await loadConfigFile(file);
  if (!config || hasErrors(problems)) {
    throw new UserError(`the config has problems:\n${problems.map(formatProblem).join('\n')}`);
  }
  const spec = (config as RunnerConfig).spec;
  const schedules: ScheduleEntry[] = (spec.schedules ?? []).map((s) => ({
    name: s.name,
    cron: s.cron,
    job: s.job as JobKind,
    ...(s.timezone ? { timezone: s.timezone } : {}),
  }));
  for (const s of schedules) {
    try {
      checkCron(s.cron, s.timezone);
    } catch (err) {
      if (err instanceof CronError) throw new UserError(`${file}: schedule "${s.name}": ${err.message}`);
      throw err;
    }
  }
  return { stateDir: resolve(dirname(file), spec.stateDir ?? '.lethe'), schedules, config: config as RunnerConfig };
}

function untilSignal(): Promise<void> {
  return new Promise((res) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      res();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/** Runs the command; returns the exit code. */
export async function runSchedule(options: ScheduleCommandOptions, deps: ScheduleDeps = {}): Promise<number> {
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  const now = deps.now ?? (() => new Date());
  const { stateDir, schedules, config } = await loadSchedules(options.config);
  if (options.list !== undefined) {
    for (const s of schedules) {
      out(`${s.name}  ${s.job}  "${s.cron}" ${s.timezone ?? 'UTC'}\n`);
      for (const d of nextRuns(s.cron, s.timezone ?? 'UTC', now(), options.list)) out(`  ${d.toISOString()}\n`);
    }
    if (schedules.length === 0) out('no schedules in the config\n');
    return 0;
  }
  if (schedules.length === 0) throw new UserError(`${options.config}: no schedules to run (add spec.schedules)`);
  const logger = deps.logger ?? createLogger({ name: 'scheduler' });
  const state = await openState(config, { base: dirname(resolve(options.config)) });
  const base = { schedules, jobs: deps.jobs ?? runnerJobs(options.config), stateDir, state, leader: state, ...(options.standby ? { leaderRetries: Number.MAX_SAFE_INTEGER } : {}), logger, now };
  try {
    if (options.once) {
      const reports = await runOnce(base);
      for (const r of reports) out(`${r.schedule}  ${r.job}  ${r.scheduledFor ?? '-'}  ${r.status}${r.error ? `: ${r.error}` : ''}\n`);
      if (reports.length === 0) out('nothing due\n');
      return reports.some((r) => r.status === 'failed') ? 1 : 0;
    }
    const running = await startScheduler(base);
    logger.info({ schedules: schedules.map((s) => s.name), stateDir }, 'scheduler started');
    await (deps.until ?? untilSignal());
    logger.info('scheduler stopping: waiting for running jobs');
    await running.stop();
    return 0;
  } catch (err) {
    if (err instanceof LockHeldError) throw new UserError(`another runner is active: ${err.message}`);
    throw err;
  } finally {
    await state.close();
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('expected an integer from 1 to 1000');
  return n;
}

export function register(program: Command): void {
  program
    .command('schedule')
    .description(
      'Run the scheduled jobs of a runner config (cron expressions under spec.schedules). Catches up a run missed while the scheduler was down, never runs a job while the same job is still running, and refuses to start while another runner holds <stateDir>/scheduler.lock.',
    )
    .requiredOption('-c, --config <file>', 'runner config file (kind: RunnerConfig)')
    .option('--once', 'run whatever is due now, then exit (exit 1 if a job failed)')
    .option('--list <n>', 'print the next N run times of each schedule and exit', positiveInt)
    .option('--standby', 'while another runner leads (holds the scheduler lock), wait and take over when it stops or dies, instead of refusing to start (with state in PostgreSQL the lock is released when its runner dies)')
    .action(async (opts: ScheduleCommandOptions) => {
      process.exitCode = await runSchedule(opts);
    });
}
