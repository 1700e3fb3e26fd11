import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorAction } from '../../../connectors/types.ts';
import { seedUuid } from '../../../connectors/genesys/seed.ts';
import { childId } from '../../../connectors/genesys/mapping.ts';
import { startGenesysEmulator } from '../../../connectors/genesys/emulator/index.ts';
import { createGenesysConnector } from '../../../connectors/genesys/connector.ts';
import { collect, startRig, WORLD_NOW, WORLD_START, type Rig } from './fixtures.ts';
import { rawClient, token } from './raw.ts';

const ref = (type: string, id: string) => ({ system: 'genesys', type, id });

describe('genesys connector: lookup, get, execute', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(60, { gdprStepMs: 10 }, { bulkThreshold: 10 });
  });
  afterAll(() => rig.emu.stop());

  it('lookup by one e-mail finds the whole merge set, conversations, recordings and evaluations', async () => {
    const person = rig.people[5]!; // p000006: merge set of 3
    const recs = await rig.connector.lookup([`email:${person.emails[1]!.toUpperCase()}`]);
    const byType = (t: string) => recs.filter((r) => r.type === t).map((r) => r.id).sort();
    expect(byType('external-contact')).toEqual([0, 1, 2].map((i) => seedUuid('contact', `${person.key}#${i}`)).sort());
    expect(byType('conversation')).toEqual(person.interactions.map((i) => seedUuid('conversation', i.key)).sort());
    expect(byType('recording')).toEqual(
      person.interactions.filter((i) => i.recorded).map((i) => childId(seedUuid('conversation', i.key), seedUuid('recording', i.key))).sort(),
    );
    expect(byType('evaluation').length).toBe(person.interactions.filter((i) => i.evaluated).length);
  });

  it('re-logs in once on 401 and counts API calls', async () => {
    const before = rig.connector.apiCalls();
    rig.emu.expireTokens();
    const got = await rig.connector.get([ref('external-contact', seedUuid('contact', 'p000001#0'))]);
    expect([...got.values()][0]?.id).toBe(seedUuid('contact', 'p000001#0'));
    const after = rig.connector.apiCalls();
    expect(after.logins).toBe(before.logins + 1);
    expect(after.calls).toBeGreaterThan(before.calls);
  });

  it('deletes contacts, recordings and evaluations; a second delete is gone; protected recordings refuse', async () => {
    const store = rig.emu.store;
    const ev = rig.seed.evaluations[0]!;
    const rec = rig.seed.recordings.find((r) => !store.protectedConversations.has(r.conversationId))!;
    const held = rig.seed.recordings.find((r) => store.protectedConversations.has(r.conversationId))!;
    const contact = seedUuid('contact', 'p000010#0');
    const actions: ConnectorAction[] = [
      { id: 'c', op: 'delete', target: ref('external-contact', contact) },
      { id: 'r', op: 'delete', target: ref('recording', childId(rec.conversationId, rec.id)) },
      { id: 'e', op: 'delete', target: ref('evaluation', childId(ev.conversation.id, ev.id)) },
      { id: 'h', op: 'delete', target: ref('recording', childId(held.conversationId, held.id)) },
    ];
    const out = await rig.connector.execute(actions);
    expect(out.map((o) => o.status)).toEqual(['done', 'done', 'done', 'failed']);
    expect(out[3]!.detail).toContain('recording.deletion.protected');
    expect(store.recordings.has(rec.id)).toBe(false);
    expect(store.recordings.has(held.id)).toBe(true);
    const again = await rig.connector.execute(actions.slice(0, 3));
    expect(again.map((o) => o.status)).toEqual(['gone', 'gone', 'gone']);
    const got = await rig.connector.get(actions.map((a) => a.target));
    // Recordings are re-read at conversation level (no call per conversation): the deleted one's
    // conversation still has its recorded session, so `get` still answers it; its absence is found
    // where it is deleted (the PUT above answered 404: gone).
    expect([...got.values()].map((r) => r === null)).toEqual([true, false, true, false]);
  });

  it('deletes large recording sets with bulk jobs, never more than 2 at once', async () => {
    const store = rig.emu.store;
    const targets = rig.seed.recordings.filter((r) => !store.protectedConversations.has(r.conversationId) && store.recordings.has(r.id)).slice(0, 30);
    let maxActive = 0;
    const timer = setInterval(() => {
      const active = [...store.jobs.values()].filter((w) => w.job.state === 'PENDING' || w.job.state === 'PROCESSING').length;
      maxActive = Math.max(maxActive, active);
    }, 2);
    const out = await rig.connector.execute(targets.map((r, i) => ({ id: `b${i}`, op: 'delete', target: ref('recording', childId(r.conversationId, r.id)) })));
    clearInterval(timer);
    expect(out.every((o) => o.status === 'done')).toBe(true);
    expect(out.some((o) => o.externalId)).toBe(true);
    expect(targets.every((r) => !store.recordings.has(r.id))).toBe(true);
    expect(maxActive).toBeLessThanOrEqual(2);
    expect(rig.emu.stats().byRoute['POST /api/v2/recording/jobs']).toBeGreaterThan(0);
    expect((await rig.connector.poll!(out.find((o) => o.externalId)!.externalId!)).status).toBe('done');
  });

  it('the emulator refuses a third concurrent recording job with a 4xx error body', async () => {
    const emu = await startGenesysEmulator({ gdprStepMs: 3_600_000 }); // jobs stay PENDING
    const call = rawClient(emu, await token(emu));
    const body = { action: 'DELETE', conversationQuery: { interval: '2030-01-01T00:00:00Z/2030-01-02T00:00:00Z' } };
    const a = await call('POST', '/api/v2/recording/jobs', body);
    const b = await call('POST', '/api/v2/recording/jobs', body);
    const c = await call('POST', '/api/v2/recording/jobs', body);
    expect([a.status, b.status, c.status]).toEqual([202, 202, 400]);
    expect(c.body).toMatchObject({ status: 400, code: 'recording.jobs.max.concurrent' });
    for (const j of [a, b]) expect((await call('DELETE', `/api/v2/recording/jobs/${j.body.id}`)).status).toBe(204);
    expect((await call('POST', '/api/v2/recording/jobs', body)).status).toBe(202);
    await emu.stop();
  });

  it('protects and unprotects conversations, refusing before the org cap is exceeded', async () => {
    const convs = rig.seed.conversations.filter((c) => !rig.emu.store.protectedConversations.has(c.conversationId)).slice(0, 3);
    const acts = convs.map((c, i): ConnectorAction => ({ id: `p${i}`, op: 'protect', target: ref('conversation', c.conversationId) }));
    expect((await rig.connector.execute(acts)).map((o) => o.status)).toEqual(['done', 'done', 'done']);
    const holds = (await collect(rig.connector.stream('legal-hold'))).map((r) => r.id);
    expect(holds).toEqual(expect.arrayContaining(convs.map((c) => c.conversationId)));
    expect((await rig.connector.execute(acts.map((a) => ({ ...a, op: 'unprotect' as const })))).every((o) => o.status === 'done')).toBe(true);
    const count = rig.emu.store.protectedConversations.size;
    const capped = createGenesysConnector({
      apiUrl: rig.emu.url, loginUrl: rig.emu.url, clientId: 'lethe-client', clientSecret: 'lethe-secret',
      since: WORLD_START, now: () => new Date(WORLD_NOW), maxProtected: count + 2,
    });
    const out = await capped.execute(acts);
    expect(out.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
    expect(out[0]!.detail).toMatch(/would exceed the org limit/);
    expect(rig.emu.store.protectedConversations.size).toBe(count);
    // The emulator enforces its own cap too.
    rig.emu.store.options.maxProtected = count + 2;
    const { rawClient: rc, token: tk } = await import('./raw.ts');
    const res = await rc(rig.emu, await tk(rig.emu))('PUT', '/api/v2/recordings/deletionprotection?protect=true', { conversationIds: convs.map((c) => c.conversationId) });
    expect(res.body).toMatchObject({ status: 400, code: 'recording.deletion.protection.limit.exceeded' });
    rig.emu.store.options.maxProtected = 1000;
  });
});
