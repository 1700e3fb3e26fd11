/**
 * Plan diff speed: `diffPlans` on two plans of 1M actions each (100k in quick mode), generated
 * in memory as fresh objects (as if parsed from two files): head drops 1% of base's actions,
 * adds 1% new ones and bumps the policy version of another 1%. The baseline is what `lethe diff`
 * must do anyway before diffing: verify the head plan's hash (canonical JSON + sha256 of the
 * whole plan). The ratio is diff time / hash time (lower is better). Also reported: rendering the
 * Markdown comment for that diff. Medians of several repetitions after a warm-up.
 */
import { diffPlans } from '../../engine/plan/diff.ts';
import { renderDiffMarkdown } from '../../engine/plan/diff-markdown.ts';
import { PLAN_API_VERSION } from '../../engine/plan/types.ts';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import { computePlanHash } from '../../engine/plan/verify.ts';
import { medianMs } from './types.ts';
import type { Bench, BenchResult } from './types.ts';

const TYPES = [
  ['genesys', 'recording'],
  ['genesys', 'conversation'],
  ['salesforce', 'task'],
  ['salesforce', 'case'],
] as const;

function hex(i: number, salt: number): string {
  return `sha256:${(i * 2654435761 + salt).toString(16).padStart(16, '0').repeat(4)}`;
}

/** A fresh action, its strings flat as if parsed from a plan file. */
function makeAction(i: number, version: string): PlanAction {
  return JSON.parse(JSON.stringify(actionBody(i, version))) as PlanAction;
}

function actionBody(i: number, version: string): PlanAction {
  const [system, type] = TYPES[i % TYPES.length]!;
  const name = `policy-${i % 25}`;
  return {
    id: hex(i, version === '1.0.0' ? 0 : 1),
    op: i % 10 === 0 ? 'anonymize' : 'delete',
    target: { system, type, id: `${type}-${i.toString(36).padStart(8, '0')}` },
    policy: { kind: 'RetentionPolicy', name, version },
    reason: `${name}: retention period ended`,
    basis: { rule: 'retention', from: '2018-03-01T00:00:00.000Z', dueAt: '2025-03-01T00:00:00.000Z' },
  };
}

function makePlan(actions: PlanAction[]): Plan {
  return {
    apiVersion: PLAN_API_VERSION,
    kind: 'Plan',
    inputs: { bundleHash: hex(1, 2), snapshotHash: hex(3, 4), now: '2025-03-01T00:00:00.000Z' },
    actions,
    protected: [],
    requests: [],
    summary: { actions: actions.length, protected: 0, byOp: {}, byPolicy: {}, bySystemType: {}, limits: [] },
    needsApproval: false,
    hash: '',
  };
}

/** base: actions 0..n-1. head: drops i%100==1, bumps the version of i%100==2, adds n..n+n/100-1. */
function makePair(n: number): { base: Plan; head: Plan } {
  const base: PlanAction[] = [];
  const head: PlanAction[] = [];
  for (let i = 0; i < n; i++) {
    base.push(makeAction(i, '1.0.0'));
    const m = i % 100;
    if (m === 1) continue;
    head.push(makeAction(i, m === 2 ? '1.1.0' : '1.0.0'));
  }
  for (let i = n; i < n + n / 100; i++) head.push(makeAction(i, '1.0.0'));
  return { base: makePlan(base), head: makePlan(head) };
}

export const bench: Bench = async ({ quick }) => {
  const n = quick ? 100_000 : 1_000_000;
  const runs = 3;
  const { base, head } = makePair(n);
  const check = diffPlans(base, head); // warm-up, and a sanity check of the generated change
  if (check.actions.added.length !== n / 100 || check.actions.removed.length !== n / 100 || check.actions.changed.length !== n / 100) {
    throw new Error('diff bench: unexpected diff of the generated plans');
  }
  const diffMs = await medianMs(runs, () => diffPlans(base, head));
  const hashMs = await medianMs(runs, () => computePlanHash(head));
  const mdMs = await medianMs(runs, () => renderDiffMarkdown(check));
  const label = `${(n / 1e6).toString()}M`;
  const results: BenchResult[] = [
    {
      name: `diff two plans of ${label} actions (1% added, 1% removed, 1% changed)`,
      value: Math.round(diffMs),
      unit: 'ms',
      baseline: { name: `verify the head plan's hash (${label} actions)`, value: Math.round(hashMs) },
      ratio: Number((diffMs / hashMs).toFixed(2)),
      target: '≤ 1 (diffing costs no more than the hash check it needs anyway)',
      note: 'lower is better; actions per second: ' + Math.round((base.actions.length + head.actions.length) / (diffMs / 1000)).toLocaleString('en-US'),
    },
    {
      name: `render the Markdown PR comment for that diff (${check.actions.added.length + check.actions.removed.length + check.actions.changed.length} changes)`,
      value: Math.round(mdMs),
      unit: 'ms',
    },
  ];
  return results;
};
