/**
 * End to end against the emulators (real HTTP): holds in every id form reach identity records,
 * and a conflicting hold record fails safe, in the plan and in apply's re-check.
 * - a Legal_Hold__c naming a Contact by its 15-character id (Record_Id__c) protects the contact and
 *   its Individual;
 * - an active-but-expired Legal_Hold__c keeps protecting its contact and that contact's Individual,
 *   and is listed in summary.holdConflicts;
 * - a plan made before both holds existed is applied: the re-check refuses those four deletions.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorsFromConfig } from '../../runner/connections.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';
import { takeSnapshot } from '../../runner/take-snapshot.ts';
import { runPlan } from '../../runner/cli/commands/plan.ts';
import { applyPlan } from '../../runner/apply/index.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import type { Plan } from '../../engine/plan/types.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { HMAC_KEY, NOW, useTestKeys } from './world.ts';

useTestKeys();

let sandbox: Sandbox;
let dir: string;
let config: RunnerConfig;
let env: NodeJS.ProcessEnv;
let policies: string;

const retentionDoc = (type: string) => ({
  apiVersion: 'lethe.dev/v1',
  kind: 'RetentionPolicy',
  metadata: { name: `sf-${type}-1d`, version: '1.0.0', owner: 'test@example.com', description: `every ${type} older than a day` },
  spec: { appliesTo: { system: 'salesforce', type }, retainFor: 'P1D', then: 'delete' },
});

async function snapshotAndPlan(name: string): Promise<Plan> {
  const cs = connectorsFromConfig(config, env);
  const snap = join(dir, name);
  await takeSnapshot(cs, snap, { createdAt: NOW });
  await Promise.all(cs.map((c) => c.close()));
  return runPlan({ policies, snapshot: snap, now: NOW, format: 'json', config: join(dir, 'lethe.yaml') });
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 23, records: 200, now: NOW });
  dir = mkdtempSync(join(tmpdir(), 'lethe-idholds-'));
  env = { ...process.env, ...sandbox.env, LETHE_HMAC_KEY: HMAC_KEY };
  policies = join(dir, 'policies');
  mkdirSync(policies);
  for (const t of ['contact', 'individual']) writeFileSync(join(policies, `${t}.yaml`), stringify(retentionDoc(t)));
  config = {
    ...sandbox.config,
    spec: { ...sandbox.config.spec, policies, stateDir: join(dir, 'state'), approvalsFile: join(dir, 'approvals.yaml'), limits: { maxActions: 100_000, maxPercent: 100, maxSnapshotAge: 'P3650D' } },
  };
  writeFileSync(join(dir, 'lethe.yaml'), stringify(config));
});
afterAll(async () => sandbox?.stop());

describe('holds in every id form, following identity, failing safe (emulators end to end)', () => {
  it('plan and apply protect a contact named by its 15-character id, an active-but-expired hold, and both Individuals', async () => {
    const before = await snapshotAndPlan('snap-before');
    const deleted = new Set(before.actions.filter((a) => a.op === 'delete').map((a) => a.target.id));
    // Two contacts due for deletion together with their (distinct) Individuals.
    const picks = [...sandbox.salesforce.store.rows('Contact')]
      .filter((r) => typeof r.IndividualId === 'string' && deleted.has(r.Id as string) && deleted.has(r.IndividualId as string))
      .slice(0, 2)
      .map((r) => ({ contact: r.Id as string, individual: r.IndividualId as string }));
    expect(picks).toHaveLength(2);
    const [a, b] = picks as [(typeof picks)[0], (typeof picks)[0]];
    expect(a.individual).not.toBe(b.individual);

    const store = sandbox.salesforce.store;
    const h15 = store.insert('Legal_Hold__c', { Name: 'LIT-15', Case_Reference__c: 'LIT-15', Reason__c: 'litigation', Record_Id__c: a.contact.slice(0, 15), Active__c: true, CreatedDate: '2026-01-01T00:00:00.000+0000' });
    const hExp = store.insert('Legal_Hold__c', { Name: 'LIT-EXP', Case_Reference__c: 'LIT-EXP', Reason__c: 'litigation', Contact__c: b.contact, Expires__c: '2020-01-01', Active__c: true, CreatedDate: '2019-01-01T00:00:00.000+0000' });

    const after = await snapshotAndPlan('snap-after');
    const targeted = new Set(after.actions.map((x) => x.target.id));
    for (const id of [a.contact, a.individual, b.contact, b.individual]) expect(targeted.has(id), id).toBe(false);
    const why = new Map(after.protected.map((p) => [p.target.id, p.why]));
    expect(why.get(a.contact)).toMatchObject({ kind: 'hold', caseRef: 'LIT-15', hold: `record:salesforce/${h15}`, via: 'record' });
    expect(why.get(a.individual)).toMatchObject({ kind: 'hold', caseRef: 'LIT-15', via: 'identity' });
    expect(why.get(b.contact)).toMatchObject({ kind: 'hold', caseRef: 'LIT-EXP', via: 'record' });
    expect(why.get(b.individual)).toMatchObject({ kind: 'hold', caseRef: 'LIT-EXP', via: 'identity' });
    expect(after.summary.holdConflicts).toEqual([{ hold: `record:salesforce/${hExp}`, caseRef: 'LIT-EXP', conflict: 'active-but-expired', expires: '2020-01-01T00:00:00.000Z' }]);

    // The plan made before the holds existed: apply's re-check applies the same rules.
    const bundle = (await loadPolicyDir(policies)).bundle!;
    const result = await applyPlan(before, { config, stateDir: config.spec.stateDir!, bundle, env, now: () => new Date('2026-11-23T06:00:00Z') });
    const actionOf = new Map(before.actions.map((x) => [x.id, x.target.id]));
    const skipped = new Map(result.skipped.map((s) => [actionOf.get(s.id), s.reason]));
    for (const id of [a.contact, a.individual]) expect(skipped.get(id), id).toMatch(/held: case LIT-15/);
    for (const id of [b.contact, b.individual]) expect(skipped.get(id), id).toMatch(/held: case LIT-EXP/);
    expect(skipped.get(a.individual)).toMatch(/via identity/);
    for (const id of [a.contact, a.individual, b.contact, b.individual]) expect(store.byId(id)?.row.IsDeleted, id).toBe(false);
    expect(result.done.length).toBeGreaterThan(0);
  });
});
