/**
 * How `lethe apply --dry-run` shows its report: one line per action, like `terraform plan`
 * (`- delete`, `~ anonymize`, `= skip (held)`, …), totals, and the plan's API-cost estimate when
 * the plan carries one (`summary.estimate`), or as JSON. Pure formatting: no I/O.
 */
import type { Plan } from '../../engine/plan/types.ts';
import type { DryRunAction, DryRunReport } from './index.ts';

/** `--format json`: the report plus the plan's estimate (null when the plan has none). */
export interface DryRunJson extends DryRunReport {
  dryRun: true;
  totals: DryRunTotals;
  estimate: unknown;
}

export interface DryRunTotals {
  /** Actions that would be carried out, by op (`delete`, `anonymize`, …). */
  run: Record<string, number>;
  skip: { held: number; changed: number; consent: number };
  gone: number;
  refuse: number;
  finished: number;
}

/** The plan's API-cost estimate as it carries it (`summary.estimate`), or null (older plans have none). */
export function planEstimate(plan: Plan): unknown {
  const e = (plan.summary as unknown as Record<string, unknown>).estimate;
  return e === undefined ? null : e;
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

/** Scalar leaves of an estimate object, `a.b: 12`, at most two levels deep and 12 lines. */
export function estimateLines(e: unknown): string[] {
  if (e === null || e === undefined) return [];
  if (typeof e !== 'object') return [String(e)];
  const out: string[] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (out.length >= 12) return;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 2) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, path ? `${path}.${k}` : k, depth + 1);
    } else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out.push(`${path}: ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`);
  };
  walk(e, '', 0);
  return out;
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
  if (est.length) lines.push('Estimated API cost (from the plan):', ...est.map((l) => `  ${l}`));
  else lines.push('Estimated API cost: the plan carries no estimate.');
  return `${lines.join('\n')}\n`;
}
