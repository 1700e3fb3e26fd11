/**
 * The DPO's monthly report (`lethe report dsr --month 2026-11`): requests received and closed in
 * the month, closed on time, average and worst days to close, open requests with days left (and
 * overdue ones), partial holds with their cases, native jobs open for more than 14 days,
 * requests left INCOMPLETE by their verification re-scan with what remains and why, and the trends
 * of the 12 months to the report month (trends.ts). The HTML page is report-html.ts.
 */
import type { StoredRequest } from './types.ts';
import { isClosed } from './types.ts';
import { renderDsrReport } from './report-html.ts';
import { dsrTrends, type DsrTrendMonth } from './trends.ts';

const DAY = 86_400_000;
export const NATIVE_JOB_ESCALATION_DAYS = 14;

export interface DsrReport {
  month: string;
  asOf: string;
  received: number;
  closed: number;
  closedOnTime: number;
  averageDaysToClose: number | null;
  worstDaysToClose: number | null;
  byType: Record<string, number>;
  open: Array<{ id: string; type: string; state: string; dueAt: string; daysLeft: number; overdue: boolean; extended: boolean }>;
  partialHolds: Array<{ id: string; closedAt: string; cases: Array<{ caseRef: string; expires?: string }> }>;
  staleNativeJobs: Array<{ request: string; id: string; kind: string; submittedAt: string; daysOpen: number }>;
  rejected: Array<{ id: string; basis: string }>;
  /** Hold records with conflicting fields seen by the discovery of a request open in or closed during the month (still protecting). */
  holdConflicts: Array<{ request: string; hold: string; caseRef: string; conflict: string }>;
  /** Requests whose verification re-scan found records of the subject that remain without a reason. */
  incomplete: Array<{ id: string; verifiedAt: string; unexplained: number; remaining: Array<{ target: string; why: string; basis?: string }> }>;
  /** The 12 months up to and including `month`, oldest first: received, closed, days to close, open and overdue at each month's end. */
  trends: DsrTrendMonth[];
  /** Consent-withdrawal purges (lethe serve) unacknowledged past their SLA; present only when there are some. */
  overduePurges?: Array<{ purgeId: string; destination: string; purpose: string; subject: string; queuedAt: string; attempts: number }>;
}

export function parseMonth(month: string): { start: number; end: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new Error(`--month must be YYYY-MM (got ${JSON.stringify(month)})`);
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  const end = Date.UTC(Number(m[1]), Number(m[2]), 1);
  return { start, end };
}

const days = (ms: number): number => Math.round((ms / DAY) * 10) / 10;

export function dsrReport(requests: readonly StoredRequest[], month: string, asOf: Date): DsrReport {
  const { start, end } = parseMonth(month);
  const now = asOf.getTime();
  const inMonth = (iso: string | undefined): boolean => iso !== undefined && Date.parse(iso) >= start && Date.parse(iso) < end;
  const received = requests.filter((r) => inMonth(r.document.spec.receivedAt));
  const closed = requests.filter((r) => isClosed(r.state) && inMonth(r.closedAt));
  const durations = closed.map((r) => Date.parse(r.closedAt!) - Date.parse(r.document.spec.receivedAt));
  const byType: Record<string, number> = {};
  for (const r of received) byType[r.document.spec.type] = (byType[r.document.spec.type] ?? 0) + 1;
  const open = requests
    .filter((r) => !isClosed(r.state) && Date.parse(r.document.spec.receivedAt) < end)
    .map((r) => {
      const left = (Date.parse(r.dueAt) - now) / DAY;
      return { id: r.id, type: r.document.spec.type, state: r.state, dueAt: r.dueAt, daysLeft: Math.floor(left), overdue: left < 0, extended: r.extension !== undefined };
    })
    .sort((a, b) => a.daysLeft - b.daysLeft || (a.id < b.id ? -1 : 1));
  return {
    month,
    asOf: asOf.toISOString(),
    received: received.length,
    closed: closed.length,
    closedOnTime: closed.filter((r) => Date.parse(r.closedAt!) <= Date.parse(r.dueAt)).length,
    averageDaysToClose: durations.length ? days(durations.reduce((a, b) => a + b, 0) / durations.length) : null,
    worstDaysToClose: durations.length ? days(Math.max(...durations)) : null,
    byType,
    open,
    partialHolds: closed
      .filter((r) => r.state === 'PARTIAL_HOLD')
      .map((r) => ({
        id: r.id,
        closedAt: r.closedAt!,
        cases: [...new Map(r.kept.filter((k) => k.caseRef).map((k) => [k.caseRef!, { caseRef: k.caseRef!, ...(k.expires ? { expires: k.expires } : {}) }])).values()],
      })),
    staleNativeJobs: requests.flatMap((r) =>
      r.nativeJobs
        .filter((j) => j.state === 'pending' && now - Date.parse(j.submittedAt) > NATIVE_JOB_ESCALATION_DAYS * DAY)
        .map((j) => ({ request: r.id, id: j.id, kind: j.kind, submittedAt: j.submittedAt, daysOpen: Math.floor((now - Date.parse(j.submittedAt)) / DAY) })),
    ),
    rejected: closed.filter((r) => r.state === 'REJECTED').map((r) => ({ id: r.id, basis: r.rejection?.basis ?? '' })),
    holdConflicts: requests
      .filter((r) => Date.parse(r.document.spec.receivedAt) < end && (!isClosed(r.state) || inMonth(r.closedAt)))
      .flatMap((r) => (r.discovery?.holdConflicts ?? []).map((h) => ({ request: r.id, hold: h.hold, caseRef: h.caseRef, conflict: h.conflict })))
      .sort((a, b) => (a.hold < b.hold ? -1 : a.hold > b.hold ? 1 : a.request < b.request ? -1 : a.request > b.request ? 1 : 0)),
    incomplete: requests
      .filter((r) => r.state === 'INCOMPLETE' && r.verification)
      .map((r) => ({
        id: r.id,
        verifiedAt: r.verification!.at,
        unexplained: r.verification!.unexplained,
        remaining: r.verification!.remaining.map((x) => ({ target: `${x.target.system}/${x.target.type}/${x.target.id}`, why: x.why, ...(x.basis ? { basis: x.basis } : {}) })),
      })),
    trends: dsrTrends(requests, month, asOf),
  };
}

export function dsrReportMarkdown(r: DsrReport): string {
  const lines = [
    `# Data subject requests, ${r.month}`,
    '',
    `As of ${r.asOf}. Received ${r.received}, closed ${r.closed} (${r.closedOnTime} on time). Days to close: average ${r.averageDaysToClose ?? '—'}, worst ${r.worstDaysToClose ?? '—'}.`,
    '',
    '## Open requests',
    '',
  ];
  if (r.open.length === 0) lines.push('None.');
  else {
    lines.push('| request | type | state | due | days left |', '|---|---|---|---|---|');
    for (const o of r.open) lines.push(`| ${o.id} | ${o.type} | ${o.state} | ${o.dueAt.slice(0, 10)}${o.extended ? ' (extended)' : ''} | ${o.overdue ? `**OVERDUE ${-o.daysLeft} days**` : o.daysLeft} |`);
  }
  lines.push('', '## Partial holds', '');
  if (r.partialHolds.length === 0) lines.push('None.');
  for (const p of r.partialHolds) lines.push(`- ${p.id}: ${p.cases.map((c) => `${c.caseRef}${c.expires ? ` (until ${c.expires.slice(0, 10)})` : ''}`).join(', ') || 'exception'}`);
  lines.push('', `## Native jobs open over ${NATIVE_JOB_ESCALATION_DAYS} days`, '');
  if (r.staleNativeJobs.length === 0) lines.push('None.');
  for (const j of r.staleNativeJobs) lines.push(`- ${j.request}: ${j.kind} ${j.id}, open ${j.daysOpen} days`);
  if (r.holdConflicts.length > 0) {
    lines.push('', '## Hold records with conflicting fields (still protecting: resolve them)', '');
    for (const h of r.holdConflicts) lines.push(`- ${h.hold} (case ${h.caseRef}): ${h.conflict}, seen for ${h.request}`);
  }
  lines.push('', '## Incomplete (verification found records without a reason)', '');
  if (r.incomplete.length === 0) lines.push('None.');
  for (const x of r.incomplete) {
    lines.push(`- ${x.id}: ${x.unexplained} unexplained, re-scanned ${x.verifiedAt}`);
    for (const i of x.remaining) lines.push(`  - ${i.target}: ${i.why}${i.basis ? ` (${i.basis})` : ''}`);
  }
  if (r.overduePurges?.length) {
    lines.push('', '## Withdrawal purges unacknowledged past their SLA', '', '| purge | destination | purpose | subject | queued | attempts |', '|---|---|---|---|---|---|');
    for (const p of r.overduePurges) lines.push(`| ${p.purgeId} | ${p.destination} | ${p.purpose} | ${p.subject} | ${p.queuedAt} | ${p.attempts} |`);
  }
  if (r.trends.length) {
    lines.push('', `## Trends, ${r.trends[0]!.month} to ${r.month}`, '', '| month | received | closed | on time | median days | p90 days | open at end | overdue at end |', '|---|---|---|---|---|---|---|---|');
    for (const t of r.trends) lines.push(`| ${t.month} | ${t.received} | ${t.closed} | ${t.closedOnTime} | ${t.medianDaysToClose ?? '—'} | ${t.p90DaysToClose ?? '—'} | ${t.openAtEnd} | ${t.overdueAtEnd} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The report as one self-contained HTML page in the shared report style, with trend charts. */
export function dsrReportHtml(r: DsrReport): string {
  return renderDsrReport(r, NATIVE_JOB_ESCALATION_DAYS);
}
