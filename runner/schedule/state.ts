/**
 * Scheduler state, `<stateDir>/schedule.json`: per schedule, when it was first seen and its last
 * run. Replaced atomically after every change, so a crash leaves the old or the new state.
 *
 * `lastScheduledFor` (the slot a run served) is written when a run finishes, so a run cut short by
 * a crash leaves it unchanged and the slot is caught up on the next start.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../journal/durable.ts';

export interface JobRunState {
  /** When the scheduler first saw this schedule: slots before it are never caught up. */
  since: string;
  lastScheduledFor?: string;
  lastStartedAt?: string;
  lastFinishedAt?: string;
  lastStatus?: 'running' | 'ok' | 'failed';
  /** Short error text of the last failed run (no personal data: jobs must not put it in errors). */
  lastError?: string;
}

export interface ScheduleState {
  version: 1;
  jobs: Record<string, JobRunState>;
}

export function scheduleStatePath(stateDir: string): string {
  return join(stateDir, 'schedule.json');
}

export class ScheduleStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleStateError';
  }
}

export async function readScheduleState(file: string): Promise<ScheduleState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, jobs: {} };
    throw err;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ScheduleStateError(`${file}: not valid JSON (${(err as Error).message}); fix or remove it (jobs then restart from their next slot)`);
  }
  const s = v as Partial<ScheduleState>;
  if (s === null || typeof s !== 'object' || s.version !== 1 || s.jobs === null || typeof s.jobs !== 'object' || Array.isArray(s.jobs)) {
    throw new ScheduleStateError(`${file}: expected {"version":1,"jobs":{…}}`);
  }
  for (const [name, j] of Object.entries(s.jobs)) {
    if (j === null || typeof j !== 'object' || typeof j.since !== 'string' || Number.isNaN(Date.parse(j.since))) {
      throw new ScheduleStateError(`${file}: job "${name}" has no valid "since"`);
    }
    if (j.lastScheduledFor !== undefined && Number.isNaN(Date.parse(j.lastScheduledFor))) throw new ScheduleStateError(`${file}: job "${name}" has an invalid lastScheduledFor`);
  }
  return s as ScheduleState;
}

export async function writeScheduleState(file: string, state: ScheduleState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}
