/**
 * Apply trusts nothing in a plan file (issue 15): a real signed plan, every field edited, by an
 * attacker without the plan key (recomputes the sha256) and by one with a key (a wrong key, or the
 * right one: a compromised planner). Each edit is refused with a reason and the emulators keep
 * every record (counted before and after, over HTTP).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalFile } from '../../engine/canonical.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import { refKey } from '../../engine/records.ts';
import { runPlan } from '../../runner/cli/commands/plan.ts';
import { applyPlan, dryRun, type ApplyOptions, type ApplyResult } from '../../runner/apply/index.ts';
import type { ConnectorAction } from '../../connectors/types.ts';
import { copy, freshState, recordingConnector, rehash, resign, withContentId, WRONG_KEY } from './tamper.ts';
import { makeWorld, remainingKeys, ROOT, type World } from './world.ts';
import { letheBin } from '../lethe-bin.ts';

let w: World;
let strict: World;
let later: Plan;
let before: Set<string>;

beforeAll(async () => {
  [w, strict] = await Promise.all([makeWorld({ seed: 31, records: 500 }), makeWorld({ seed: 12, records: 300, limits: { maxActions: 1, maxPercent: 1 } })]);
  // Another real plan of the same systems, two years later: more records are due by then.
  later = await runPlan({ policies: join(ROOT, 'policies'), snapshot: join(w.dir, 'snapshot'), now: '2028-11-23T00:00:00.000Z', format: 'json', config: w.configFile });
  before = await remainingKeys(w);
});
afterAll(async () => {
  await Promise.all([w?.stop(), strict?.stop()]);
});

const opts = (world: World = w): ApplyOptions => ({ config: world.config, stateDir: freshState(), bundle: world.bundle, env: world.env, now: () => new Date('2026-11-23T06:00:00Z') });
const requests = (world: World = w): number => world.sandbox.salesforce.stats().requests + world.sandbox.genesys.stats().requests;

/** A plan whose whole refusal is expected: no call reaches a system, nothing changes. */
async function refusedWhole(plan: Plan, reason: RegExp, world: World = w): Promise<void> {
  const calls = requests(world);
  await expect(applyPlan(plan, opts(world))).rejects.toThrow(reason);
  await expect(dryRun(plan, opts(world))).rejects.toThrow(reason);
  expect(requests(world), 'no request reached the systems').toBe(calls);
}

const pick = (pred: (a: PlanAction) => boolean): PlanAction => {
  const a = w.plan.actions.find(pred);
  if (!a) throw new Error('the seeded plan lacks an action this test needs');
  return a;
};
const firstDelete = (): PlanAction => pick((a) => a.op === 'delete' && a.policy.kind === 'RetentionPolicy');

/** Edits of one action, each a different field. */
const actionEdits: Array<[string, (a: PlanAction) => void]> = [
  ['target.system', (a) => (a.target.system = a.target.system === 'genesys' ? 'salesforce' : 'genesys')],
  ['target.type', (a) => (a.target.type = a.target.type === 'task' ? 'contact' : 'task')],
  ['target.id', (a) => (a.target.id = `${a.target.id.slice(0, -1)}X`)],
  ['op', (a) => (a.op = a.op === 'delete' ? 'anonymize' : 'delete')],
  ['policy.name', (a) => (a.policy.name = 'no-such-policy')],
  ['policy.version', (a) => (a.policy.version = '9.9.9')],
];

describe('an attacker without the plan key (edits, recomputes the sha256)', () => {
  for (const [field, edit] of actionEdits) {
    it(`an edited ${field} breaks the signature`, async () => {
      const p = copy(w.plan);
      edit(p.actions[0]!);
      await refusedWhole(rehash(p), /signature does not verify/);
    });
  }
  const planEdits: Array<[string, (p: Plan) => void]> = [
    ['needsApproval', (p) => (p.needsApproval = !p.needsApproval)],
    ['inputs.now', (p) => (p.inputs.now = '2026-11-23T05:00:00.000Z')],
    ['inputs.bundleHash', (p) => (p.inputs.bundleHash = `sha256:${'0'.repeat(64)}`)],
    ['inputs.snapshotHash', (p) => (p.inputs.snapshotHash = `sha256:${'1'.repeat(64)}`)],
    ['summary.limits', (p) => p.summary.limits.forEach((l) => ((l.maxActions = 1_000_000), (l.exceeded = false)))],
    ['action order', (p) => p.actions.reverse()],
    ['a duplicated action', (p) => p.actions.push({ ...p.actions[0]! })],
    ['an action from another plan', (p) => p.actions.push(later.actions.find((a) => !w.plan.actions.some((b) => b.id === a.id))!)],
  ];
  for (const [field, edit] of planEdits) {
    it(`an edited ${field} breaks the signature`, async () => {
      const p = copy(w.plan);
      edit(p);
      await refusedWhole(rehash(p), /signature does not verify/);
    });
  }
  it('a plan re-signed with a wrong key is refused, naming the key it was signed with', async () => {
    const p = copy(w.plan);
    p.actions.pop();
    await refusedWhole(resign(p, WRONG_KEY), /signed with another key \(plankey:[0-9a-f]{16}; this plan key is plankey:/);
  });
  it('a plan without a signature (made before plan signing) is refused with "re-plan"', async () => {
    const p = copy(w.plan);
    delete p.signature;
    await refusedWhole(p, /not signed: .*older than plan signing.*Re-plan with `lethe plan`/);
  });
  it('no plan key at apply: refused, saying which key is needed', async () => {
    const o = opts();
    await expect(applyPlan(w.plan, { ...o, env: { ...o.env, LETHE_PLAN_KEY: '' } })).rejects.toThrow(/no plan key: .*LETHE_PLAN_KEY/);
  });
});

describe('issue 15 attacks, as filed', () => {
  it('approval bypass: needsApproval=false with the hash recomputed, on a plan over its limits, is refused', async () => {
    expect(strict.plan.needsApproval).toBe(true);
    const p = copy(strict.plan);
    p.needsApproval = false;
    await refusedWhole(rehash(p), /signature does not verify/, strict);
    // Even signed with the right key (a compromised planner), apply recomputes the limits itself.
    const q = copy(strict.plan);
    q.needsApproval = false;
    for (const l of q.summary.limits) (l.exceeded = false), (l.maxActions = 1_000_000), (l.maxPercent = 100);
    const crossed = /crosses a blast-radius limit and is not approved[\s\S]*RetentionPolicy\/[a-z0-9-]+: \d+ actions of \d+ matched \(max 1 \/ 1%\)/;
    const calls = requests(strict);
    await expect(applyPlan(resign(q), opts(strict))).rejects.toThrow(crossed);
    expect(requests(strict), 'no request reached the systems').toBe(calls);
    // A dry run needs no approval: it re-verifies (reads) and reports the refusal the real run would give.
    const dry = await dryRun(resign(q), opts(strict));
    expect(dry.needsApproval).toBe(true);
    expect(dry.planRefusals.join('\n')).toMatch(crossed);
  });
  it('the runner config\'s limits count, not the plan\'s: an honest plan over the runner\'s limits needs an approval', async () => {
    const o = opts();
    await expect(applyPlan(w.plan, { ...o, config: { ...w.config, spec: { ...w.config.spec, limits: { maxActions: 1, maxPercent: 1, maxSnapshotAge: 'P3650D' } } } })).rejects.toThrow(/not approved/);
  });
  it('forged delete: an unheld Salesforce contact credited to a policy that does not exist, hash recomputed, is refused; the contact stays', async () => {
    const planned = new Set([...w.plan.actions.map((a) => refKey(a.target)), ...w.plan.protected.map((p) => refKey(p.target))]);
    const contact = [...before].find((k) => k.startsWith('salesforce/contact/') && !planned.has(k))!;
    const id = contact.slice('salesforce/contact/'.length);
    const forged = withContentId({ id: '', op: 'delete', target: { system: 'salesforce', type: 'contact', id }, policy: { kind: 'RetentionPolicy', name: 'contacts-gone', version: '1.0.0' }, reason: 'forged', basis: { rule: 'retention' } });
    const p = copy(w.plan);
    p.actions = [forged];
    await refusedWhole(rehash(p), /signature does not verify/);
    // With the right key too: re-derivation refuses it, and it never reaches Salesforce.
    const r = await applyPlan(resign(p), opts());
    expect(r.done).toEqual([]);
    expect(r.refused).toEqual([{ id: forged.id, reason: 'RetentionPolicy contacts-gone is not in the approved bundle' }]);
    expect((await remainingKeys(w)).has(contact)).toBe(true);
  });
});

/**
 * A plan of exactly these actions, signed with the right key: only re-derivation stands in the way.
 * The connectors read the emulators but only record what apply asks to change (`calls`).
 */
async function applyForged(actions: PlanAction[], mutate?: (p: Plan) => void): Promise<ApplyResult & { calls: ConnectorAction[] }> {
  const p = copy(w.plan);
  p.actions = actions;
  mutate?.(p);
  const calls: ConnectorAction[] = [];
  const cs = w.connectors();
  try {
    const r = await applyPlan(resign(p), { ...opts(), connectors: cs.map((c) => recordingConnector(c, calls)) });
    return { ...r, calls };
  } finally {
    await Promise.all(cs.map((c) => c.close()));
  }
}

describe('a plan signed with the right key (a compromised planner): every action is re-derived', () => {
  const cases: Array<[string, () => PlanAction[] | Promise<PlanAction[]>, RegExp]> = [
    ['target.system', () => { const a = copy(w.plan).actions.find((x) => x.id === firstDelete().id)!; a.target.system = a.target.system === 'genesys' ? 'salesforce' : 'genesys'; return [withContentId(a)]; }, /does not apply to/],
    ['target.type', () => { const a = structuredClone(pick((x) => x.policy.kind === 'RetentionPolicy' && x.target.system === 'salesforce')); a.target.type = a.target.type === 'task' ? 'contact' : 'task'; return [withContentId(a)]; }, /does not apply to salesforce/],
    ['target.id (a record that is not due; basis.from set to its real date)', async () => {
      const a = structuredClone(pick((x) => x.policy.kind === 'RetentionPolicy' && x.target.system === 'salesforce' && x.target.type === 'task'));
      const planned = new Set([...w.plan.actions, ...w.plan.protected].map((x) => refKey(x.target)));
      a.target.id = [...before].find((k) => k.startsWith('salesforce/task/') && !planned.has(k))!.slice('salesforce/task/'.length);
      // A careful forger copies the record's own date, so "changed since planning" does not catch it.
      const cs = w.connectors();
      const rec = (await cs.find((c) => c.system === 'salesforce')!.get([a.target])).get(refKey(a.target))!;
      await Promise.all(cs.map((c) => c.close()));
      const field = String(a.basis.field);
      const value = field === 'createdAt' ? rec.createdAt : rec.fields[field.slice('fields.'.length)];
      if (typeof value === 'string') a.basis.from = value;
      else delete a.basis.from;
      return [withContentId(a)];
    }, /not due at the plan's now|matches no retention policy|date is missing/],
    ['op', () => { const a = structuredClone(firstDelete()); a.op = 'anonymize'; return [withContentId(a)]; }, /does delete, not anonymize/],
    ['op gdpr-request', () => { const a = structuredClone(firstDelete()); a.op = 'gdpr-request'; return [withContentId(a)]; }, /does delete, not gdpr-request/],
    ['policy.name (another existing policy)', () => { const a = structuredClone(pick((x) => x.policy.name === 'crm-tasks-5y')); a.policy.name = 'closed-cases-6y'; return [withContentId(a)]; }, /does not apply to salesforce task/],
    ['policy.kind', () => { const a = structuredClone(firstDelete()); a.policy.kind = 'ErasurePolicy'; return [withContentId(a)]; }, /basis.rule erasure/],
    ['policy.version', () => { const a = structuredClone(firstDelete()); a.policy.version = '9.9.9'; return [withContentId(a)]; }, /at version [0-9.]+ in the approved bundle, not 9\.9\.9/],
    ['the id (not the content id)', () => { const a = structuredClone(firstDelete()); a.id = `sha256:${'e'.repeat(64)}`; return [a]; }, /not the content id/],
    ['a duplicated action', () => [structuredClone(firstDelete()), structuredClone(firstDelete())], /appears more than once/],
    ['an action copied from a plan two years later', () => [structuredClone(later.actions.find((a) => a.policy.kind === 'RetentionPolicy' && !w.plan.actions.some((b) => b.id === a.id) && !w.plan.protected.some((p) => refKey(p.target) === refKey(a.target)))!)], /not due at the plan's now/],
    ['an erasure action with no request', () => [withContentId({ ...structuredClone(firstDelete()), policy: { kind: 'ErasurePolicy', name: 'right-to-erasure', version: '1.0.0' }, basis: { rule: 'erasure' }, request: 'dsr-nobody' })], /request dsr-nobody cannot be checked|not in the request store/],
    ['a consent purge of a record whose subject never withdrew', () => {
      const planned = new Set([...w.plan.actions, ...w.plan.protected].map((x) => refKey(x.target)));
      const lead = [...before].find((k) => k.startsWith('salesforce/lead/') && !planned.has(k))!.slice('salesforce/lead/'.length);
      return [withContentId({ op: 'delete', id: '', target: { system: 'salesforce', type: 'lead', id: lead }, policy: { kind: 'ConsentPolicy', name: 'marketing-consent', version: w.bundle.consent[0]!.metadata.version }, reason: 'forged', basis: { rule: 'consent-withdrawal', purpose: 'marketing' } })];
    }, /no withdrawal of consent for marketing|matches none of its purge conditions/],
  ];
  for (const [what, make, reason] of cases) {
    it(`an edited ${what} is refused with a reason; nothing changes`, async () => {
      const actions = await make();
      const r = await applyForged(actions);
      expect(r.calls, 'nothing reached a connector').toEqual([]);
      expect(r.done).toEqual([]);
      expect(r.gone).toEqual([]);
      expect(r.pending).toEqual([]);
      expect(r.refused.length, JSON.stringify(r)).toBe(actions.length);
      for (const x of r.refused) expect(x.reason).toMatch(reason);
    });
  }
  it('an earlier inputs.now (signed): actions not due then are refused', async () => {
    const r = await applyForged(w.plan.actions.filter((a) => a.policy.kind === 'RetentionPolicy').map((a) => structuredClone(a)), (p) => (p.inputs.now = '2026-01-01T00:00:00.000Z'));
    expect(r.refused.length).toBeGreaterThan(0);
    for (const x of r.refused) expect(x.reason).toMatch(/not due at the plan's now|governs the record/);
    // What ran was due on 1 January too: an honest plan of those inputs has it.
    expect(r.calls.length).toBe(r.done.length);
    for (const c of r.calls) expect(r.refused.some((x) => x.id === c.id)).toBe(false);
  });
  it('inputs.bundleHash (signed) of another bundle: refused as a whole', async () => {
    const p = copy(w.plan);
    p.inputs.bundleHash = `sha256:${'0'.repeat(64)}`;
    await refusedWhole(resign(p), /approved bundle/);
  });
  it('dry run reports the refusals too', async () => {
    const p = copy(w.plan);
    const a = structuredClone(firstDelete());
    a.policy.name = 'no-such-policy';
    p.actions = [withContentId(a)];
    const r = await dryRun(resign(p), opts());
    expect(r.wouldRun).toBe(0);
    expect(r.wouldRefuse).toEqual([{ id: p.actions[0]!.id, reason: 'RetentionPolicy no-such-policy is not in the approved bundle' }]);
  });
  it('the CLI: exit 3 and "refused 1" for a refused action; exit 1 and the reason for an unsigned plan', async () => {
    const p = copy(w.plan);
    const a = structuredClone(firstDelete());
    a.policy.name = 'no-such-policy';
    p.actions = [withContentId(a)];
    const dir = freshState();
    const forged = join(dir, 'forged.json');
    writeFileSync(forged, canonicalFile(resign(p)));
    // Asynchronous: the emulators answer from this process while the child runs.
    const cli = (file: string): Promise<{ status: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [letheBin(), 'apply', file, '--config', w.configFile], { env: { ...w.env, CI: '1' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const r = await cli(forged);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/refused 1,/);
    expect(r.stdout).toMatch(/refused sha256:[0-9a-f]{12}…  RetentionPolicy no-such-policy is not in the approved bundle/);
    const old = copy(w.plan);
    delete old.signature;
    const unsigned = join(dir, 'old.json');
    writeFileSync(unsigned, canonicalFile(old));
    const u = await cli(unsigned);
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/the plan is not signed: it was made by a Lethe older than plan signing/);
    expect(u.stderr).not.toMatch(/\n\s+at /);
  });
  it('the emulators still hold every record they held before these tests', async () => {
    expect(await remainingKeys(w)).toEqual(before);
  });
});
