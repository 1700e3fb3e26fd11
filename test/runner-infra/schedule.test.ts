import { stubJobs } from '../../runner/schedule/jobs.ts';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSchedule } from '../../runner/cli/commands/schedule.ts';
import { UserError } from '../../runner/cli/errors.ts';
import { acquireLock } from '../../runner/lock.ts';
import { createLogger } from '../../runner/log.ts';
import { nextRuns, previousRun } from '../../runner/schedule/cron.ts';
import type { JobContext, JobRegistry } from '../../runner/schedule/jobs.ts';
import { Scheduler, type ScheduleEntry } from '../../runner/schedule/scheduler.ts';
import { runOnce, startScheduler } from '../../runner/schedule/start.ts';
import { readScheduleState, scheduleStatePath } from '../../runner/schedule/state.ts';
import { memoryStream, tempDir } from './helpers.ts';

const quiet = createLogger({ destination: memoryStream().stream, level: 'silent' });
const nightly: ScheduleEntry = { name: 'nightly', cron: '0 2 * * *', job: 'apply' };

function recorder(): { jobs: JobRegistry; calls: JobContext[] } {
  const calls: JobContext[] = [];
  const fn = async (ctx: JobContext): Promise<void> => {
    calls.push(ctx);
  };
  return { jobs: { apply: fn, plan: fn, snapshot: fn }, calls };
}

async function withState(dir: string, jobs: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(scheduleStatePath(dir), JSON.stringify({ version: 1, jobs }));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('cron helpers', () => {
  it('finds the latest slot at or before now, in the schedule’s time zone', () => {
    expect(previousRun('0 2 * * *', 'UTC', new Date('2024-05-03T02:00:00Z'))?.toISOString()).toBe('2024-05-03T02:00:00.000Z');
    expect(previousRun('0 2 * * *', 'UTC', new Date('2024-05-03T01:59:59Z'))?.toISOString()).toBe('2024-05-02T02:00:00.000Z');
    expect(previousRun('0 2 * * *', 'Europe/Dublin', new Date('2024-05-03T10:00:00Z'))?.toISOString()).toBe('2024-05-03T01:00:00.000Z');
    expect(nextRuns('30 1 * * 1', 'UTC', new Date('2024-05-01T00:00:00Z'), 2).map((d) => d.toISOString())).toEqual(['2024-05-06T01:30:00.000Z', '2024-05-13T01:30:00.000Z']);
  });
});

describe('scheduler core (fake clock)', () => {
  it('records a baseline for a new schedule and runs nothing at once', async () => {
    const dir = await tempDir();
    const { jobs, calls } = recorder();
    const s = new Scheduler({ schedules: [nightly], jobs, stateDir: dir, logger: quiet, now: () => new Date('2024-05-03T10:00:00Z') });
    await s.init();
    expect(await s.runDue()).toEqual([]);
    expect(calls).toHaveLength(0);
    expect((await readScheduleState(scheduleStatePath(dir))).jobs.nightly?.since).toBe('2024-05-03T10:00:00.000Z');
  });

  it('catches up a run missed while down, once, then waits for the next slot', async () => {
    const dir = await tempDir();
    await withState(dir, { nightly: { since: '2024-04-01T00:00:00.000Z', lastScheduledFor: '2024-05-01T02:00:00.000Z', lastStatus: 'ok' } });
    let now = new Date('2024-05-03T10:00:00Z');
    const { jobs, calls } = recorder();
    const s = new Scheduler({ schedules: [nightly], jobs, stateDir: dir, logger: quiet, now: () => now });
    await s.init();
    const reports = await s.runDue();
    expect(reports).toEqual([expect.objectContaining({ schedule: 'nightly', status: 'ok', reason: 'catch-up', scheduledFor: '2024-05-03T02:00:00.000Z' })]);
    expect(calls).toHaveLength(1);
    expect(await s.runDue()).toEqual([]);
    now = new Date('2024-05-04T02:00:00Z');
    expect(s.dueSlot('nightly')?.toISOString()).toBe('2024-05-04T02:00:00.000Z');
    expect((await s.trigger('nightly')).status).toBe('ok');
    expect((await s.trigger('nightly')).status).toBe('not-due');
    const state = await readScheduleState(scheduleStatePath(dir));
    expect(state.jobs.nightly).toMatchObject({ lastScheduledFor: '2024-05-04T02:00:00.000Z', lastStatus: 'ok' });
  });

  it('never runs a job while the same job still runs', async () => {
    const dir = await tempDir();
    await withState(dir, { a: { since: '2024-01-01T00:00:00.000Z' }, b: { since: '2024-01-01T00:00:00.000Z' } });
    const gate = deferred();
    let running = 0;
    let peak = 0;
    let calls = 0;
    const jobs: JobRegistry = {
      apply: async () => {
        calls++;
        running++;
        peak = Math.max(peak, running);
        await gate.promise;
        running--;
      },
    };
    const schedules: ScheduleEntry[] = [{ name: 'a', cron: '*/5 * * * *', job: 'apply' }, { name: 'b', cron: '0 * * * *', job: 'apply' }];
    const s = new Scheduler({ schedules, jobs, stateDir: dir, logger: quiet, now: () => new Date('2024-05-03T10:00:00Z') });
    await s.init();
    const first = s.trigger('a');
    await new Promise((r) => setImmediate(r));
    expect(s.isRunning('apply')).toBe(true);
    expect(await s.trigger('a')).toMatchObject({ status: 'skipped-overlap' });
    expect(await s.trigger('b')).toMatchObject({ status: 'skipped-overlap' });
    gate.resolve();
    expect((await first).status).toBe('ok');
    expect(peak).toBe(1);
    expect(calls).toBe(1);
    // The skipped slot of b is still due (caught up later), a's is served.
    expect(s.dueSlot('b')).not.toBeNull();
    expect(s.dueSlot('a')).toBeNull();
  });

  it('re-runs a slot whose run was cut short by a crash, and records failures', async () => {
    const dir = await tempDir();
    await withState(dir, { nightly: { since: '2024-04-01T00:00:00.000Z', lastScheduledFor: '2024-05-02T02:00:00.000Z', lastStartedAt: '2024-05-03T02:00:01.000Z', lastStatus: 'running' } });
    const jobs: JobRegistry = { apply: async () => { throw new Error('connector down'); } };
    const s = new Scheduler({ schedules: [nightly], jobs, stateDir: dir, logger: quiet, now: () => new Date('2024-05-03T03:00:00Z') });
    await s.init();
    const [r] = await s.runDue();
    expect(r).toMatchObject({ status: 'failed', error: 'connector down', scheduledFor: '2024-05-03T02:00:00.000Z' });
    expect((await readScheduleState(scheduleStatePath(dir))).jobs.nightly).toMatchObject({ lastStatus: 'failed', lastError: 'connector down' });
    expect(await s.runDue()).toEqual([]);
  });

  it('rejects a damaged state file clearly', async () => {
    const dir = await tempDir();
    await writeFile(scheduleStatePath(dir), '{"version":1,"jobs":{"x":{}}}');
    const s = new Scheduler({ schedules: [nightly], jobs: {}, stateDir: dir, logger: quiet });
    await expect(s.init()).rejects.toThrow(/job "x" has no valid "since"/);
  });
});

describe('scheduler runtime', () => {
  it('refuses to start while another runner holds the lock', async () => {
    const dir = await tempDir();
    const held = await acquireLock(join(dir, 'scheduler.lock'), { purpose: 'other runner' });
    await expect(runOnce({ schedules: [nightly], jobs: {}, stateDir: dir, logger: quiet })).rejects.toThrow(/other runner/);
    await held.release();
    await runOnce({ schedules: [nightly], jobs: {}, stateDir: dir, logger: quiet });
  });

  it('fires jobs with node-cron and catches up at start', async () => {
    const dir = await tempDir();
    await withState(dir, { tick: { since: '2024-01-01T00:00:00.000Z' } });
    const calls: JobContext[] = [];
    const second = deferred();
    const jobs: JobRegistry = {
      snapshot: async (ctx) => {
        calls.push(ctx);
        if (calls.length === 2) second.resolve();
      },
    };
    const running = await startScheduler({ schedules: [{ name: 'tick', cron: '* * * * * *', job: 'snapshot' }], jobs, stateDir: dir, logger: quiet });
    await expect(startScheduler({ schedules: [], jobs, stateDir: dir, logger: quiet })).rejects.toThrow(/lock is held/);
    await running.catchUp;
    await second.promise;
    await running.stop();
    expect(calls[0]!.reason).toBe('catch-up');
    expect(calls[1]!.reason).toBe('scheduled');
    expect(calls[1]!.scheduledFor > calls[0]!.scheduledFor).toBe(true);
  });
});

describe('lethe schedule command', () => {
  async function config(dir: string, schedules: string): Promise<string> {
    const file = join(dir, 'runner.yaml');
    await writeFile(
      file,
      `apiVersion: lethe.dev/v1
kind: RunnerConfig
metadata: {name: test, version: 1.0.0, owner: ops@example.com, description: Test runner.}
spec:
  connectors: {}
  stateDir: state
${schedules}`,
    );
    return file;
  }
  const SCHEDULES = `  schedules:
    - {name: nightly-apply, job: apply, cron: "0 2 * * *", timezone: Europe/Dublin}
    - {name: hourly-plan, job: plan, cron: "15 * * * *"}
`;

  it('--list prints the next runs of each schedule', async () => {
    const dir = await tempDir();
    const file = await config(dir, SCHEDULES);
    let out = '';
    const code = await runSchedule({ config: file, list: 2 }, { out: (t) => (out += t), now: () => new Date('2024-05-03T10:00:00Z') });
    expect(code).toBe(0);
    expect(out).toBe(
      'nightly-apply  apply  "0 2 * * *" Europe/Dublin\n  2024-05-04T01:00:00.000Z\n  2024-05-05T01:00:00.000Z\n' +
        'hourly-plan  plan  "15 * * * *" UTC\n  2024-05-03T10:15:00.000Z\n  2024-05-03T11:15:00.000Z\n',
    );
  });

  it('--once runs what is due; stub jobs fail loudly as not configured', async () => {
    const dir = await tempDir();
    const file = await config(dir, SCHEDULES);
    await withState(join(dir, 'state'), { 'nightly-apply': { since: '2024-05-01T00:00:00.000Z' }, 'hourly-plan': { since: '2024-05-03T10:20:00.000Z' } });
    let out = '';
    const logs = memoryStream();
    const code = await runSchedule({ config: file, once: true }, { jobs: stubJobs(), out: (t) => (out += t), now: () => new Date('2024-05-03T10:30:00Z'), logger: createLogger({ destination: logs.stream }) });
    expect(code).toBe(1);
    expect(out).toBe('nightly-apply  apply  2024-05-03T01:00:00.000Z  failed: job "apply" is not configured in this build of the runner: nothing was done\n');
    expect(logs.text()).toContain('not configured');
    const { calls, jobs } = recorder();
    let again = '';
    expect(await runSchedule({ config: file, once: true }, { jobs, out: (t) => (again += t), now: () => new Date('2024-05-03T11:20:00Z'), logger: quiet })).toBe(0);
    expect(calls.map((c) => c.schedule)).toEqual(['hourly-plan']);
    expect(again).toContain('hourly-plan  plan  2024-05-03T11:15:00.000Z  ok');
  });

  it('prints config problems and refuses a held lock with a clear message', async () => {
    const dir = await tempDir();
    const bad = await config(dir, '  schedules:\n    - {name: x, job: apply, cron: "0 25 * * *"}\n');
    const err = await runSchedule({ config: bad, once: true }, { logger: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(String(err)).toMatch(/runner\.yaml:\d+:\d+ .*cron/);
    const file = await config(dir, SCHEDULES);
    const held = await acquireLock(join(dir, 'state', 'scheduler.lock'), { purpose: 'lethe schedule' });
    await expect(runSchedule({ config: file, once: true }, { logger: quiet })).rejects.toThrow(/another runner is active/);
    await held.release();
    // Refused before touching any state.
    await expect(readFile(join(dir, 'state', 'schedule.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
