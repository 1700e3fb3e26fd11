/**
 * The breach report (no personal data: counts, categories, the clock, the draft notification) as
 * JSON and Markdown. Pure: `now` and the snapshot hash are passed in.
 */
import { notificationClock, type NotificationClock } from './clock.ts';
import type { Incident } from './incident.ts';
import { jurisdictionNote } from './jurisdiction.ts';
import type { BreachCounts, CategorySummary, ExposureSummary, ScopeResult } from './scope.ts';

export interface BreachReport {
  apiVersion: 'lethe.dev/v1';
  kind: 'BreachReport';
  incident: { id: string; description: string; nature: string[]; window?: Incident['window'] };
  clock: NotificationClock;
  snapshot: string;
  policyBundle: string;
  exposures: ExposureSummary[];
  categories: CategorySummary[];
  counts: BreachCounts;
  maskedOnly: boolean;
  jurisdictions: Array<{ jurisdiction: string; subjects: number; note: string }>;
  /** Draft notification to the supervisory authority, Art. 33(3)(a)-(d). */
  notification: { a: string; b: string; c: string; d: string };
  timeline: Incident['timeline'];
  decisions: Incident['decisions'];
}

const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  name: 'names', contact: 'contact details (e-mail, phone)', identifier: 'identifiers (record ids, customer numbers)', content: 'free-text content (notes, descriptions)',
  reference: 'references to other records', status: 'status codes and flags', time: 'dates and times',
};

const TODO = '[to be completed]';

export function breachReport(incident: Incident, scope: ScopeResult, inputs: { now: string; snapshot: string; policyBundle: string }): BreachReport {
  const cats = scope.categories.map((c) => `${CATEGORY_NAMES[c.category] ?? c.category}${c.visibility === 'clear' ? '' : ` (${c.visibility})`}`);
  const n = scope.counts;
  const a =
    `Nature: ${incident.nature.join(', ')} breach. ${incident.description.trim()} ` +
    `Approximately ${n.subjects} data subject${n.subjects === 1 ? '' : 's'} and ${n.records} record${n.records === 1 ? '' : 's'} concerned` +
    `${n.sharedOnlyRecords > 0 ? ` (plus ${n.sharedOnlyRecords} record(s) reachable only through ${n.flaggedIdentifiers} shared identifier(s), under review)` : ''}. ` +
    `Categories of personal data: ${cats.length > 0 ? cats.join('; ') : 'none readable'}. ` +
    `Categories of data subjects: customers and contacts of the contact centre and CRM.` +
    (scope.maskedOnly ? ' Only masked data and keyed hashes were exposed (the key was not).' : '');
  const b = incident.dpo ? `Data protection officer: ${incident.dpo.name}, ${incident.dpo.contact}.` : `Data protection officer: ${TODO} (add dpo: {name, contact} to the incident file).`;
  const c = incident.consequences ? incident.consequences.trim() : `Likely consequences: ${TODO}.`;
  const d = incident.measures.length > 0 ? incident.measures.join(' ') : `Measures taken or proposed: ${TODO}.`;
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'BreachReport',
    incident: { id: incident.id, description: incident.description, nature: incident.nature, ...(incident.window ? { window: incident.window } : {}) },
    clock: notificationClock(incident.awareAt, incident.timeZone, inputs.now),
    snapshot: inputs.snapshot,
    policyBundle: inputs.policyBundle,
    exposures: scope.exposures,
    categories: scope.categories,
    counts: scope.counts,
    maskedOnly: scope.maskedOnly,
    jurisdictions: Object.entries(n.byJurisdiction).map(([jurisdiction, subjects]) => ({ jurisdiction, subjects, note: jurisdictionNote(jurisdiction) })),
    notification: { a, b, c, d },
    timeline: incident.timeline,
    decisions: incident.decisions,
  };
}

function row(cells: ReadonlyArray<string | number>): string {
  return `| ${cells.map((c) => String(c).replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
}

export function breachMarkdown(r: BreachReport): string {
  const k = r.clock;
  const lines = [
    `# Breach ${r.incident.id}`,
    '',
    `**Notify the supervisory authority by ${k.deadlineLocal} (${k.zone}) = ${k.deadline} UTC** — 72 hours after awareness at ${k.awareAtLocal} (${k.awareAt} UTC).`,
    k.overdue ? `**Overdue** by ${Math.abs(k.hoursLeft)} h at ${k.at}: Art. 33(1) requires the reasons for the delay.` : `${k.hoursLeft} h left at ${k.at}.`,
    '',
    `Snapshot \`${r.snapshot}\` · policy bundle \`${r.policyBundle}\``,
    '',
    '## Scope',
    '',
    row(['affected people', 'records', 'shared-identifier-only records', 'shared identifiers flagged', 'records without a subject', 'masked only']),
    row(['---:', '---:', '---:', '---:', '---:', '---']),
    row([r.counts.subjects, r.counts.records, r.counts.sharedOnlyRecords, r.counts.flaggedIdentifiers, r.counts.noSubjectRecords, r.maskedOnly ? 'yes' : 'no']),
    '',
    '## Exposed',
    '',
    row(['system/type', 'as', 'records', 'masked only', 'readable personal data']),
    row(['---', '---', '---:', '---', '---']),
    ...r.exposures.map((e) =>
      row([`${e.system}/${e.type}`, e.destination ? `export ${e.destination}` : 'stored', e.records, e.maskedOnly ? 'yes' : 'no', e.fields.filter((f) => f.visibility !== 'removed').map((f) => `${f.path} (${f.visibility})`).join(', ') || 'none']),
    ),
    '',
    '## Categories of personal data',
    '',
    row(['category', 'most readable as', 'from']),
    row(['---', '---', '---']),
    ...r.categories.map((c) => row([c.category, c.visibility, c.sources.join(', ')])),
    '',
    '## By jurisdiction',
    '',
    'From phone country codes and address fields; "unknown" is counted, never guessed. A person with phones in two countries counts in both.',
    '',
    row(['jurisdiction', 'people', 'note']),
    row(['---', '---:', '---']),
    ...r.jurisdictions.map((j) => row([j.jurisdiction, j.subjects, j.note])),
    '',
    '## Draft notification to the supervisory authority (GDPR Art. 33(3))',
    '',
    `(a) ${r.notification.a}`,
    '',
    `(b) ${r.notification.b}`,
    '',
    `(c) ${r.notification.c}`,
    '',
    `(d) ${r.notification.d}`,
    '',
  ];
  if (r.timeline.length + r.decisions.length > 0) {
    lines.push('## Timeline and decisions', '', row(['at (UTC)', 'what']), row(['---', '---']));
    for (const t of r.timeline) lines.push(row([t.at, t.event]));
    for (const d of r.decisions) lines.push(row([d.at, `decision by ${d.by}: ${d.decision}`]));
    lines.push('');
  }
  lines.push('The list of the individuals to notify (Art. 34) is in the request store, never in this report.', '');
  return lines.join('\n');
}
