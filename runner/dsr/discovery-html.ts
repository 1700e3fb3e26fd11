/**
 * The discovery report as one self-contained page for the DPO, in the shared report style
 * (runner/report/: page shell, stylesheet, cards, tables, dates): what was found for the subject,
 * what happens to each record and why, holds and exceptions, and the identity graph (identifiers
 * as a hint and their keyed hash only). No script, no network.
 */
import { card, dataTable, pageHeader, section, when } from '../report/components.ts';
import { el, fragment, num } from '../report/html.ts';
import { renderPage } from '../report/page.ts';
import type { DiscoveryReport, IdNode } from './discovery.ts';
import { REGISTRY } from '../../connectors/registry.ts';
import type { SystemFacts } from '../../engine/system-facts.ts';

const ref = (t: { system: string; type: string; id: string }): string => `${t.system}/${t.type}/${t.id}`;
const id = (n: IdNode): string => `${n.kind} ${n.hint} (${n.hash})`;

/** Heading of the merge sets: named after the systems that have them (registry `mergeSets`). */
const MERGE_SETS_HEADING = `${(REGISTRY as readonly SystemFacts[])
  .filter((f) => f.mergeSets)
  .map((f) => f.prose ?? f.label)
  .join(' and ')} merge sets`;

/** Statuses that change or remove the record. */
const CHANGES = new Set(['delete', 'anonymize', 'gdpr-request', 'rectify']);

export function discoveryHtml(r: DiscoveryReport): string {
  const total = Object.values(r.found).reduce((a, b) => a + b, 0);
  const changing = r.records.filter((x) => CHANGES.has(x.status)).length;
  const head = fragment(
    pageHeader(`Discovery report ${r.request}`, [
      el('span', { 'data-testid': 'request-type' }, `${r.type} request`),
      fragment('received ', when(r.receivedAt)),
      fragment('due ', when(r.dueAt)),
      fragment('made ', when(r.at)),
    ]),
    r.preview ? el('p', { class: 'banner', 'data-testid': 'preview' }, 'Identity not verified: this is a preview. Nothing can be approved or executed until the identity is verified and discovery is run again.') : null,
    el(
      'section',
      { class: 'cards' },
      card('records found', total, 'found'),
      card(r.type === 'erasure' ? 'records erased or changed' : 'records changed', changing, 'changing'),
      card('held by a legal hold', r.held.length, 'held'),
      card('kept by an exception', r.exceptions.length, 'excepted'),
      card(r.identity.flagged.length ? 'shared identifiers (DPO review)' : 'shared identifiers', r.identity.flagged.length, 'flagged', r.identity.flagged.length > 0),
      card('lookup rounds', r.identity.rounds, 'rounds'),
    ),
    r.plan
      ? el(
          'p',
          { 'data-testid': 'plan' },
          'Plan ', el('code', null, r.plan.hash), `: ${num(r.plan.actions)} action(s), ${num(r.plan.protected)} record(s) protected; request state in the plan: `, el('strong', null, r.plan.state),
          r.plan.needsApproval ? ' (exceeds the blast-radius limit: needs approval of this plan hash)' : '', '.',
        )
      : null,
    r.plan?.notes.length ? el('ul', null, r.plan.notes.map((n) => el('li', null, n))) : null,
  );
  const found = Object.entries(r.found).sort();
  const body = fragment(
    head,
    section(
      'Records found',
      el('div', { class: 'panel' }, dataTable(['system/type', 'records'], found.map(([k, v]) => [k, v]), { numeric: [1], testid: 'found-by-type' })),
      el('div', { class: 'panel' }, dataTable(['record', 'what happens', 'why'], r.records.map((x) => [ref(x.target), x.status, x.detail]), { ids: [0], rowClass: (i) => (r.records[i]!.status === 'held' ? 'held' : undefined), testid: 'records' })),
    ),
    section('Held (legal holds win)', dataTable(['record', 'case', 'expires', 'hold'], r.held.map((h) => [ref(h.target), h.caseRef, h.expires ? when(h.expires) : 'no expiry', h.hold]), { ids: [0], testid: 'held-records' })),
    section('Kept by an exception', dataTable(['record', 'exception', 'legal basis'], r.exceptions.map((e) => [ref(e.target), e.exception, e.basis]), { ids: [0] })),
    r.holdConflicts?.length
      ? section('Hold records with conflicting fields (still protecting: resolve them)', dataTable(['hold', 'case', 'conflict', 'expires'], r.holdConflicts.map((h) => [h.hold, h.caseRef, h.conflict, h.expires ? when(h.expires) : '']), { rowClass: () => 'over' }))
      : null,
    section(
      'Identity graph',
      el('p', { class: 'note' }, `${num(r.identity.rounds)} lookup round(s). Identifiers are shown as a hint and their keyed hash only.`),
      dataTable(['identifier', 'given', 'led to identity records'], r.identity.edges.map((e) => [id(e.identifier), r.identity.given.some((g) => g.hash === e.identifier.hash) ? 'yes' : 'found', e.records.map(ref).join(', ') || '—']), { testid: 'identity' }),
      r.identity.flagged.length
        ? fragment(el('h3', null, 'Shared identifiers (DPO review)'), dataTable(['identifier', 'note'], r.identity.flagged.map((f) => [id(f), 'on identity records of two or more people: not used to find the subject\'s records']), { rowClass: () => 'over' }))
        : null,
      r.identity.mergeSets.length ? fragment(el('h3', null, MERGE_SETS_HEADING), dataTable(['canonical contact', 'members'], r.identity.mergeSets.map((m) => [m.canonical, m.members.join(', ')]), { ids: [0, 1] })) : null,
    ),
    section('Hold sources read in full', dataTable(['system', 'hold records'], Object.entries(r.holdsRead).map(([k, v]) => [k, v]), { numeric: [1] })),
  );
  return renderPage({ title: `Discovery report ${r.request}`, body });
}
