/**
 * The record of processing activities (GDPR Art. 30(1)), generated from the policy bundle and its
 * ProcessingRecord: one activity per record type the policies govern, with its purposes, the
 * categories of data subjects and of personal data (field catalog), recipients (masking
 * destinations and the system's processor), transfers and safeguards, the retention periods, the
 * erasure and masking measures. Pure and deterministic: the same bundle gives the same bytes.
 */
import type { Bundle } from '../bundle.ts';
import { canonicalJson } from '../canonical.ts';
import { catalogFor } from '../record-types.ts';
import { strategyName } from '../masking/registry.ts';
import type { ProcessingRecord } from '../schema/index.ts';

export interface RopaActivity {
  activity: string;
  processor: string;
  purposes: string[];
  subjects: string[];
  dataCategories: string[];
  recipients: string[];
  transfers: string[];
  retention: string[];
  erasure: string[];
  masking: string[];
}

export interface Ropa {
  controller: ProcessingRecord['spec']['controller'];
  dpo: ProcessingRecord['spec']['dpo'];
  processors: ProcessingRecord['spec']['processors'];
  security: string[];
  source: string;
  bundle: string;
  activities: RopaActivity[];
}

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** The record of processing, or null when the bundle has no ProcessingRecord. */
export function buildRopa(bundle: Bundle): Ropa | null {
  const doc = [...(bundle.processing ?? [])].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))[0];
  if (!doc) return null;
  const spec = doc.spec;
  const keys = new Set<string>();
  for (const p of bundle.retention) keys.add(`${p.spec.appliesTo.system}/${p.spec.appliesTo.type}`);
  for (const p of bundle.masking) for (const s of p.spec.appliesTo) keys.add(`${s.system}/${s.type}`);
  for (const p of bundle.erasure) for (const s of p.spec.scope) keys.add(`${s.system}/${s.type}`);
  for (const p of bundle.consent) for (const t of p.spec.onWithdrawal?.purge ?? []) keys.add(`${t.system}/${t.type}`);
  const activities = [...keys]
    .sort()
    .map((key): RopaActivity => {
      const [system, type] = key.split('/') as [string, string];
      const proc = spec.processors.find((p) => p.system === system);
      const masking = bundle.masking.filter((p) => p.spec.appliesTo.some((s) => s.system === system && s.type === type));
      const destinations = sorted(masking.map((p) => p.spec.destination));
      const retention = bundle.retention.filter((p) => p.spec.appliesTo.system === system && p.spec.appliesTo.type === type);
      const consentPurposes = bundle.consent.filter((c) => c.spec.destinations.some((d) => destinations.includes(d)) || (c.spec.onWithdrawal?.purge ?? []).some((t) => t.system === system && t.type === type));
      const personal = (catalogFor(system, type) ?? []).filter((f) => f.personal);
      return {
        activity: key,
        processor: proc ? `${proc.name} (DPA ${proc.dpa}; ${proc.location})` : 'controller',
        purposes: sorted([...retention.flatMap((p) => (p.spec.purpose ? [p.spec.purpose] : [])), ...consentPurposes.map((c) => `${c.spec.purpose} (consent)`)]),
        subjects: [...spec.subjects],
        dataCategories: sorted(['identifier', ...personal.map((f) => f.category)]),
        recipients: sorted([...destinations, ...(proc ? [`${proc.name} (processor)`] : [])]),
        transfers: (proc?.transfers ?? []).map((t) => `${t.country}: ${t.safeguard}`),
        retention: retention
          .map((p) => `${p.spec.retainFor} from ${p.spec.from ?? 'createdAt'}, then ${p.spec.then}${p.spec.when !== undefined ? ` when ${canonicalJson(p.spec.when)}` : ''} (${p.metadata.name}@${p.metadata.version})`)
          .sort(),
        erasure: bundle.erasure
          .flatMap((p) => [
            ...p.spec.scope.filter((s) => s.system === system && s.type === type).map((s) => `on request: ${s.action} within ${p.spec.deadline ?? 'P30D'} (${p.metadata.name}@${p.metadata.version})`),
            ...(p.spec.exceptions ?? []).filter((e) => !e.appliesTo || e.appliesTo.some((s) => s.system === system && s.type === type)).map((e) => `kept: ${e.name}, ${e.basis}`),
          ])
          .sort(),
        masking: masking
          .map((p) => `${p.spec.destination}: ${Object.entries(p.spec.fields).map(([f, s]) => `${f} ${strategyName(s)}`).sort().join(', ')}${p.spec.identifiers ? `; identifiers ${strategyName(p.spec.identifiers)}` : ''}; other fields ${p.spec.otherFields ?? 'drop'} (${p.metadata.name}@${p.metadata.version})`)
          .sort(),
      };
    });
  return { controller: spec.controller, dpo: spec.dpo, processors: spec.processors, security: [...spec.security], source: `${doc.metadata.name}@${doc.metadata.version}`, bundle: bundle.hash, activities };
}

const COLUMNS: ReadonlyArray<[keyof RopaActivity, string]> = [
  ['activity', 'activity (system/type)'], ['purposes', 'purposes'], ['subjects', 'categories of data subjects'], ['dataCategories', 'categories of personal data'],
  ['recipients', 'recipients'], ['processor', 'processor'], ['transfers', 'transfers and safeguards'], ['retention', 'retention'], ['erasure', 'erasure'], ['masking', 'masking'],
];

export const ROPA_COLUMNS = COLUMNS.map(([, h]) => h);

/** One activity's cells as text, in column order. */
export function ropaCells(a: RopaActivity): string[] {
  return COLUMNS.map(([k]) => {
    const v = a[k];
    return Array.isArray(v) ? (v.length > 0 ? v.join('; ') : '—') : v;
  });
}

function csvCell(s: string): string {
  // Quoted always; a leading =, +, - or @ is prefixed so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function ropaCsv(r: Ropa): string {
  return [ROPA_COLUMNS, ...r.activities.map(ropaCells)].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function mdRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
}

export function ropaMarkdown(r: Ropa): string {
  return [
    '# Record of processing activities (GDPR Art. 30(1))',
    '',
    `Generated by \`lethe ropa\` from the policy bundle \`${r.bundle}\` and ProcessingRecord ${r.source}.`,
    '',
    `**Controller:** ${r.controller.name}, ${r.controller.address}; ${r.controller.contact}${r.controller.representative ? ` · representative: ${r.controller.representative.name}, ${r.controller.representative.contact}` : ''}`,
    '',
    `**Data protection officer:** ${r.dpo.name}, ${r.dpo.contact}`,
    '',
    '## Processors',
    '',
    mdRow(['processor', 'system', 'DPA', 'location', 'transfers and safeguards']),
    mdRow(['---', '---', '---', '---', '---']),
    ...r.processors.map((p) => mdRow([p.name, p.system, p.dpa, p.location, (p.transfers ?? []).map((t) => `${t.country}: ${t.safeguard}`).join('; ') || '—'])),
    '',
    '## Processing activities',
    '',
    mdRow(ROPA_COLUMNS),
    mdRow(ROPA_COLUMNS.map(() => '---')),
    ...r.activities.map((a) => mdRow(ropaCells(a))),
    '',
    '## Security measures (Art. 30(1)(g))',
    '',
    ...r.security.map((s) => `- ${s}`),
    '',
  ].join('\n');
}

/** What changed between two records of processing, by activity (for the pull-request comment). */
export function ropaChanges(base: Ropa | null, head: Ropa | null): Array<{ activity: string; column: string; before: string; after: string }> {
  const rows = (r: Ropa | null): Map<string, string[]> => new Map((r?.activities ?? []).map((a) => [a.activity, ropaCells(a)]));
  const b = rows(base);
  const h = rows(head);
  const out: Array<{ activity: string; column: string; before: string; after: string }> = [];
  for (const activity of sorted([...b.keys(), ...h.keys()])) {
    const x = b.get(activity);
    const y = h.get(activity);
    ROPA_COLUMNS.forEach((column, i) => {
      if (i === 0) return;
      const before = x?.[i] ?? '(none)';
      const after = y?.[i] ?? '(none)';
      if (before !== after) out.push({ activity, column, before, after });
    });
  }
  return out;
}

export function ropaChangesMarkdown(changes: ReturnType<typeof ropaChanges>, maxRows = 20): string {
  if (changes.length === 0) return '### Record of processing (Art. 30)\n\nNo change.\n';
  return [
    '### Record of processing (Art. 30)',
    '',
    `${changes.length} change(s):`,
    '',
    mdRow(['activity', 'column', 'before', 'after']),
    mdRow(['---', '---', '---', '---']),
    ...changes.slice(0, maxRows).map((c) => mdRow([c.activity, c.column, c.before, c.after])),
    ...(changes.length > maxRows ? ['', `… and ${changes.length - maxRows} more (lethe ropa on both commits).`] : []),
    '',
  ].join('\n');
}
