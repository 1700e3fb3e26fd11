/**
 * The plan diff as Markdown for a pull-request comment: what a reviewer reads.
 *
 * Order: hidden marker, title (refs, snapshot, now), loud warnings (more deletions, lost
 * protection, needs approval, misleading inputs), the summary table, then detail under a size
 * budget: counts by policy / system-type / op, blast-radius limits, protection changes, request
 * state changes, a few example targets per policy. Only ids are printed (never `reason` text or
 * subject hashes). The output never exceeds `maxChars`: detail is cut, with a note that says so
 * and points to the artefacts.
 */
import { Budget, code, fmt, plural, shortHash, signed } from './diff-markdown-util.ts';
import type { CountRow, PlanDiff } from './diff-types.ts';
import { policyKey } from './diff.ts';
import type { PlanAction, ProtectedRecord } from './types.ts';
import { nativeNoun } from '../native-erasure.ts';

/** First line of every diff comment, so a workflow can find and update it in place. */
export const DIFF_COMMENT_MARKER = '<!-- lethe-plan-diff -->';
export const DEFAULT_MAX_CHARS = 60_000;
/** Below this the bounded header and summary might not fit. */
export const MIN_MAX_CHARS = 5_000;

export interface DiffMarkdownOptions {
  /** Hard limit on the output length (default 60,000; GitHub's comment limit is 65,536). */
  maxChars?: number;
  /** Where the full diff (JSON) and the plans are kept, e.g. the workflow run's artefacts. */
  artifactsUrl?: string;
  baseRef?: string;
  headRef?: string;
  /** Human name of the snapshot, e.g. "nightly 2025-01-31". */
  snapshotLabel?: string;
  /** Example targets shown per policy and per direction (default 3). */
  examples?: number;
}

const MUTATION_VERBS: Record<string, (n: number) => string> = {
  delete: (n) => `deletes ${plural(n, 'more record')}`,
  purge: (n) => `purges ${plural(n, 'more record')}`,
  anonymize: (n) => `anonymizes ${plural(n, 'more record')}`,
  'mask-in-place': (n) => `masks ${plural(n, 'more record')} in place`,
  'gdpr-request': (n) => `files ${plural(n, `more ${nativeNoun()} deletion request`)}`,
};

export function renderDiffMarkdown(diff: PlanDiff, options: DiffMarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < MIN_MAX_CHARS) {
    throw new RangeError(`maxChars must be an integer of at least ${MIN_MAX_CHARS}, got ${maxChars}`);
  }
  const url = options.artifactsUrl ? safeUrl(options.artifactsUrl) : undefined;
  const note = truncationNote(maxChars, url);
  const b = new Budget(maxChars - note.length - 2);
  header(b, diff, options);
  loudLines(b, diff);
  summary(b, diff);
  countTable(b, 'By policy', 'Policy', diff.counts.byPolicy);
  countTable(b, 'By system / type', 'System / type', diff.counts.bySystemType);
  countTable(b, 'By operation', 'Operation', diff.counts.byOp);
  limitTable(b, diff);
  protections(b, diff);
  requestTable(b, diff);
  examples(b, diff, options.examples ?? 3);
  if (!b.truncated && url) b.add(`Full diff and plans: [artefacts](<${url}>)`);
  const lines = b.lines;
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let out = `${lines.join('\n')}\n`;
  if (b.truncated) out += `\n${note}\n`;
  if (out.length > maxChars) {
    // Defensive: the header is bounded by design, so this should not happen.
    const cut = out.lastIndexOf('\n', maxChars - note.length - 2);
    out = `${out.slice(0, Math.max(0, cut))}\n${note}\n`;
  }
  return out;
}

function safeUrl(u: string): string {
  return u.slice(0, 500).replace(/[\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

function truncationNote(maxChars: number, url: string | undefined): string {
  const where = url ? `the full diff is in the [artefacts](<${url}>)` : 'run `lethe diff --format json` for the full diff';
  return `> ✂️ **Truncated** to stay under ${fmt(maxChars)} characters (GitHub comments are limited to 65,536): the summary above is complete, some detail is left out; ${where}.`;
}

function header(b: Budget, d: PlanDiff, o: DiffMarkdownOptions): void {
  const baseRef = o.baseRef ? code(o.baseRef, false, 80) : `base plan ${shortHash(d.base.hash)}`;
  const headRef = o.headRef ? code(o.headRef, false, 80) : `head plan ${shortHash(d.head.hash)}`;
  b.force(DIFF_COMMENT_MARKER);
  b.force(`### Lethe plan diff: ${baseRef} → ${headRef}`);
  b.force('');
  const label = o.snapshotLabel ? `${code(o.snapshotLabel, false, 80)} ` : '';
  const snap = d.inputs.sameSnapshot
    ? `${label}${shortHash(d.head.inputs.snapshotHash)}`
    : `${shortHash(d.base.inputs.snapshotHash)} → ${shortHash(d.head.inputs.snapshotHash)}`;
  const now = d.inputs.sameNow ? code(d.head.inputs.now, false, 40) : `${code(d.base.inputs.now, false, 40)} → ${code(d.head.inputs.now, false, 40)}`;
  const bundle = d.inputs.sameBundle
    ? `policy bundle unchanged ${shortHash(d.head.inputs.bundleHash)}`
    : `policy bundle ${shortHash(d.base.inputs.bundleHash)} → ${shortHash(d.head.inputs.bundleHash)}`;
  b.force(`Snapshot ${snap} · now ${now} · ${bundle}`);
  b.force('');
}

function loudLines(b: Budget, d: PlanDiff): void {
  const lines: string[] = [];
  if (!d.inputs.sameSnapshot) {
    lines.push('⚠️ **Misleading comparison: the plans were made from different snapshots.** Differences may come from the data, not from the policy change.');
  }
  if (!d.inputs.sameNow) {
    lines.push('⚠️ **Misleading comparison: the plans were made with a different `now`.** Records may have become due with the passing of time alone.');
  }
  if (!d.inputs.sameRequests) {
    lines.push('⚠️ **Misleading comparison: the plans were made from different data subject requests.**');
  }
  lines.push(...inputWarnings(d));
  for (const r of d.counts.byOp) {
    const verb = MUTATION_VERBS[r.key];
    if (verb && r.delta > 0) lines.push(`⚠️ **This change ${verb(r.delta)}**`);
  }
  const lost = d.protected.unprotectedNowTargeted.length;
  if (lost > 0) lines.push(`⚠️ **${plural(lost, 'record')} lose${lost === 1 ? 's' : ''} protection and ${lost === 1 ? 'is' : 'are'} now the target of a mutating action**`);
  if (d.needsApproval.head) {
    const fresh = d.limits.filter((l) => !l.exceededInBase);
    const names = (fresh.length > 0 ? fresh : d.limits).slice(0, 3).map((l) => code(l.policy, false, 60));
    const more = d.limits.length > 3 ? ` and ${d.limits.length - 3} more` : '';
    const what = names.length > 0 ? `: blast-radius limit exceeded by ${names.join(', ')}${more}` : '';
    const already = d.needsApproval.base ? ' (the base plan needed approval too)' : '';
    lines.push(`🛑 **Needs plan approval**${what}${already}. The runner will not apply it without an approval of its hash.`);
  } else if (d.needsApproval.changed) {
    lines.push('ℹ️ The head plan no longer needs approval.');
  }
  for (const r of d.counts.byOp) {
    const verb = MUTATION_VERBS[r.key];
    if (verb && r.delta < 0) lines.push(`ℹ️ This change ${verb(-r.delta).replace('more', 'fewer')}.`);
  }
  if (d.empty) lines.push('✅ **No change**: both plans have the same actions, protections, request states and approval need.');
  for (const l of lines) {
    b.force(l);
    b.force('');
  }
}

/** Hold records whose fields disagree, and snapshots planned although incomplete (bounded). */
export function inputWarnings(d: Pick<PlanDiff, 'base' | 'head'>): string[] {
  const lines: string[] = [];
  const missing = [...new Set([...(d.base.inputs.incompleteSnapshot ?? []), ...(d.head.inputs.incompleteSnapshot ?? [])])].sort();
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((m) => code(m, false, 60)).join(', ');
    lines.push(`⚠️ **Incomplete snapshot** (accepted with \`--allow-incomplete-snapshot\`): ${shown}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} missing. Holds or consents may be absent from these plans.`);
  }
  const conflicts = d.head.holdConflicts ?? [];
  if (conflicts.length > 0) {
    const shown = conflicts.slice(0, 5).map((c) => `${code(c.hold, false, 80)} ${c.conflict} (case ${code(c.caseRef, false, 60)})`).join('; ');
    const more = conflicts.length > 5 ? `; and ${conflicts.length - 5} more (summary.holdConflicts)` : '';
    lines.push(`⚠️ **${plural(conflicts.length, 'hold record')} with conflicting fields** keep${conflicts.length === 1 ? 's' : ''} protecting until someone resolves ${conflicts.length === 1 ? 'it' : 'them'}: ${shown}${more}.`);
  }
  return lines;
}

function summary(b: Budget, d: PlanDiff): void {
  const t = d.totals;
  const tr = (label: string, r: CountRow): string => `| ${label} | ${fmt(r.base)} | ${fmt(r.head)} | ${signed(r.delta)} |`;
  b.force('#### Summary');
  b.force('| | base | head | Δ |');
  b.force('|:--|--:|--:|--:|');
  b.force(tr('Actions', t.actions));
  b.force(tr('Mutating actions', t.mutating));
  b.force(tr('Protected records', t.protected));
  b.force('');
  const a = d.actions;
  const p = d.protected;
  b.force(
    `Actions: **${fmt(a.added.length)} added**, **${fmt(a.removed.length)} removed**, ${fmt(a.changed.length)} changed (same action, new policy version, reason or due date), ${fmt(a.unchanged)} unchanged. ` +
      `Protection: ${fmt(p.added.length)} newly protected, ${fmt(p.removed.length)} no longer protected, ${fmt(p.changed.length)} for a different reason. ` +
      `Requests changing state: ${fmt(d.requests.length)}.`,
  );
  b.force('');
}

/** Rows with the biggest change first, so a cut table still shows what matters. */
function byImpact(rows: readonly CountRow[]): CountRow[] {
  return [...rows].sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

function countTable(b: Budget, title: string, column: string, rows: readonly CountRow[]): void {
  if (rows.length === 0) return;
  const sorted = byImpact(rows);
  const line = (r: CountRow): string => `| ${code(r.key, true, 100)} | ${fmt(r.base)} | ${fmt(r.head)} | ${r.delta === 0 ? '0' : `**${signed(r.delta)}**`} |`;
  if (!b.addAll([`#### ${title}`, `| ${column} | base | head | Δ |`, '|:--|--:|--:|--:|', line(sorted[0]!)])) return;
  for (const r of sorted.slice(1)) if (!b.add(line(r))) return;
  b.add('');
}

function limitTable(b: Budget, d: PlanDiff): void {
  if (d.limits.length === 0) return;
  if (!b.addAll(['#### Blast-radius limits exceeded by the head plan', '| Policy | actions | matched | limit | before |', '|:--|--:|--:|--:|:--|'])) return;
  for (const l of d.limits) {
    const limit = `${fmt(l.maxActions)} / ${l.maxPercent}%`;
    if (!b.add(`| ${code(l.policy, true, 100)} | ${fmt(l.actions)} | ${fmt(l.matched)} | ${limit} | ${l.exceededInBase ? 'already exceeded' : '**newly exceeded**'} |`)) return;
  }
  b.add('');
}

function why(p: ProtectedRecord): string {
  const w = p.why;
  switch (w.kind) {
    case 'hold':
      return `hold ${code(w.hold, true, 60)}`;
    case 'consent':
      return `consent (${code(w.purpose, true, 40)})`;
    case 'exception':
      return `exception ${code(w.exception, true, 60)}`;
    case 'shared-identifier':
      return 'shared identifier (DPO review)';
    default:
      return code(String((w as { kind: unknown }).kind), true, 40);
  }
}

function target(t: { system: string; type: string; id: string }, inTable: boolean): string {
  return code(`${t.system}/${t.type}/${t.id}`, inTable, 100);
}

function protectionList(b: Budget, title: string, items: readonly ProtectedRecord[], max: number): void {
  if (items.length === 0) return;
  const kinds = new Map<string, number>();
  for (const p of items) kinds.set(p.why.kind, (kinds.get(p.why.kind) ?? 0) + 1);
  const byKind = [...kinds].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([k, n]) => `${k} ${fmt(n)}`).join(', ');
  if (!b.addAll([`#### ${title} (${fmt(items.length)})`, `By reason: ${byKind}.`, '', '| Target | Wanted | Policy | Why |', '|:--|:--|:--|:--|'])) return;
  for (const p of items.slice(0, max)) {
    if (!b.add(`| ${target(p.target, true)} | ${p.wanted} | ${code(policyKey(p.policy), true, 80)} | ${why(p)} |`)) return;
  }
  if (items.length > max) b.add(`| … ${fmt(items.length - max)} more | | | |`);
  b.add('');
}

function protections(b: Budget, d: PlanDiff): void {
  protectionList(b, 'Newly protected', d.protected.added, 10);
  protectionList(b, 'No longer protected', d.protected.removed, 10);
  if (d.protected.changed.length > 0) {
    const n = d.protected.changed.length;
    b.add(`${plural(n, 'record')} ${n === 1 ? 'stays' : 'stay'} protected, for a different set of reasons.`);
    b.add('');
  }
}

function requestTable(b: Budget, d: PlanDiff): void {
  if (d.requests.length === 0) return;
  if (!b.addAll(['#### Request state changes', '| Request | Type | State | Actions |', '|:--|:--|:--|--:|'])) return;
  for (const r of d.requests) {
    const state = `${r.base?.state ?? '(new)'} → ${r.head?.state ?? '(gone)'}`;
    const acts = `${r.base ? fmt(r.base.counts.actions) : '–'} → ${r.head ? fmt(r.head.counts.actions) : '–'}`;
    if (!b.add(`| ${code(r.id, true, 60)} | ${r.type} | ${state} | ${acts} |`)) return;
  }
  b.add('');
}

interface PolicyExamples {
  added: PlanAction[];
  removed: PlanAction[];
  changed: Array<{ head: PlanAction; fields: string[]; from: string }>;
  counts: [number, number, number];
}

function examples(b: Budget, d: PlanDiff, n: number): void {
  const groups = new Map<string, PolicyExamples>();
  const group = (a: PlanAction): PolicyExamples => {
    const k = policyKey(a.policy);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { added: [], removed: [], changed: [], counts: [0, 0, 0] }));
    return g;
  };
  for (const a of d.actions.added) {
    const g = group(a);
    if (g.counts[0]++ < n) g.added.push(a);
  }
  for (const a of d.actions.removed) {
    const g = group(a);
    if (g.counts[1]++ < n) g.removed.push(a);
  }
  for (const c of d.actions.changed) {
    const g = group(c.head);
    if (g.counts[2]++ < n) g.changed.push({ head: c.head, fields: c.fields, from: c.base.policy.version });
  }
  if (groups.size === 0) return;
  if (!b.addAll(['#### Example targets', ''])) return;
  const order = [...groups].sort((x, y) => total(y[1]) - total(x[1]) || (x[0] < y[0] ? -1 : 1));
  for (const [policy, g] of order) {
    const [na, nr, nc] = g.counts;
    const lines = [`**${code(policy, false, 100)}**: ${fmt(na)} added, ${fmt(nr)} removed, ${fmt(nc)} changed`, '```diff'];
    const plain = (a: PlanAction): string => `${a.op} ${a.target.system}/${a.target.type}/${a.target.id}`.replace(/[\r\n`]/g, ' ').slice(0, 160);
    for (const a of g.added) lines.push(`+ ${plain(a)}`);
    for (const a of g.removed) lines.push(`- ${plain(a)}`);
    for (const c of g.changed) {
      const version = c.from !== c.head.policy.version ? ` v${c.from} → v${c.head.policy.version}` : '';
      lines.push(`! ${plain(c.head)}  (changed: ${c.fields.join(', ')}${version.replace(/[\r\n`]/g, ' ').slice(0, 80)})`);
    }
    lines.push('```', '');
    if (!b.addAll(lines)) return;
  }
}

function total(g: PolicyExamples): number {
  return g.counts[0] + g.counts[1] + g.counts[2];
}
