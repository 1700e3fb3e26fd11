/**
 * `lethe test`: runs the policy test cases kept beside the policies (`*.test.yaml`), each a few
 * synthetic records in and the expected plan out, like `opa test` or `conftest verify`.
 */
import { buildPlan } from '../engine/plan/build.ts';
import type { Plan, PlanAction } from '../engine/plan/types.ts';
import { refKey, type LetheRecord, type RecordRef } from '../engine/records.ts';
import { MUTATING_OPS } from '../engine/plan/types.ts';
import type { Bundle } from '../engine/bundle.ts';
import type { DataSubjectRequest, PolicyTest } from '../engine/schema/index.ts';

/** A fixed key: tests are synthetic and their plans are never applied. */
const TEST_KEY = new Uint8Array(32).fill(7);

export interface TestFailure {
  what: string;
  expected: string;
  actual: string;
  record?: LetheRecord;
}

export interface TestResult {
  name: string;
  file: string;
  failures: TestFailure[];
}

const show = (r: RecordRef) => `${r.system}/${r.type}/${r.id}`;

export function testRecords(t: PolicyTest): LetheRecord[] {
  return t.spec.records.map((r) => ({ ...r, identifiers: r.identifiers ?? [], links: r.links ?? [], fields: r.fields ?? {} }) as LetheRecord);
}

function testRequests(t: PolicyTest): DataSubjectRequest[] {
  return (t.spec.requests ?? []).map(({ id, ...spec }) => ({
    apiVersion: 'lethe.dev/v1',
    kind: 'DataSubjectRequest',
    metadata: { name: id, version: '1.0.0', owner: 'policy-test', description: `request ${id} of test ${t.metadata.name}` },
    spec,
  })) as DataSubjectRequest[];
}

function describeActions(actions: PlanAction[]): string {
  return actions.length ? actions.map((a) => `${a.op} by ${a.policy.name}${a.request ? ` (request ${a.request})` : ''}`).join('; ') : 'no action';
}

export async function runPolicyTest(bundle: Bundle, t: PolicyTest, file: string): Promise<TestResult> {
  const records = testRecords(t);
  const byKey = new Map(records.map((r) => [refKey(r), r]));
  const plan: Plan = await buildPlan({ bundle, records, requests: testRequests(t), now: t.spec.now, hmacKey: TEST_KEY, snapshotHash: 'sha256:policy-test' });
  const failures: TestFailure[] = [];
  const actionsFor = (ref: RecordRef) => plan.actions.filter((a) => refKey(a.target) === refKey(ref));
  const e = t.spec.expect;
  const matched = new Set<PlanAction>();
  for (const want of e.actions ?? []) {
    const got = actionsFor(want.target);
    const hit = got.find((a) => a.op === want.op && (!want.policy || a.policy.name === want.policy) && (!want.request || a.request === want.request));
    if (hit) matched.add(hit);
    else failures.push({ what: `expected ${want.op} of ${show(want.target)}`, expected: `${want.op}${want.policy ? ` by ${want.policy}` : ''}${want.request ? ` (request ${want.request})` : ''}`, actual: describeActions(got), ...recordOf(byKey, want.target) });
  }
  if (e.exactActions) {
    for (const a of plan.actions) {
      if (!matched.has(a)) failures.push({ what: `unexpected ${a.op} of ${show(a.target)}`, expected: 'no other action', actual: `${a.op} by ${a.policy.name}: ${a.reason}`, ...recordOf(byKey, a.target) });
    }
  }
  for (const ref of e.untouched ?? []) {
    const bad = actionsFor(ref).filter((a) => (MUTATING_OPS as readonly string[]).includes(a.op));
    if (bad.length) failures.push({ what: `${show(ref)} must not be touched`, expected: 'no mutating action', actual: describeActions(bad), ...recordOf(byKey, ref) });
  }
  for (const want of e.protected ?? []) {
    const got = plan.protected.filter((p) => refKey(p.target) === refKey(want.target));
    const hit = got.find((p) => (!want.reason || p.why.kind === want.reason) && (!want.caseRef || (p.why.kind === 'hold' && p.why.caseRef === want.caseRef)));
    if (!hit) {
      failures.push({
        what: `expected ${show(want.target)} to be protected`,
        expected: `protected${want.reason ? ` by ${want.reason}` : ''}${want.caseRef ? ` (case ${want.caseRef})` : ''}`,
        actual: got.length ? got.map((p) => p.why.kind).join(', ') : `not protected; ${describeActions(actionsFor(want.target))}`,
        ...recordOf(byKey, want.target),
      });
    }
  }
  for (const [id, state] of Object.entries(e.requestStates ?? {})) {
    const r = plan.requests.find((x) => x.id === id);
    if (r?.state !== state) failures.push({ what: `request ${id} state`, expected: state, actual: r ? `${r.state}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}` : 'not in the plan' });
  }
  if (e.needsApproval !== undefined && plan.needsApproval !== e.needsApproval) {
    failures.push({ what: 'needsApproval', expected: String(e.needsApproval), actual: `${plan.needsApproval} (${plan.summary.limits.filter((l) => l.exceeded).map((l) => l.policy).join(', ') || 'no limit exceeded'})` });
  }
  return { name: t.metadata.name, file, failures };
}

function recordOf(byKey: Map<string, LetheRecord>, ref: RecordRef): { record?: LetheRecord } {
  const r = byKey.get(refKey(ref));
  return r ? { record: r } : {};
}

export function formatResult(r: TestResult): string {
  if (r.failures.length === 0) return `PASS  ${r.name}  (${r.file})\n`;
  const lines = [`FAIL  ${r.name}  (${r.file})`];
  for (const f of r.failures) {
    lines.push(`  - ${f.what}`, `      expected: ${f.expected}`, `      actual:   ${f.actual}`);
    if (f.record) lines.push(`      record:   ${JSON.stringify(f.record)}`);
  }
  return `${lines.join('\n')}\n`;
}
