/**
 * Re-verification and discovery follow targets in batches (issue 17), counted per emulator route:
 * recordings are re-read at conversation level (no call per conversation), external contacts by
 * bulk fetch (100 a call); a partial bulk answer or a 429 storm never yields a shorter map; a
 * recording job that FAILS midway reports only what it really deleted; a discovery reads each
 * recorded conversation's recordings once, however many lookup rounds find it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorAction } from '../../../connectors/types.ts';
import { childId } from '../../../connectors/genesys/mapping.ts';
import { refKey } from '../../../engine/records.ts';
import { collectSubject } from '../../../runner/dsr/collect.ts';
import { calls, ref, startRig, type Rig } from './fixtures.ts';


describe('genesys batched re-verification and discovery', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(240, { gdprStepMs: 10 }, { bulkThreshold: 10 });
  });
  afterAll(() => rig.emu.stop());

  const recordedConversations = (): string[] => {
    const store = rig.emu.store;
    return [...new Set(rig.seed.recordings.map((r) => r.conversationId))].filter((c) => store.recordingsOf(c).length > 0 && !store.protectedConversations.has(c));
  };

  it('re-reads recordings of 150 conversations and 150 contacts with calls per 100 targets, none per conversation or contact', async () => {
    const convs = recordedConversations().slice(0, 150);
    expect(convs.length).toBe(150);
    const recRefs = convs.flatMap((c) => rig.emu.store.recordingsOf(c).map((r) => ref('recording', childId(c, r.id))));
    const contactIds = [...rig.emu.store.contacts.keys()].slice(0, 150);
    expect(contactIds.length).toBe(150);
    const refs = [...recRefs, ...contactIds.map((id) => ref('external-contact', id)), ref('external-contact', '00000000-0000-4000-8000-00000000dead')];
    rig.emu.resetStats();
    const got = await rig.connector.get(refs);
    expect(calls(rig, 'recordingmetadata')).toBe(0);
    expect(calls(rig, '/unresolved')).toBe(2); // the bulk fetch, 100 ids a call
    expect(calls(rig, 'GET /api/v2/externalcontacts/contacts/')).toBe(0);
    expect(calls(rig, 'GET /api/v2/analytics/conversations/details')).toBe(2);
    for (const r of recRefs) expect(got.get(refKey(r))?.type).toBe('recording');
    for (const id of contactIds) expect(got.get(refKey(ref('external-contact', id)))?.id).toBe(id);
    expect(got.get(refKey(refs[refs.length - 1]!))).toBeNull();
  });

  it('the hold check\'s read of the conversations just re-read for their recordings costs no second call, once', async () => {
    const convs = recordedConversations().slice(0, 30);
    const recRefs = convs.map((c) => ref('recording', childId(c, rig.emu.store.recordingsOf(c)[0]!.id)));
    rig.emu.resetStats();
    await rig.connector.get(recRefs);
    const first = await rig.connector.get(convs.map((c) => ref('conversation', c)));
    expect(calls(rig, 'GET /api/v2/analytics/conversations/details')).toBe(1);
    const again = await rig.connector.get(convs.map((c) => ref('conversation', c)));
    expect(calls(rig, 'GET /api/v2/analytics/conversations/details')).toBe(2);
    for (const c of convs) expect(first.get(refKey(ref('conversation', c)))?.id).toBe(again.get(refKey(ref('conversation', c)))?.id);
  });

  it('a bulk contact answer that leaves an id out is an incomplete read, never a shorter map', async () => {
    const ids = [...rig.emu.store.contacts.keys()].slice(0, 20).map((id) => ref('external-contact', id));
    rig.emu.faults.set({ partialPageRate: 1, routes: ['bulk/contacts'] });
    try {
      await expect(rig.connector.get(ids)).rejects.toThrow(/does not account for every id/);
    } finally {
      rig.emu.faults.set({});
    }
  });

  it('a 429 storm on the batched reads ends in the same complete answer', async () => {
    const convs = [...rig.emu.store.conversations.keys()].slice(0, 250);
    const refs = [
      ...convs.map((c) => ref('conversation', c)),
      ...[...rig.emu.store.contacts.keys()].slice(0, 200).map((id) => ref('external-contact', id)),
    ];
    const calm = await rig.connector.get(refs);
    rig.emu.faults.set({ seed: 3, rate429Rate: 0.5, routes: ['bulk/contacts', 'analytics/conversations/details'] });
    try {
      const stormy = await rig.connector.get(refs);
      expect(rig.emu.faults.injected['429']).toBeGreaterThan(0);
      expect([...stormy.keys()]).toEqual([...calm.keys()]);
      for (const [k, v] of calm) expect(stormy.get(k)?.id).toBe(v?.id);
    } finally {
      rig.emu.faults.set({});
    }
  });

  it('a recording job that FAILS midway: only what it really deleted is done, the rest failed', async () => {
    const store = rig.emu.store;
    const convs = recordedConversations().slice(160, 172);
    const targets = convs.flatMap((c) => store.recordingsOf(c).map((r) => ({ c, id: r.id })));
    expect(targets.length).toBeGreaterThanOrEqual(12);
    const actions: ConnectorAction[] = targets.map((t, i) => ({ id: `f${i}`, op: 'delete', target: ref('recording', childId(t.c, t.id)) }));
    store.recordingJobFaults.push('FAIL_MIDWAY');
    const jobsBefore = new Set(store.jobs.keys());
    const out = await rig.connector.execute(actions);
    const job = [...store.jobs.entries()].filter(([id]) => !jobsBefore.has(id)).map(([, w]) => w);
    expect(job.map((w) => w.job.state)).toEqual(['FAILED']);
    const deleted = targets.filter((t) => !store.recordings.has(t.id)).length;
    expect(deleted).toBe(Math.floor(targets.length / 2));
    targets.forEach((t, i) => expect(out[i]!.status).toBe(store.recordings.has(t.id) ? 'failed' : 'done'));
  });

  it('a discovery reads each recorded conversation of the subject once, however many rounds find it', async () => {
    const person = rig.people.find((p) => p.emails.length > 0 && p.phones.length > 0 && p.interactions.filter((i) => i.recorded).length >= 2)!;
    const cs = [rig.connector];
    rig.emu.resetStats();
    const found = await collectSubject(cs, [`email:${person.emails[0]!.toLowerCase()}`]);
    expect(found.rounds.length).toBeGreaterThanOrEqual(2);
    const subjectConversations = found.records.filter((r) => r.type === 'conversation').map((r) => r.id);
    const recorded = subjectConversations.filter((c) => rig.emu.store.conversations.get(c)?.participants.some((p) => p.sessions.some((s) => s.recording)));
    expect(calls(rig, 'recordingmetadata')).toBe(recorded.length);
    // Nothing is lost: one lookup with every identifier the discovery expanded to finds the same records.
    const once = await rig.connector.lookup(found.expanded);
    const ids = (rs: readonly { type: string; id: string }[], t: string): string[] => rs.filter((r) => r.type === t).map((r) => r.id).sort();
    for (const t of ['recording', 'conversation', 'legal-hold', 'evaluation']) expect(ids(found.records, t)).toEqual(ids(once, t));
  });
});
