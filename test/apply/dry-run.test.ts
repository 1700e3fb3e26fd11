/**
 * `lethe apply --dry-run` against the emulators: no approval needed and the plan's age ignored
 * (both reported as what the real run would refuse), every action re-verified read-only through
 * apply's own recheck (held, changed, consent, gone), nothing written to the systems, the
 * journal or the audit log; text output like `terraform plan` and `--format json`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purposeId } from '../../connectors/salesforce/seed.ts';
import { dryRun, type DryRunReport } from '../../runner/apply/index.ts';
import { dryRunTotals, estimateLines, formatDryRun } from '../../runner/apply/dry-run-output.ts';
import { estimateActions, planTargets } from '../../engine/plan/estimate.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { makeWorld, NOW, ROOT, type World } from './world.ts';
import { letheBin } from '../lethe-bin.ts';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ seed: 31, records: 500, limits: { maxActions: 1, maxPercent: 1 } });
});
afterAll(async () => w?.stop());

/** Three days after planning, with a one-hour snapshot age: stale for a real run. */
const LATER = new Date(Date.parse(NOW) + 3 * 86_400_000);
const staleConfig = () => ({ ...w.config, spec: { ...w.config.spec, limits: { maxActions: 1, maxPercent: 1, maxSnapshotAge: 'PT1H' } } });

/** Every record both emulators hold, content included, in a stable order. */
async function everything(): Promise<string[]> {
  const out: string[] = [];
  const cs = w.connectors();
  for (const c of cs) for (const t of c.types()) for await (const r of c.stream(t)) out.push(JSON.stringify(r));
  await Promise.all(cs.map((c) => c.close()));
  return out.sort();
}

function letheAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [letheBin(), ...args], { cwd: ROOT, env: { ...env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('lethe apply --dry-run', () => {
  let report: DryRunReport;
  const ids: Record<'held' | 'changed' | 'consent' | 'gone', string> = { held: '', changed: '', consent: '', gone: '' };

  it('needs no approval, ignores staleness, re-verifies every action and writes nothing', async () => {
    expect(w.plan.needsApproval).toBe(true);
    const tasks = w.plan.actions.filter((a) => a.op === 'delete' && a.target.type === 'task');
    const lead = w.plan.actions.find((a) => a.policy.kind === 'ConsentPolicy' && a.target.type === 'lead');
    expect(tasks.length >= 3 && lead, 'the seeded plan has three task deletes and a consent purge').toBeTruthy();
    const sf = w.sandbox.salesforce.store;
    // held: a legal hold placed after planning
    sf.insert('Legal_Hold__c', { Name: 'LIT-DRY-1', Case_Reference__c: 'LIT-DRY-1', Reason__c: 'placed after planning', Record_Id__c: tasks[0]!.target.id, Active__c: true, CreatedDate: '2026-11-23T01:00:00.000Z', LastModifiedDate: '2026-11-23T01:00:00.000Z' });
    ids.held = tasks[0]!.id;
    // changed: the date its retention counts from moved
    // (CreatedDate is read-only through the API: the emulator's row is edited directly)
    sf.byId(tasks[1]!.target.id)!.row.CreatedDate = '2019-01-01T00:00:00.000Z';
    ids.changed = tasks[1]!.id;
    // gone: deleted by someone else since planning
    sf.hardDelete(tasks[2]!.target.id);
    ids.gone = tasks[2]!.id;
    // consent: the lead's subject grants marketing consent again
    const individual = sf.byId(lead!.target.id)!.row.IndividualId as string;
    sf.insert('ContactPointTypeConsent', { Name: 'Marketing consent', PartyId: individual, ContactPointType: 'Email', DataUsePurposeId: purposeId('marketing'), PrivacyConsentStatus: 'OptIn', CaptureDate: '2026-11-23T02:00:00.000Z', EffectiveFrom: '2026-11-23T02:00:00.000Z', CreatedDate: '2026-11-23T02:00:00.000Z', LastModifiedDate: '2026-11-23T02:00:00.000Z' });
    ids.consent = lead!.id;

    const before = await everything();
    const stateDir = w.config.spec.stateDir!;
    expect(existsSync(stateDir)).toBe(false);
    report = await dryRun(w.plan, { config: staleConfig(), stateDir, bundle: w.bundle, env: w.env, approvalsFile: w.config.spec.approvalsFile!, now: () => LATER });

    // What the real run would refuse as a whole, reported, not thrown.
    expect(report.planRefusals).toHaveLength(2);
    expect(report.planRefusals[0]).toMatch(/older than the allowed PT1H \(limits.maxSnapshotAge\), and its hash is not approved/);
    expect(report.planRefusals[1]).toMatch(/crosses a blast-radius limit and is not approved/);
    expect(report.approved).toBe(false);
    // Every action, each once, with its outcome.
    expect(report.actions.map((a) => a.id).sort()).toEqual(w.plan.actions.map((a) => a.id).sort());
    const byId = new Map(report.actions.map((a) => [a.id, a]));
    expect(byId.get(ids.held)).toMatchObject({ outcome: 'skip', cause: 'held' });
    expect(byId.get(ids.held)!.reason).toMatch(/held: case LIT-DRY-1/);
    expect(byId.get(ids.changed)).toMatchObject({ outcome: 'skip', cause: 'changed' });
    expect(byId.get(ids.consent)).toMatchObject({ outcome: 'skip', cause: 'consent' });
    expect(byId.get(ids.gone)).toMatchObject({ outcome: 'gone' });
    const t = dryRunTotals(report.actions);
    expect(t.refuse).toBe(0);
    expect(t.skip.held).toBeGreaterThanOrEqual(1);
    expect(Object.values(t.run).reduce((a, b) => a + b, 0)).toBe(report.wouldRun);
    expect(report.wouldRun + report.wouldSkip.length + report.alreadyGone).toBe(w.plan.actions.length);
    // Nothing written: systems, journal, audit log.
    expect(await everything()).toEqual(before);
    expect(existsSync(stateDir)).toBe(false);
  });

  it('the real run still refuses the same plan (stale, not approved)', async () => {
    const { applyPlan } = await import('../../runner/apply/index.ts');
    await expect(applyPlan(w.plan, { config: staleConfig(), stateDir: w.config.spec.stateDir!, bundle: w.bundle, env: w.env, now: () => LATER })).rejects.toThrow(/older than the allowed PT1H/);
    expect(existsSync(w.config.spec.stateDir!)).toBe(false);
  });

  it('the command prints per action what would happen, totals and the estimate line; --format json carries the same', async () => {
    const text = await letheAsync(['apply', w.planFile, '--config', w.configFile, '--dry-run'], w.env);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Dry run of plan sha256:[0-9a-f]{64}\n/);
    expect(text.stdout).toContain('Nothing was changed');
    expect(text.stdout).toMatch(/The real run would refuse this plan as a whole:\n {2}! the plan crosses a blast-radius limit/);
    expect(text.stdout).toMatch(/ - would delete +salesforce\/task\//);
    expect(text.stdout).toMatch(/ = would skip: held +salesforce\/task\/\S+ .*\(held: case LIT-DRY-1/);
    expect(text.stdout).toMatch(/ = would skip: changed /);
    expect(text.stdout).toMatch(/ = would skip: consent +salesforce\/lead\//);
    expect(text.stdout).toMatch(/ \. gone already +salesforce\/task\//);
    expect(text.stdout).toMatch(/\nTotals: .*\d+ would delete.*; \d+ would be skipped \(held \d+, changed \d+, consent \d+\); 1 gone already; 0 would be refused; 0 finished earlier\.\n/);
    expect(text.stdout).toMatch(/Estimated API cost/);
    expect(text.stdout.split('\n').filter((l) => /^ {2}[-=.!+] (would |gone already|finished earlier)/.test(l))).toHaveLength(w.plan.actions.length);
    const json = await letheAsync(['apply', w.planFile, '--config', w.configFile, '--dry-run', '--format', 'json'], w.env);
    expect(json.status, json.stderr).toBe(0);
    const j = JSON.parse(json.stdout) as DryRunReport & { dryRun: boolean; totals: ReturnType<typeof dryRunTotals>; estimate: unknown };
    expect(j.dryRun).toBe(true);
    expect(j.actions).toHaveLength(w.plan.actions.length);
    expect(j.totals.gone).toBe(1);
    expect(j.totals.skip.held).toBeGreaterThanOrEqual(1);
    expect(j.estimate).toEqual(estimateActions(planTargets(w.plan.actions)));
    expect(j.estimate).toEqual(w.plan.summary.estimate);
    expect(existsSync(w.config.spec.stateDir!)).toBe(false);
    // stdout is the report alone (progress and notes go to stderr, and only on a terminal)
    expect(json.stderr).toBe('');
  });
});

describe('dry-run output', () => {
  const actions = [
    { op: 'delete', target: { system: 'genesys', type: 'recording', id: 'r1' } },
    { op: 'delete', target: { system: 'salesforce', type: 'Task', id: 't1' } },
  ];
  const plan = (estimate?: unknown, acts: unknown[] = actions): Plan => ({ actions: acts, summary: { ...(estimate !== undefined ? { estimate } : {}) } }) as unknown as Plan;
  const report: DryRunReport = {
    plan: { hash: 'sha256:' + 'a'.repeat(64), now: NOW, actions: 2 },
    planRefusals: [],
    needsApproval: false,
    approved: false,
    actions: [
      { id: 'x1', op: 'delete', target: { system: 's', type: 't', id: '1' }, policy: 'RetentionPolicy/p@1.0.0', outcome: 'run' },
      { id: 'x2', op: 'anonymize', target: { system: 's', type: 't', id: '2' }, policy: 'RetentionPolicy/q@1.0.0', outcome: 'skip', cause: 'held', reason: 'held: case C-1' },
    ],
    wouldRun: 1,
    wouldSkip: [{ id: 'x2', reason: 'held: case C-1' }],
    wouldRefuse: [],
    alreadyGone: 0,
    alreadyFinished: 0,
  };
  it('shows the estimate recomputed from the actions, never the one the plan file carries', () => {
    const e = estimateActions(planTargets(actions as Plan['actions']));
    const lines = estimateLines(e);
    expect(lines[0]).toMatch(/^genesys: ~\d+ calls for 1 actions, ~[\d.]+ min at 300\/min$/);
    expect(lines[1]).toMatch(/^salesforce: ~\d+ calls for 1 actions/);
    expect(lines[2]).toBe(`total: ~${e.calls} calls, ~${e.minutes} min`);
    const tampered = formatDryRun(report, plan({ calls: 1, minutes: 0, bySystem: {} }));
    expect(tampered).toContain(`Estimated API cost of the real run (recomputed from the actions):\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
    expect(formatDryRun(report, plan(undefined, []))).toContain('Estimated API cost of the real run: none (no actions).');
    expect(estimateLines(estimateActions([]))).toEqual([]);
  });
  it('one line per action and the totals', () => {
    const text = formatDryRun(report, plan());
    expect(text).toContain('  - would delete      s/t/1  RetentionPolicy/p@1.0.0\n');
    expect(text).toContain('  = would skip: held  s/t/2  RetentionPolicy/q@1.0.0  (held: case C-1)\n');
    expect(text).toContain('Totals: 1 would delete; 1 would be skipped (held 1, changed 0, consent 0); 0 gone already; 0 would be refused; 0 finished earlier.');
  });
});
