/**
 * How `lethe apply --dry-run` shows its report: one line per action, like `terraform plan`
 * (`- delete`, `~ anonymize`, `= skip (held)`, …), totals, and the plan's API-cost estimate when
 * the plan carries one (`summary.estimate`), or as JSON. Pure formatting: no I/O.
 */
import { estimateActions, planTargets, type PlanEstimate } from '../../engine/plan/estimate.ts';
import type { Plan } from '../../engine/plan/types.ts';
import type { DryRunAction, DryRunReport } from './index.ts';

/** `--format json`: the report plus the plan's estimate (null when the plan has none). */
export interface DryRunJson extends DryRunReport {
  dryRun: true;
  totals: DryRunTotals;
  estimate: PlanEstimate;
}

export interface DryRunTotals {
  /** Actions that would be carried out, by op (`delete`, `anonymize`, …). */
  run: Record<string, number>;
  skip: { held: number; changed: number; consent: number };
  gone: number;
  refuse: number;
  finished: number;
}

/**
 * The API-cost estimate of the real run, recomputed from the plan's actions (engine/plan/estimate.ts)
 * as apply's cost meter does — never read from the plan file's `summary.estimate`.
 */
export function planEstimate(plan: Plan): PlanEstimate {
  return estimateActions(planTargets(plan.actions));
}

export function dryRunTotals(actions: readonly DryRunAction[]): DryRunTotals {
  const t: DryRunTotals = { run: {}, skip: { held: 0, changed: 0, consent: 0 }, gone: 0, refuse: 0, finished: 0 };
  for (const a of actions) {
    if (a.outcome === 'run') t.run[a.op] = (t.run[a.op] ?? 0) + 1;
    else if (a.outcome === 'skip') t.skip[a.cause ?? 'changed']++;
    else t[a.outcome]++;
  }
  return t;
}

export function dryRunJson(report: DryRunReport, plan: Plan): DryRunJson {
  return { dryRun: true, ...report, totals: dryRunTotals(report.actions), estimate: planEstimate(plan) };
}

/** Past tense of an op for "would …" (`delete` -> `delete`, `gdpr-request` -> `submit gdpr-request`). */
const VERB: Record<string, string> = { 'gdpr-request': 'submit gdpr-request', export: 'export', 'mask-in-place': 'mask in place' };
const SIGN: Record<DryRunAction['outcome'], string> = { run: '-', skip: '=', gone: '.', refuse: '!', finished: '+' };

function what(a: DryRunAction): string {
  if (a.outcome === 'run') return `would ${VERB[a.op] ?? a.op}`;
  if (a.outcome === 'skip') return `would skip: ${a.cause === 'held' ? 'held' : a.cause === 'consent' ? 'consent' : 'changed'}`;
  if (a.outcome === 'gone') return 'gone already';
  if (a.outcome === 'refuse') return 'would refuse';
  return 'finished earlier';
}

/** One line per system and a total: `genesys: ~1,234 calls for 500 actions, ~4.2 min at 300/min`. */
export function estimateLines(e: PlanEstimate): string[] {
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines = Object.entries(e.bySystem).map(
    ([system, s]) => `${system}: ~${n(s.calls)} calls for ${n(s.actions)} actions${s.minutes !== null && s.ratePerMinute !== null ? `, ~${s.minutes} min at ${n(s.ratePerMinute)}/min` : ''}`,
  );
  if (lines.length) lines.push(`total: ~${n(e.calls)} calls, ~${e.minutes} min`);
  return lines;
}

export function formatDryRun(report: DryRunReport, plan: Plan): string {
  const lines: string[] = [];
  lines.push(`Dry run of plan ${report.plan.hash}`);
  lines.push(`  made for ${report.plan.now}, ${report.plan.actions} actions; re-verified now against the systems (read only).`);
  lines.push('  Nothing was changed: no system write, no journal or audit entry.');
  lines.push('');
  if (report.planRefusals.length) {
    lines.push('The real run would refuse this plan as a whole:');
    for (const r of report.planRefusals) lines.push(...r.split('\n').map((l, i) => (i === 0 ? `  ! ${l}` : `    ${l.trim()}`)));
    lines.push('');
  } else if (report.needsApproval) lines.push('The plan crosses a blast-radius limit and its hash is approved.', '');
  const width = Math.max(0, ...report.actions.map((a) => what(a).length));
  for (const a of report.actions) {
    const target = `${a.target.system}/${a.target.type}/${a.target.id}`;
    const why = a.outcome === 'skip' || a.outcome === 'refuse' ? `  (${a.reason ?? ''})` : '';
    lines.push(`  ${SIGN[a.outcome]} ${what(a).padEnd(width)}  ${target}  ${a.policy}${a.request ? ` ${a.request}` : ''}${why}`);
  }
  if (report.actions.length) lines.push('');
  const t = dryRunTotals(report.actions);
  const runs = Object.entries(t.run).sort(([a], [b]) => a.localeCompare(b)).map(([op, n]) => `${n} would ${VERB[op] ?? op}`);
  const skipped = t.skip.held + t.skip.changed + t.skip.consent;
  lines.push(
    `Totals: ${runs.length ? runs.join(', ') : 'nothing would be carried out'}; ${skipped} would be skipped (held ${t.skip.held}, changed ${t.skip.changed}, consent ${t.skip.consent}); ` +
      `${t.gone} gone already; ${t.refuse} would be refused; ${t.finished} finished earlier.`,
  );
  const est = estimateLines(planEstimate(plan));
  if (est.length) lines.push('Estimated API cost of the real run (recomputed from the actions):', ...est.map((l) => `  ${l}`));
  else lines.push('Estimated API cost of the real run: none (no actions).');
  return `${lines.join('\n')}\n`;
}
