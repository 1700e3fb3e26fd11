/**
 * What the HTML report shows, computed from a plan (and optionally a forecast): plain data, no
 * markup. Counts are recomputed from the actions themselves, so the report agrees with the plan.
 */
import type { Forecast, ForecastComparison } from '../../engine/forecast/types.ts';
import { MUTATING_OPS, type Plan, type ProtectedRecord } from '../../engine/plan/types.ts';

export interface Count {
  key: string;
  n: number;
}

export interface TargetRow {
  id: string;
  systemType: string;
  op: string;
  policy: string;
  /** `action` or `protected: <reason kind>`. */
  status: string;
  /** `YYYY-MM-DD` of `basis.from` (actions) or '' . */
  from: string;
}

export interface ReportModel {
  hash: string;
  inputs: Plan['inputs'];
  needsApproval: boolean;
  totals: { actions: number; mutating: number; protected: number; records?: number; requests: number };
  byPolicy: Count[];
  bySystemType: Count[];
  byOp: Count[];
  byRule: Count[];
  protectedByReason: Array<{ kind: string; detail: string; n: number }>;
  requests: Plan['requests'];
  limits: Plan['summary']['limits'];
  /** Mutating actions by month (`YYYY-MM`) of `basis.from`, per op; months without actions included. */
  ageChart: { months: string[]; series: Array<{ name: string; values: number[] }>; undated: number };
  targets: TargetRow[];
  targetsTotal: number;
  forecast?: Forecast | ForecastComparison;
}

function counts(keys: Iterable<string>): Count[] {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].map(([key, n]) => ({ key, n })).sort((a, b) => b.n - a.n || (a.key < b.key ? -1 : 1));
}

export function reasonOf(p: ProtectedRecord): { kind: string; detail: string } {
  const w = p.why;
  switch (w.kind) {
    case 'hold':
      return { kind: 'legal hold', detail: `case ${w.caseRef}${w.expires ? ` (until ${w.expires})` : ''}` };
    case 'consent':
      return { kind: 'consent', detail: `purpose ${w.purpose}` };
    case 'exception':
      return { kind: 'legal exception', detail: `${w.exception}: ${w.basis}` };
    case 'shared-identifier':
      return { kind: 'shared identifier', detail: 'DPO review' };
    default:
      return { kind: String((w as { kind: unknown }).kind), detail: '' };
  }
}

const MAX_CHART_MONTHS = 240;

function monthIndex(key: string): number {
  return Number(key.slice(0, 4)) * 12 + Number(key.slice(5, 7)) - 1;
}

function monthKey(i: number): string {
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** Mutating actions by month of `basis.from`; older than 20 years before the newest fold into the first bar. */
function ageChart(plan: Plan): ReportModel['ageChart'] {
  const perOp = new Map<string, Map<number, number>>();
  let undated = 0;
  for (const a of plan.actions) {
    if (!(MUTATING_OPS as readonly string[]).includes(a.op)) continue;
    const from = typeof a.basis.from === 'string' && /^\d{4}-(0[1-9]|1[0-2])/.test(a.basis.from) ? monthIndex(a.basis.from) : undefined;
    if (from === undefined) {
      undated++;
      continue;
    }
    let m = perOp.get(a.op);
    if (!m) perOp.set(a.op, (m = new Map()));
    m.set(from, (m.get(from) ?? 0) + 1);
  }
  const all = [...perOp.values()].flatMap((m) => [...m.keys()]);
  if (all.length === 0) return { months: [], series: [], undated };
  const last = Math.max(...all);
  const first = Math.max(Math.min(...all), last - MAX_CHART_MONTHS + 1);
  const months = Array.from({ length: last - first + 1 }, (_, i) => monthKey(first + i));
  const series = [...perOp]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([name, m]) => {
      const values = months.map(() => 0);
      for (const [k, n] of m) values[Math.max(0, k - first)]! += n;
      return { name, values };
    });
  return { months, series, undated };
}

export function buildReportModel(plan: Plan, options: { maxRows?: number; forecast?: Forecast | ForecastComparison } = {}): ReportModel {
  const maxRows = options.maxRows ?? 2000;
  const mutating = plan.actions.filter((a) => (MUTATING_OPS as readonly string[]).includes(a.op)).length;
  const reasons = new Map<string, { kind: string; detail: string; n: number }>();
  for (const p of plan.protected) {
    const r = reasonOf(p);
    const k = `${r.kind}\u0000${r.detail}`;
    const e = reasons.get(k);
    if (e) e.n++;
    else reasons.set(k, { ...r, n: 1 });
  }
  const targets: TargetRow[] = [];
  for (const a of plan.actions) {
    if (targets.length >= maxRows) break;
    const from = typeof a.basis.from === 'string' ? a.basis.from.slice(0, 10) : '';
    targets.push({ id: a.target.id, systemType: `${a.target.system}/${a.target.type}`, op: a.op, policy: `${a.policy.kind}/${a.policy.name}`, status: 'action', from });
  }
  for (const p of plan.protected) {
    if (targets.length >= maxRows) break;
    targets.push({ id: p.target.id, systemType: `${p.target.system}/${p.target.type}`, op: p.wanted, policy: `${p.policy.kind}/${p.policy.name}`, status: `protected: ${reasonOf(p).kind}`, from: '' });
  }
  return {
    hash: plan.hash,
    inputs: plan.inputs,
    needsApproval: plan.needsApproval,
    totals: { actions: plan.actions.length, mutating, protected: plan.protected.length, ...(plan.summary.records !== undefined ? { records: plan.summary.records } : {}), requests: plan.requests.length },
    byPolicy: counts(plan.actions.map((a) => `${a.policy.kind}/${a.policy.name}`)),
    bySystemType: counts(plan.actions.map((a) => `${a.target.system}/${a.target.type}`)),
    byOp: counts(plan.actions.map((a) => a.op)),
    byRule: counts(plan.actions.map((a) => a.basis.rule)),
    protectedByReason: [...reasons.values()].sort((a, b) => b.n - a.n || (a.kind + a.detail < b.kind + b.detail ? -1 : 1)),
    requests: plan.requests,
    limits: plan.summary.limits,
    ageChart: ageChart(plan),
    targets,
    targetsTotal: plan.actions.length + plan.protected.length,
    ...(options.forecast ? { forecast: options.forecast } : {}),
  };
}
