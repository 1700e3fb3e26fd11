/** The discovery report as a readable, self-contained HTML page for the DPO. */
import type { DiscoveryReport, IdNode } from './discovery.ts';
import { esc, page, table } from './html.ts';

const ref = (t: { system: string; type: string; id: string }): string => `${t.system}/${t.type}/${t.id}`;
const id = (n: IdNode): string => `${n.kind} ${n.hint} (${n.hash})`;

export function discoveryHtml(r: DiscoveryReport): string {
  const parts: string[] = [];
  parts.push(`<p>Request <code>${esc(r.request)}</code> (${esc(r.type)}), received ${esc(r.receivedAt)}, due ${esc(r.dueAt)}; report made ${esc(r.at)}.</p>`);
  if (r.preview) parts.push('<p class="warn">Identity not verified: this is a preview. Nothing can be approved or executed until the identity is verified and discovery is run again.</p>');
  if (r.plan) {
    parts.push(`<p>Plan <code>${esc(r.plan.hash)}</code>: ${esc(r.plan.actions)} action(s), ${esc(r.plan.protected)} record(s) protected; request state in the plan: <b>${esc(r.plan.state)}</b>${r.plan.needsApproval ? ' (exceeds the blast-radius limit: needs approval of this plan hash)' : ''}.</p>`);
    if (r.plan.notes.length) parts.push(`<ul>${r.plan.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  }
  parts.push('<h2>Identity graph</h2>');
  parts.push(`<p>${esc(r.identity.rounds)} lookup round(s). Identifiers are shown as a hint and their keyed hash only.</p>`);
  parts.push(table(['identifier', 'given', 'led to identity records'], r.identity.edges.map((e) => [id(e.identifier), r.identity.given.some((g) => g.hash === e.identifier.hash) ? 'yes' : 'found', e.records.map(ref).join(', ') || '—'])));
  if (r.identity.flagged.length) {
    parts.push('<h3 class="warn">Shared identifiers (DPO review)</h3>');
    parts.push(table(['identifier', 'note'], r.identity.flagged.map((f) => [id(f), 'on identity records of two or more people: not used to find the subject\'s records'])));
  }
  if (r.identity.mergeSets.length) {
    parts.push('<h3>Genesys merge sets</h3>');
    parts.push(table(['canonical contact', 'members'], r.identity.mergeSets.map((m) => [m.canonical, m.members.join(', ')])));
  }
  parts.push('<h2>Records found</h2>');
  parts.push(table(['system/type', 'count'], Object.entries(r.found).sort().map(([k, v]) => [k, v])));
  parts.push(table(['record', 'what happens', 'why'], r.records.map((x) => [ref(x.target), x.status, x.detail]), (i) => (r.records[i]!.status === 'held' ? 'held' : '')));
  parts.push('<h2>Held (legal holds win)</h2>');
  parts.push(table(['record', 'case', 'expires', 'hold'], r.held.map((h) => [ref(h.target), h.caseRef, h.expires ?? 'no expiry', h.hold])));
  parts.push('<h2>Kept by an exception</h2>');
  parts.push(table(['record', 'exception', 'legal basis'], r.exceptions.map((e) => [ref(e.target), e.exception, e.basis])));
  if (r.holdConflicts?.length) {
    parts.push('<h2>Hold records with conflicting fields (still protecting: resolve them)</h2>');
    parts.push(table(['hold', 'case', 'conflict', 'expires'], r.holdConflicts.map((h) => [h.hold, h.caseRef, h.conflict, h.expires ?? ''])));
  }
  parts.push('<h2>Hold sources read in full</h2>');
  parts.push(table(['system', 'hold records'], Object.entries(r.holdsRead).map(([k, v]) => [k, v])));
  return page(`Discovery report ${r.request}`, parts.join('\n'));
}
