/**
 * Access (GDPR Art. 15): everything both systems hold about the subject — the connectors' lookup
 * (the subject's records only, expanded through their identity records) as JSON per system, the
 * Genesys native GDPR_EXPORT result, a readable HTML summary and a manifest of sha-256 digests —
 * into a folder or one .tar. The export holds personal data by design: it is written where the
 * DPO says (--out), never into the request store, and the request records only its path.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connector } from '../../connectors/types.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { UserError } from '../cli/errors.ts';
import { appendIdentityEvents, resolutionEvents } from '../audit/identity.ts';
import { collectSubject } from './collect.ts';
import type { DiscoveryReport } from './discovery.ts';
import { attribute, filterGenesysExport, type Withheld } from './export-filter.ts';
import { awaitGdprExport, genesysHttpFrom, submitGdprExport } from './genesys-export.ts';
import { esc, page, table } from './html.ts';
import { executionBlocker, transition, type DsrContext } from './lifecycle.ts';
import { tarArchive } from './tar.ts';
import { plainSubject } from './workflow.ts';
import type { StoredRequest } from './types.ts';

export interface ExportDeps {
  connectors: readonly Connector[];
  config: RunnerConfig;
  env: NodeJS.ProcessEnv;
  out: string;
  pollIntervalMs?: number;
  pollTimeoutMs?: number;
}

function summaryHtml(r: StoredRequest, bySystem: Map<string, LetheRecord[]>, native: { id: string; status: string } | null, at: string, withheld: readonly Withheld[]): string {
  const rows: unknown[][] = [];
  for (const [system, recs] of bySystem) {
    const byType = new Map<string, number>();
    for (const x of recs) byType.set(x.type, (byType.get(x.type) ?? 0) + 1);
    for (const [type, n] of [...byType].sort()) rows.push([system, type, n]);
  }
  const detail = [...bySystem.values()].flat().map((x) => [`${x.system}/${x.type}`, x.id, x.createdAt, x.identifiers.join(', '), Object.entries(x.fields).filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; ')]);
  return page(`Your personal data (request ${r.id})`, [
    `<p>Prepared ${esc(at)} in answer to your access request received ${esc(r.document.spec.receivedAt.slice(0, 10))} (GDPR Art. 15). The files beside this page hold the same data as JSON.</p>`,
    table(['system', 'kind of record', 'count'], rows),
    native ? `<p>Genesys Cloud's own GDPR export: request <code>${esc(native.id)}</code>, ${esc(native.status)} (genesys-gdpr-export.json).</p>` : '',
    '<h2>Records</h2>',
    table(['kind', 'id', 'created', 'identifiers', 'fields'], detail),
    '<h2>Withheld</h2>',
    withheld.length
      ? `<p>These records were found while searching but are not yours (GDPR Art. 15(4)): they are counted here, not shown.</p>${table(['file', 'reason', 'count'], withheld.map((w) => [w.source, w.reason, w.count]))}`
      : '<p>Nothing was withheld.</p>',
  ].join('\n'));
}

export async function exportRequest(ctx: DsrContext, id: string, deps: ExportDeps): Promise<StoredRequest> {
  let r = await ctx.store.read(id);
  if (r.document.spec.type !== 'access') throw new UserError(`request ${id} is a ${r.document.spec.type} request: export answers access requests`);
  if (r.state !== 'EXECUTING') {
    const blocker = executionBlocker(r);
    if (blocker) throw new UserError(blocker);
    r.execution = { planHash: 'none', startedAt: ctx.now().toISOString(), done: [], gone: [], failed: [], skipped: [], pending: [] };
    r = await transition(ctx, r, 'EXECUTING', 'access export');
  }
  const subject = plainSubject(r);
  if (!subject) throw new UserError(`request ${id} is closed: its identifiers are no longer held`);
  const c = await collectSubject(deps.connectors, r.document.spec.identifiers);
  let discovered: DiscoveryReport | null = null;
  try {
    discovered = JSON.parse(await readFile(ctx.store.artefact(r.id, 'discovery.json'), 'utf8')) as DiscoveryReport;
  } catch {
    discovered = null;
  }
  // Only what discovery attributes to the subject is packed (Art. 15(4)); the rest is counted.
  const attribution = attribute(c, discovered?.records ?? null);
  const withheld = attribution.withheld;
  const bySystem = new Map<string, LetheRecord[]>();
  for (const x of attribution.records) bySystem.set(x.system, [...(bySystem.get(x.system) ?? []), x]);
  const files: Array<{ name: string; content: string }> = [];
  for (const [system, recs] of [...bySystem].sort()) files.push({ name: `${system}.json`, content: `${JSON.stringify(recs, null, 2)}\n` });

  let native: { id: string; status: string } | null = null;
  const http = genesysHttpFrom(deps.config, deps.env);
  // The native export names only identifiers that are the subject's alone: never a shared one, never a name.
  const flagged = new Set(c.flagged);
  const own = c.expanded.filter((i) => !flagged.has(i));
  const alone = { emails: own.filter((i) => i.startsWith('email:')).map((i) => i.slice(6)), phones: own.filter((i) => i.startsWith('phone:')).map((i) => i.slice(6)) };
  if (http && alone.emails.length + alone.phones.length > 0) {
    const existing = r.nativeJobs.find((j) => j.kind === 'GDPR_EXPORT');
    const jobId = await submitGdprExport(http, alone, existing?.id);
    if (!existing) {
      r.nativeJobs.push({ system: 'genesys', id: jobId, kind: 'GDPR_EXPORT', submittedAt: ctx.now().toISOString(), state: 'pending' });
      await ctx.store.write(r);
    }
    const res = await awaitGdprExport(http, jobId, { ...(deps.pollIntervalMs ? { intervalMs: deps.pollIntervalMs } : {}), ...(deps.pollTimeoutMs ? { timeoutMs: deps.pollTimeoutMs } : {}) });
    if (res.status !== 'COMPLETED' && res.status !== 'ERROR') throw new UserError(`Genesys GDPR export ${jobId} is still ${res.status}: run lethe dsr export ${id} again later (the job is reused)`);
    const job = r.nativeJobs.find((j) => j.id === jobId)!;
    Object.assign(job, { state: res.status, endedAt: ctx.now().toISOString() });
    native = { id: jobId, status: res.status };
    if (res.data !== undefined) files.push({ name: 'genesys-gdpr-export.json', content: `${JSON.stringify(filterGenesysExport(res.data, attribution, withheld), null, 2)}\n` });
  }
  const at = ctx.now().toISOString();
  const systems = deps.connectors.map((x) => x.system);
  await appendIdentityEvents(ctx, [
    ...resolutionEvents(c, { request: id, systems }),
    { type: 'identity.export', identifiers: c.expanded, flagged: c.flagged, request: id, systems, data: { records: attribution.records.length, withheld: withheld.length, native: native !== null } },
  ]);
  files.push({ name: 'summary.html', content: summaryHtml(r, bySystem, native, at, withheld) });
  r.withheld = withheld;
  const manifest = { request: r.id, at, files: files.map((f) => ({ name: f.name, sha256: createHash('sha256').update(f.content).digest('hex') })) };
  files.push({ name: 'manifest.json', content: `${JSON.stringify(manifest, null, 2)}\n` });
  if (deps.out.endsWith('.tar')) await writeFile(deps.out, tarArchive(files, Math.floor(Date.parse(at) / 1000)), { mode: 0o600 });
  else {
    await mkdir(deps.out, { recursive: true, mode: 0o700 });
    for (const f of files) await writeFile(join(deps.out, f.name), f.content, { mode: 0o600 });
  }
  r.exportedTo = deps.out;
  r.execution!.endedAt = at;
  if (native?.status === 'ERROR') {
    await ctx.store.write(r);
    throw new UserError(`the Genesys GDPR export ${native.id} ended in ERROR; the connector data was written to ${deps.out}; re-run after checking Genesys`);
  }
  return transition(ctx, r, 'COMPLETE', `access export written (${files.length} files)`);
}
