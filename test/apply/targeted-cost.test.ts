/**
 * Calls follow targets, never history (issue 17): apply's re-verification reads holds only for the
 * records it is about to touch, in batches, and a DSR lookup reads one analytics job over the
 * whole history instead of one query per 31-day window. Bounds are counts of emulator requests
 * per route, compared with what the history would cost; a hold placed after planning still wins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dryRun } from '../../runner/apply/index.ts';
import { collectSubject } from '../../runner/dsr/collect.ts';
import { makeWorld, type World } from './world.ts';

const APPLY_AT = new Date('2026-11-23T06:00:00Z');
const PROTECTION = 'POST /api/v2/recordings/deletionprotection';
const QUERY = 'POST /api/v2/analytics/conversations/details/query';
const JOBS = 'POST /api/v2/analytics/conversations/details/jobs';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ seed: 11, records: 1200 });
});
afterAll(() => w?.stop());

describe('targeted re-verification and discovery', () => {
  it('apply reads deletion protection only for the conversations of its targets, in batches of 100, and no history', async () => {
    const genesysTargets = w.plan.actions.filter((a) => a.target.system === 'genesys');
    expect(genesysTargets.length).toBeGreaterThan(0);
    const conversations = new Set(genesysTargets.map((a) => a.target.id.split(':')[0]));
    const held = [...conversations][0]!;
    w.sandbox.genesys.store.protectedConversations.add(held);
    w.sandbox.genesys.resetStats();
    const report = await dryRun(w.plan, { config: w.config, stateDir: w.config.spec.stateDir!, bundle: w.bundle, env: w.env, now: () => APPLY_AT });
    const routes = w.sandbox.genesys.stats().byRoute;
    // no scan of the history: no analytics job, no windowed query, no recording listing
    expect(routes[JOBS] ?? 0).toBe(0);
    expect(routes[QUERY] ?? 0).toBe(0);
    expect(routes['GET /api/v2/recordings/retention/query'] ?? 0).toBe(0);
    expect(routes[PROTECTION] ?? 0).toBeLessThanOrEqual(Math.ceil(conversations.size / 100) + genesysTargets.length / 50 + 2);
    expect(routes['GET /api/v2/conversations/:cid/recordingmetadata'] ?? 0).toBeLessThanOrEqual(conversations.size);
    expect(routes['GET /api/v2/conversations/:cid/recordingmetadata/:rid'] ?? 0).toBe(0);
    // the protection placed after planning still wins
    const skipped = report.wouldSkip.filter((s) => s.reason.includes('genesys-deletion-protection'));
    expect(skipped.length).toBe(genesysTargets.filter((a) => a.target.id.split(':')[0] === held).length);
    w.sandbox.genesys.store.protectedConversations.delete(held);
  });

  it('a DSR lookup costs one analytics job, not one query per 31-day window, and checks holds on the subject only', async () => {
    const contact = [...w.sandbox.genesys.store.contacts.values()].find((c) => c.workEmail && [...w.sandbox.genesys.store.conversations.values()].some((v) => v.participants.some((p) => p.externalContactId === c.id)))!;
    const cs = w.connectors();
    w.sandbox.genesys.resetStats();
    const found = await collectSubject(cs, [`email:${contact.workEmail!.toLowerCase()}`]);
    await Promise.all(cs.map((c) => c.close()));
    const routes = w.sandbox.genesys.stats().byRoute;
    expect(found.records.some((r) => r.system === 'genesys' && r.type === 'conversation')).toBe(true);
    // one job per lookup round (at most 6 rounds), and the synchronous query only past the lake's watermark
    expect(routes[JOBS]).toBeLessThanOrEqual(found.rounds.length);
    expect(routes[QUERY] ?? 0).toBeLessThanOrEqual(found.rounds.length);
    const subjectConversations = found.records.filter((r) => r.system === 'genesys' && r.type === 'conversation').length;
    expect(routes[PROTECTION] ?? 0).toBeLessThanOrEqual(found.rounds.length + Math.ceil(subjectConversations / 100) + 1);
    const total = Object.entries(routes).filter(([k]) => k !== 'POST /oauth/token').reduce((n, [, v]) => n + v, 0);
    expect(total).toBeLessThan(60 * found.rounds.length);
  });
});
