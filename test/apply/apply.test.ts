/** lethe apply against the emulators: refusals, a full run, idempotent resume, audit. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUTATING_OPS } from '../../engine/plan/types.ts';
import { refKey } from '../../engine/records.ts';
import { applyPlan, dryRun } from '../../runner/apply/index.ts';
import { verifyAuditLog } from '../../runner/audit/index.ts';
import { readJournal } from '../../runner/journal/index.ts';
import { makeWorld, remainingKeys, type World } from './world.ts';

let w: World;
beforeAll(async () => {
  w = await makeWorld();
});
afterAll(async () => w?.stop());

const opts = () => ({ config: w.config, stateDir: w.config.spec.stateDir!, bundle: w.bundle, env: w.env, now: () => new Date('2026-11-23T06:00:00Z') });

describe('lethe apply: refusals', () => {
  it('refuses an edited plan', async () => {
    const tampered = { ...w.plan, actions: w.plan.actions.slice(1) };
    await expect(applyPlan(tampered, opts())).rejects.toThrow(/hash does not verify/);
  });
  it('refuses a plan made from another bundle, and a stale plan', async () => {
    await expect(applyPlan(w.plan, { ...opts(), bundle: { ...w.bundle, hash: 'sha256:other' } })).rejects.toThrow(/approved bundle/);
    await expect(applyPlan(w.plan, { ...opts(), config: { ...w.config, spec: { ...w.config.spec, limits: { maxSnapshotAge: 'PT1H' } } } })).rejects.toThrow(/older than the allowed PT1H/);
  });
  it('refuses a plan over a blast-radius limit without an approval of its exact hash', async () => {
    const strict = await makeWorld({ seed: 12, records: 300, limits: { maxActions: 1, maxPercent: 1 } });
    try {
      expect(strict.plan.needsApproval).toBe(true);
      const o = { config: strict.config, stateDir: strict.config.spec.stateDir!, bundle: strict.bundle, env: strict.env, now: () => new Date('2026-11-23T06:00:00Z') };
      await expect(applyPlan(strict.plan, o)).rejects.toThrow(/not approved/);
      await expect(applyPlan(strict.plan, { ...o, approveHash: 'sha256:' + '0'.repeat(64) })).rejects.toThrow(/not approved/);
      writeFileSync(strict.config.spec.approvalsFile!, `- planHash: "${strict.plan.hash}"\n  approvedBy: dpo@example.com\n  reason: first retention run reviewed in PR 12\n  at: 2026-11-23T05:00:00Z\n`);
      const r = await applyPlan(strict.plan, { ...o, approvalsFile: strict.config.spec.approvalsFile! });
      expect(r.failed).toEqual([]);
      expect(r.done.length + r.gone.length + r.skipped.length + r.pending.length).toBe(strict.plan.actions.length);
    } finally {
      await strict.stop();
    }
  });
});

describe('lethe apply: a full run', () => {
  it('dry-run changes nothing', async () => {
    const before = await remainingKeys(w);
    const r = await dryRun(w.plan, opts());
    expect(r.wouldRun).toBeGreaterThan(0);
    expect(await remainingKeys(w)).toEqual(before);
  });
  it('deletes every delete target, keeps every protected record, and journals and audits every action', async () => {
    const before = await remainingKeys(w);
    const r = await applyPlan(w.plan, opts());
    expect(r.failed).toEqual([]);
    const after = await remainingKeys(w);
    const deletes = w.plan.actions.filter((a) => a.op === 'delete');
    expect(deletes.length).toBeGreaterThan(20);
    for (const a of deletes) if (!r.skipped.some((s) => s.id === a.id)) expect(after.has(refKey(a.target)), refKey(a.target)).toBe(false);
    for (const p of w.plan.protected) if (before.has(refKey(p.target))) expect(after.has(refKey(p.target))).toBe(true);
    // nothing that was not a target disappeared
    const targets = new Set(w.plan.actions.filter((a) => (MUTATING_OPS as readonly string[]).includes(a.op)).map((a) => refKey(a.target)));
    for (const k of before) if (!after.has(k)) expect(targets.has(k) || k.includes('/recording/') || k.includes('/task/') || k.includes('/event/') || k.includes('/legal-hold/'), k).toBe(true);
    const journal = await readJournal(w.config.spec.stateDir!, w.plan.hash);
    for (const a of w.plan.actions) expect(['done', 'skipped', 'failed', 'pending']).toContain(journal.states.get(a.id)?.state);
    const audit = await verifyAuditLog(join(w.config.spec.stateDir!, 'audit.jsonl'));
    expect(audit.ok).toBe(true);
    expect(audit.entries).toBeGreaterThan(w.plan.actions.length);
    const log = readFileSync(join(w.config.spec.stateDir!, 'audit.jsonl'), 'utf8');
    expect(log).not.toMatch(/email:|phone:|@example/);
    // Every anonymisation done is an identity.anonymisation event naming its target (issue 22).
    const entries = log.trim().split('\n').map((l) => JSON.parse(l) as { type: string; data?: { action?: string; plan?: string } });
    const anonymised = w.plan.actions.filter((a) => a.op === 'anonymize' && r.done.includes(a.id)).map((a) => a.id).sort();
    expect(anonymised.length).toBeGreaterThan(0);
    const events = entries.filter((e) => e.type === 'identity.anonymisation');
    expect(events.map((e) => e.data?.action).sort()).toEqual(anonymised);
    for (const e of events) expect(e.data?.plan).toBe(w.plan.hash);
  });
  it('a second apply of the same plan repeats nothing', async () => {
    const calls = w.sandbox.salesforce.stats().requests + w.sandbox.genesys.stats().requests;
    const r = await applyPlan(w.plan, opts());
    expect(r.done.length + r.gone.length + r.failed.length).toBe(0);
    expect(r.alreadyFinished).toBe(w.plan.actions.length - r.skipped.length);
    // nothing left to do: not even the hold re-read is needed, only the login-free journal replay
    expect(w.sandbox.salesforce.stats().requests + w.sandbox.genesys.stats().requests - calls).toBeLessThan(5);
  });
});
