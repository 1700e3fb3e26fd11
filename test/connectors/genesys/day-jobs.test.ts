/**
 * Whole days deleted by interval (issue 17): when a batch plans every recorded conversation of a
 * UTC day, one recording job whose query is just the days' interval selects exactly the planned
 * set — its totals at READY equal the plan's only then. A day with one conversation the plan does
 * not name never runs an interval job: it is cancelled and the day goes to jobs naming each
 * conversation (a large day is first narrowed down by checked jobs over parts of its interval).
 * Properties: over random plans, small days and large ones, no unplanned recording is ever
 * deleted and a protected conversation never loses a recording.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorAction } from '../../../connectors/types.ts';
import type { Interaction, Person } from '../../../connectors/generate/world.ts';
import { childId } from '../../../connectors/genesys/mapping.ts';
import { genesysSeedForPerson } from '../../../connectors/genesys/seed.ts';
import { calls, makePerson, ref, startRig, type Rig } from './fixtures.ts';

const DAY = 86_400_000;

describe('genesys recording jobs by whole days', () => {
  let rig: Rig;
  let people = 0;
  beforeAll(async () => {
    rig = await startRig(0, { gdprStepMs: 10 }, { bulkThreshold: 5 });
  });
  afterAll(() => rig.emu.stop());

  /** Loads `perDay[i]` recorded voice conversations on each day from `firstDay` (one person each); their ids by day. */
  function loadDays(firstDay: string, perDay: number[], mediaType: Interaction['mediaType'] = 'voice', spacingMs = 600_000): string[][] {
    const byDay: string[][] = [];
    for (const [d, n] of perDay.entries()) {
      const ids: string[] = [];
      for (let k = 0; k < n; k++) {
        const base = makePerson(100_000 + people++);
        const start = new Date(Date.parse(firstDay) + d * DAY + (k + 1) * spacingMs).toISOString();
        const it: Interaction = { key: `${base.key}-d`, mediaType, direction: 'inbound', start, end: new Date(Date.parse(start) + 300_000).toISOString(), address: mediaType === 'voice' ? base.phones[0]! : base.emails[0]!, recorded: true, evaluated: false, queue: 'Support' };
        const p: Person = { ...base, interactions: [it] };
        const before = new Set(rig.emu.store.conversations.keys());
        rig.emu.store.load({ ...genesysSeedForPerson(p, []), contacts: [] });
        ids.push(...[...rig.emu.store.conversations.keys()].filter((c) => !before.has(c)));
      }
      byDay.push(ids);
    }
    rig.emu.store.invalidate();
    return byDay;
  }

  const actionsFor = (convs: readonly string[], prefix: string): ConnectorAction[] =>
    convs.flatMap((c) => rig.emu.store.recordingsOf(c).map((r) => ({ id: `${prefix}:${r.id}`, op: 'delete' as const, target: ref('recording', childId(c, r.id)) })));

  const newJobs = (before: Set<string>) => [...rig.emu.store.jobs.entries()].filter(([id]) => !before.has(id)).map(([, w]) => w);

  /** Re-verifies and deletes `actions` (every one expected done); the recording jobs that created. */
  async function deleteAll(actions: ConnectorAction[]): Promise<ReturnType<typeof newJobs>> {
    const before = new Set(rig.emu.store.jobs.keys());
    await rig.connector.get(actions.map((a) => a.target));
    const out = await rig.connector.execute(actions);
    expect(out.map((o) => o.status)).toEqual(actions.map(() => 'done'));
    return newJobs(before);
  }

  /**
   * One random case over conversations `all` of each `kind`: planned, unplanned, or held before or
   * after the re-verification read (held-after ones are planned). No unplanned or held recording is
   * deleted; every planned action is done but the held-after ones, which fail.
   */
  async function checkCase(all: readonly string[], kind: ReadonlyMap<string, string>, prefix: string): Promise<void> {
    const store = rig.emu.store;
    for (const [c, k] of kind) if (k === 'held-before') store.protectedConversations.add(c);
    const planned = all.filter((c) => kind.get(c) === 'planned' || kind.get(c) === 'held-after');
    const keep = new Set(all.filter((c) => kind.get(c) !== 'planned').flatMap((c) => store.recordingsOf(c).map((r) => r.id)));
    const actions = actionsFor(planned, prefix);
    if (actions.length > 0) {
      await rig.connector.get(actions.map((a) => a.target));
      // A hold placed after re-verification (the plan and the read did not see it).
      for (const [c, k] of kind) if (k === 'held-after') store.protectedConversations.add(c);
      const out = await rig.connector.execute(actions);
      for (const id of keep) expect(store.recordings.has(id)).toBe(true);
      for (const [i, a] of actions.entries()) expect(out[i]!.status).toBe(kind.get(a.target.id.split(':')[0]!) === 'held-after' ? 'failed' : 'done');
    }
    for (const c of all) store.protectedConversations.delete(c);
  }

  it('three whole days planned (115 conversations): one job selected by the interval alone runs, no job per 100 conversations', async () => {
    const days = loadDays('2023-02-06T00:00:00.000Z', [40, 45, 30]);
    const actions = actionsFor(days.flat(), 'w');
    const posts = calls(rig, 'POST /api/v2/recording/jobs');
    const jobs = await deleteAll(actions);
    expect(jobs.length).toBe(1);
    expect(calls(rig, 'POST /api/v2/recording/jobs') - posts).toBe(1);
    const q = jobs[0]!.job.recordingJobsQuery.conversationQuery!;
    expect(q.conversationFilters).toBeUndefined();
    expect(q.interval).toBe('2023-02-06T00:00:00.000Z/2023-02-09T00:00:00.000Z');
    expect(jobs[0]!.history).toEqual(['PENDING', 'READY', 'PROCESSING', 'FULFILLED']);
    expect(days.flat().every((c) => rig.emu.store.recordingsOf(c).length === 0)).toBe(true);
  });

  it('retention differs by media: the due voice calls of days that still hold their chats go in one job filtered by media', async () => {
    const voice = loadDays('2023-04-03T00:00:00.000Z', [60, 60]);
    const chats = loadDays('2023-04-03T00:00:00.000Z', [3, 2], 'chat').flat();
    const kept = chats.flatMap((c) => rig.emu.store.recordingsOf(c).map((r) => r.id));
    const actions = actionsFor(voice.flat(), 'v');
    const jobs = await deleteAll(actions);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((id) => rig.emu.store.recordings.has(id))).toBe(true);
    expect(jobs.map((w) => w.history.at(-1))).toEqual(['FULFILLED']);
    expect(jobs[0]!.job.recordingJobsQuery.conversationQuery!.segmentFilters).toEqual([{ type: 'or', predicates: [{ type: 'dimension', dimension: 'mediaType', value: 'voice' }] }]);
  });

  it('a day with one conversation the plan does not name never runs an interval job; that conversation keeps its recordings', async () => {
    const days = loadDays('2023-03-06T00:00:00.000Z', [110, 110]);
    const unplanned = days[1]![3]!;
    const kept = rig.emu.store.recordingsOf(unplanned).map((r) => r.id);
    const planned = days.flat().filter((c) => c !== unplanned);
    const actions = actionsFor(planned, 'u');
    const jobs = await deleteAll(actions);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((id) => rig.emu.store.recordings.has(id))).toBe(true);
    for (const w of jobs) {
      const q = w.job.recordingJobsQuery.conversationQuery!;
      // Every job that ran either named its conversations or covered only days the plan names whole.
      if (w.history.includes('PROCESSING') && !q.conversationFilters) expect(q.interval.startsWith('2023-03-06')).toBe(true);
    }
    const intervalOnly = jobs.filter((w) => !w.job.recordingJobsQuery.conversationQuery!.conversationFilters);
    // both days (cancelled), then day 1 alone (ran) and day 2 alone (cancelled); day 2 then by id (100 + 9)
    expect(intervalOnly.filter((w) => w.history.includes('CANCELLED')).length).toBe(2);
    expect(intervalOnly.filter((w) => w.job.state === 'FULFILLED').length).toBe(1);
    expect(jobs.filter((w) => w.job.recordingJobsQuery.conversationQuery!.conversationFilters && w.job.state === 'FULFILLED').length).toBe(2);
  });

  it('a large day whose last conversations are not planned (the next batch or the next month deletes them): all but the last 100 by one checked prefix job, the rest by id', async () => {
    const [day] = loadDays('2023-07-03T00:00:00.000Z', [600], 'voice', 120_000);
    const late = day!.slice(-3);
    const kept = late.flatMap((c) => rig.emu.store.recordingsOf(c).map((r) => r.id));
    const actions = actionsFor(day!.slice(0, -3), 't');
    const jobs = await deleteAll(actions);
    expect(kept.length).toBe(3);
    expect(kept.every((id) => rig.emu.store.recordings.has(id))).toBe(true);
    // the day (cancelled), the day but its last 100 planned conversations (ran), those 100 by id (ran)
    expect(jobs.map((w) => w.history.at(-1))).toEqual(['CANCELLED', 'FULFILLED', 'FULFILLED']);
    const prefix = jobs[1]!.job.recordingJobsQuery.conversationQuery!;
    expect(prefix.interval.startsWith('2023-07-03T00:00:00.000Z/2023-07-03T')).toBe(true);
    expect(prefix.startOfDayIntervalMatching).toBe(true);
    expect(jobs[1]!.job.totalConversations).toBe(497);
    expect(jobs[2]!.job.recordingJobsQuery.conversationQuery!.conversationFilters).toBeDefined();
  });

  it('a large day with a protected conversation in the middle: narrowed by checked jobs over parts of the day; the protected one keeps its recordings', async () => {
    const [day] = loadDays('2023-07-10T00:00:00.000Z', [700], 'voice', 120_000);
    const held = day![350]!;
    rig.emu.store.protectedConversations.add(held);
    const kept = rig.emu.store.recordingsOf(held).map((r) => r.id);
    const actions = actionsFor(day!.filter((c) => c !== held), 'h');
    const jobs = await deleteAll(actions);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((id) => rig.emu.store.recordings.has(id))).toBe(true);
    // Only the ≤ 100 planned conversations around the held one, and the day's last 100, are named by id.
    expect(jobs.filter((w) => w.job.recordingJobsQuery.conversationQuery!.conversationFilters).length).toBe(2);
    // Every job that ran selected planned conversations only: it never counted the held one.
    for (const w of jobs.filter((x) => x.history.includes('PROCESSING'))) expect(w.job.totalSkippedRecordings).toBe(0);
    expect(jobs.filter((w) => w.history.includes('PROCESSING') && !w.job.recordingJobsQuery.conversationQuery!.startOfDayIntervalMatching && !w.job.recordingJobsQuery.conversationQuery!.conversationFilters).length).toBe(1);
    rig.emu.store.protectedConversations.delete(held);
  });

  it('random large days narrowed down (unplanned and held conversations anywhere, also the last ones): no unplanned recording is ever deleted, protected conversations keep theirs', async () => {
    let block = 0;
    const jobsBefore = new Set(rig.emu.store.jobs.keys());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 260, max: 420 }), { minLength: 1, maxLength: 2 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('unplanned', 'held-after', 'held-before')), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (perDay, specials, lateTail) => {
          const first = new Date(Date.parse('2021-01-04T00:00:00.000Z') + block++ * 7 * DAY).toISOString();
          const all = loadDays(first, perDay, 'voice', 180_000).flat();
          const kind = new Map(all.map((c): [string, string] => [c, 'planned']));
          for (const [at, k] of specials) kind.set(all[Math.floor((at * all.length) / 1000)]!, k);
          if (lateTail) for (const c of all.slice(-2)) kind.set(c, 'unplanned');
          await checkCase(all, kind, `n${block}`);
        },
      ),
      { numRuns: 12, seed: 17 },
    );
    // Parts of days ran (prefixes with startOfDayIntervalMatching, rests by activity), and parts were cancelled.
    const interval = newJobs(jobsBefore).filter((w) => !w.job.recordingJobsQuery.conversationQuery!.conversationFilters);
    const partial = interval.filter((w) => !w.job.recordingJobsQuery.conversationQuery!.interval.endsWith('T00:00:00.000Z'));
    expect(partial.filter((w) => w.job.state === 'FULFILLED').length).toBeGreaterThan(0);
    expect(partial.filter((w) => w.job.state === 'CANCELLED').length).toBeGreaterThan(0);
  });

  it('days of 100 conversations or fewer are named by id: an interval job would not save a job', async () => {
    const days = loadDays('2023-05-01T00:00:00.000Z', [30, 30]);
    const actions = actionsFor(days.flat(), 's');
    const jobs = await deleteAll(actions);
    expect(jobs.length).toBe(1);
    expect(jobs[0]!.job.recordingJobsQuery.conversationQuery!.conversationFilters).toBeDefined();
  });

  it('random plans over whole and partial days: no unplanned recording is ever deleted, protected conversations keep theirs', async () => {
    let block = 0;
    const jobsBefore = new Set(rig.emu.store.jobs.keys());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 20, max: 70 }), fc.boolean()), { minLength: 1, maxLength: 3 }),
        fc.infiniteStream(fc.constantFrom('planned', 'planned', 'planned', 'planned', 'unplanned', 'held-after', 'held-before')),
        async (spec, kinds) => {
          const first = new Date(Date.parse('2022-01-03T00:00:00.000Z') + block++ * 7 * DAY).toISOString();
          const days = loadDays(first, spec.map(([n]) => n));
          const it = kinds[Symbol.iterator]();
          // A whole day: every conversation planned; a mixed day: each planned, unplanned or held.
          const kind = new Map(days.flatMap((d, i) => d.map((c): [string, string] => [c, spec[i]![1] ? 'planned' : (it.next().value as string)])));
          await checkCase(days.flat(), kind, `p${block}`);
        },
      ),
      { numRuns: 20, seed: 17 },
    );
    // The property covered both outcomes: interval jobs that ran, and ones cancelled before running.
    const interval = newJobs(jobsBefore).filter((w) => !w.job.recordingJobsQuery.conversationQuery!.conversationFilters);
    expect(interval.filter((w) => w.job.state === 'FULFILLED').length).toBeGreaterThan(0);
    expect(interval.filter((w) => w.job.state === 'CANCELLED').length).toBeGreaterThan(0);
  });
});
