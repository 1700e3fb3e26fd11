/**
 * Access (GDPR Art. 15): everything the systems hold about the subject — the connectors' lookup
 * (the subject's records only, expanded through their identity records) as JSON per system, the
 * result of each configured system's native export (plugin `nativeExport`: Genesys' GDPR_EXPORT), a readable HTML summary and a manifest of sha-256 digests —
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
import { capableSystems } from '../connections.ts';
import { attribute, filterNativeExport, type Withheld } from './export-filter.ts';
import { esc, page, table } from './html.ts';
import { executionBlocker, transition, type DsrContext } from './lifecycle.ts';
import { tarArchive } from './tar.ts';
import { plainSubject } from './workflow.ts';
import type { NativeJob, StoredRequest } from './types.ts';

/** A native export that was run: its title on the summary, job id, final status and file. */
interface NativeDone {
  title: string;
  id: string;
  status: string;
  file: string;
}

export interface ExportDeps {
  connectors: readonly Connector[];
  config: RunnerConfig;
  env: NodeJS.ProcessEnv;
  out: string;
  pollIntervalMs?: number;
  pollTimeoutMs?: number;
}

function summaryHtml(r: StoredRequest, bySystem: Map<string, LetheRecord[]>, natives: readonly NativeDone[], at: string, withheld: readonly Withheld[]): string {
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
    ...natives.map((n) => `<p>${esc(n.title)}: request <code>${esc(n.id)}</code>, ${esc(n.status)} (${esc(n.file)}).</p>`),
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

  const natives: NativeDone[] = [];
  // The native exports name only identifiers that are the subject's alone: never a shared one, never a name.
  const flagged = new Set(c.flagged);
  const own = c.expanded.filter((i) => !flagged.has(i));
  const alone = { emails: own.filter((i) => i.startsWith('email:')).map((i) => i.slice(6)), phones: own.filter((i) => i.startsWith('phone:')).map((i) => i.slice(6)) };
  let failed: { noun: string; id: string; system: string } | null = null;
  for (const s of alone.emails.length + alone.phones.length > 0 ? capableSystems(deps.config, 'nativeExport', deps.env) : []) {
    const x = s.capability;
    const client = x.open(s.config, s.secret);
    const existing = r.nativeJobs.find((j) => j.system === s.facts.name && j.kind === x.kind);
    const jobId = await client.submit(alone, existing?.id);
    if (!existing) {
      r.nativeJobs.push({ system: s.facts.name, id: jobId, kind: x.kind as NativeJob['kind'], submittedAt: ctx.now().toISOString(), state: 'pending' });
      await ctx.store.write(r);
    }
    const res = await client.wait(jobId, { ...(deps.pollIntervalMs ? { intervalMs: deps.pollIntervalMs } : {}), ...(deps.pollTimeoutMs ? { timeoutMs: deps.pollTimeoutMs } : {}) });
    if (res.outcome === 'pending') throw new UserError(`${x.noun} ${jobId} is still ${res.status}: run lethe dsr export ${id} again later (the job is reused)`);
    const job = r.nativeJobs.find((j) => j.id === jobId)!;
    Object.assign(job, { state: res.status, endedAt: ctx.now().toISOString() });
    natives.push({ title: x.title, id: jobId, status: res.status, file: x.file });
    if (res.outcome === 'failed') failed ??= { noun: x.noun, id: jobId, system: s.facts.prose ?? s.facts.label };
    if (res.data !== undefined) files.push({ name: x.file, content: `${JSON.stringify(filterNativeExport(s.facts.name, x, res.data, attribution, withheld), null, 2)}\n` });
  }
  const at = ctx.now().toISOString();
  const systems = deps.connectors.map((x) => x.system);
  await appendIdentityEvents(ctx, [
    ...resolutionEvents(c, { request: id, systems }),
    { type: 'identity.export', identifiers: c.expanded, flagged: c.flagged, request: id, systems, data: { records: attribution.records.length, withheld: withheld.length, native: natives.length > 0 } },
  ]);
  files.push({ name: 'summary.html', content: summaryHtml(r, bySystem, natives, at, withheld) });
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
  if (failed) {
    await ctx.store.write(r);
    throw new UserError(`the ${failed.noun} ${failed.id} ended in ERROR; the connector data was written to ${deps.out}; re-run after checking ${failed.system}`);
  }
  return transition(ctx, r, 'COMPLETE', `access export written (${files.length} files)`);
}
