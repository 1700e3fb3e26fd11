/**
 * Deletion by recording job, checked before it runs (issue 17): the job's query selects exactly the
 * planned conversations, its computed totals are compared with the plan before PROCESSING, a job
 * whose totals differ is cancelled and never executed (its set is deleted record by record), a
 * protected conversation's recordings are never deleted, and the job costs no call per conversation
 * after the re-verification read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorAction } from '../../../connectors/types.ts';
import { childId } from '../../../connectors/genesys/mapping.ts';
import { calls, ref, startRig, type Rig } from './fixtures.ts';


describe('genesys recording jobs checked against the plan', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(80, { gdprStepMs: 10 }, { bulkThreshold: 5 });
  });
  afterAll(() => rig.emu.stop());

  /** Recordings of conversations none of whose recordings is protected, each conversation wholly. */
  function wholeConversations(n: number, skip = 0): Array<{ conversationId: string; id: string }> {
    const store = rig.emu.store;
    const convs = [...new Set(rig.seed.recordings.map((r) => r.conversationId))].filter((c) => !store.protectedConversations.has(c) && store.recordingsOf(c).length > 0);
    return convs.slice(skip, skip + n).flatMap((c) => store.recordingsOf(c).map((r) => ({ conversationId: c, id: r.id })));
  }
  const actionsFor = (rs: Array<{ conversationId: string; id: string }>, prefix: string): ConnectorAction[] =>
    rs.map((r, i) => ({ id: `${prefix}${i}`, op: 'delete', target: ref('recording', childId(r.conversationId, r.id)) }));

  it('a job whose totals match the plan runs, and costs no call per conversation after the re-verification read', async () => {
    const targets = wholeConversations(12);
    const actions = actionsFor(targets, 'm');
    await rig.connector.get(actions.map((a) => a.target)); // apply re-verifies just before executing
    const before = { meta: calls(rig, 'recordingmetadata'), details: calls(rig, 'analytics/conversations/details') };
    const jobsBefore = new Set(rig.emu.store.jobs.keys());
    const out = await rig.connector.execute(actions);
    expect(out.map((o) => o.status)).toEqual(actions.map(() => 'done'));
    expect(targets.every((r) => !rig.emu.store.recordings.has(r.id))).toBe(true);
    const jobs = [...rig.emu.store.jobs.entries()].filter(([id]) => !jobsBefore.has(id)).map(([, w]) => w);
    expect(jobs.length).toBe(1);
    expect(jobs[0]!.history).toEqual(['PENDING', 'READY', 'PROCESSING', 'FULFILLED']);
    expect(jobs[0]!.job.totalConversations).toBe(12);
    expect(jobs[0]!.job.totalRecordings).toBe(targets.length);
    // No second read per conversation: the job's totals are the check.
    expect(calls(rig, 'recordingmetadata') - before.meta).toBe(0);
    expect(calls(rig, 'analytics/conversations/details') - before.details).toBe(0);
  });

  it('a job whose totals differ from the plan is cancelled, never executed, and its set is deleted record by record', async () => {
    const store = rig.emu.store;
    const targets = wholeConversations(6, 20);
    const actions = actionsFor(targets, 'x');
    const everyRecording = new Set(store.recordings.keys());
    const jobsBefore = new Set(store.jobs.keys());
    // The emulated org ignores the query's filters: the job selects every conversation of those days.
    store.recordingJobFaults.push('IGNORE_FILTERS');
    const out = await rig.connector.execute(actions);
    const jobs = [...store.jobs.entries()].filter(([id]) => !jobsBefore.has(id)).map(([, w]) => w);
    expect(jobs.length).toBe(1);
    expect(jobs[0]!.job.totalConversations).toBeGreaterThan(6);
    expect(jobs[0]!.history).not.toContain('PROCESSING');
    expect(jobs[0]!.job.state).toBe('CANCELLED');
    expect(jobs[0]!.job.totalProcessedRecordings).toBe(0);
    // Fallback: each planned recording deleted on its own; nothing else gone.
    expect(out.map((o) => o.status)).toEqual(actions.map(() => 'done'));
    expect(out.every((o) => o.externalId === undefined)).toBe(true);
    const gone = [...everyRecording].filter((id) => !store.recordings.has(id)).sort();
    expect(gone).toEqual(targets.map((r) => r.id).sort());
  });

  it('a conversation under deletion protection keeps its recordings; the others in the job are deleted and verified', async () => {
    const store = rig.emu.store;
    const targets = wholeConversations(8, 40);
    const held = targets[0]!.conversationId;
    const actions = actionsFor(targets, 'h');
    await rig.connector.get(actions.map((a) => a.target));
    // A hold placed after re-verification: Genesys protection makes the job skip that conversation.
    store.protectedConversations.add(held);
    const out = await rig.connector.execute(actions);
    for (const [i, r] of targets.entries()) {
      if (r.conversationId === held) {
        expect(store.recordings.has(r.id)).toBe(true);
        expect(out[i]).toMatchObject({ status: 'failed', detail: expect.stringMatching(/not deleted/) });
      } else {
        expect(store.recordings.has(r.id)).toBe(false);
        expect(out[i]!.status).toBe('done');
      }
    }
    store.protectedConversations.delete(held);
  });

  it('a conversation with a recording the plan does not name is never deleted by a job', async () => {
    const store = rig.emu.store;
    const targets = wholeConversations(6, 60);
    expect(targets.length).toBe(6);
    const c = targets[0]!.conversationId;
    // A second recording in the first conversation, not in the plan.
    const extra = { ...structuredClone(store.recordingsOf(c)[0]!), id: 'unplanned-recording' };
    store.load({ contacts: [], conversations: [], recordings: [extra], evaluations: [], protectedConversationIds: [] });
    const actions = actionsFor(targets, 'p');
    const everyRecording = new Set(store.recordings.keys());
    // Known from the re-verification read: the partly targeted conversation goes record by record.
    await rig.connector.get(actions.map((a) => a.target));
    const out = await rig.connector.execute(actions);
    expect(out.every((o) => o.status === 'done')).toBe(true);
    expect(store.recordings.has('unplanned-recording')).toBe(true);
    // Unknown (no read before): the job's totals show the extra recording; the job is cancelled.
    const more = wholeConversations(6, 30);
    expect(more.length).toBe(6);
    const c2 = more[0]!.conversationId;
    store.load({ contacts: [], conversations: [], recordings: [{ ...structuredClone(store.recordingsOf(c2)[0]!), id: 'unplanned-2' }], evaluations: [], protectedConversationIds: [] });
    const jobsBefore = new Set(store.jobs.keys());
    const fresh = (await import('../../../connectors/genesys/connector.ts')).createGenesysConnector({
      apiUrl: rig.emu.url, loginUrl: rig.emu.url, clientId: 'lethe-client', clientSecret: 'lethe-secret',
      rateLimitPerMinute: 1_000_000, rateBurst: 1000, baseDelayMs: 5, maxDelayMs: 50, jobPollMs: 10, bulkThreshold: 5,
    });
    const out2 = await fresh.execute(actionsFor(more, 'q'));
    expect(out2.every((o) => o.status === 'done')).toBe(true);
    expect(store.recordings.has('unplanned-2')).toBe(true);
    const jobs = [...store.jobs.entries()].filter(([id]) => !jobsBefore.has(id)).map(([, w]) => w);
    expect(jobs.map((w) => w.job.state)).toEqual(['CANCELLED']);
    const gone = [...everyRecording].filter((id) => !store.recordings.has(id));
    expect(gone.sort()).toEqual([...targets, ...more].map((r) => r.id).sort());
  });
});
