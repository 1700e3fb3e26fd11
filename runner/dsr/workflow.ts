/**
 * The request's steps that talk to the systems: discover (report + plan, then DPO_REVIEW),
 * execute (the approved plan through `lethe apply`'s applyPlan, EXECUTING) and poll (native
 * jobs), and closing with a certificate once every action and every native job has ended.
 */
import { readFile } from 'node:fs/promises';
import { canonicalFile } from '../../engine/canonical.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import type { Bundle } from '../../engine/bundle.ts';
import type { Plan } from '../../engine/plan/types.ts';
import { parsePlanFile } from '../../engine/plan/verify.ts';
import { signPlan } from '../../engine/plan/sign.ts';
import type { Connector } from '../../connectors/types.ts';
import { appendEvent } from '../audit/index.ts';
import { openTargetAudit } from '../audit/target.ts';
import { appendIdentityEvents, resolutionEvents } from '../audit/identity.ts';
import { UserError } from '../cli/errors.ts';
import type { ApplyResult } from '../apply/index.ts';
import { closesPartial, issueRequestCertificate, keptFor } from './certificate.ts';
import { rescanIdentifiers, verifyErasure, verifyRectification, type Rescan } from './rescan.ts';
import { discover, type DiscoveryReport } from './discovery.ts';
import { discoveryHtml } from './discovery-html.ts';
import { executionBlocker, transition, type DsrContext } from './lifecycle.ts';
import { rectificationPlan } from './rectify.ts';
import { isClosed, type ExecutionRecord, type PlainSubject, type StoredRequest, type VerificationResult } from './types.ts';

export interface DiscoverDeps {
  connectors: readonly Connector[];
  bundle: Bundle;
  limits?: { maxActions?: number; maxPercent?: number };
}

const planFile = (hash: string): string => `plan-${hash.replace(/^sha256:/, '').slice(0, 16)}.json`;

/** Runs discovery: writes discovery.json/.html and the plan to the store, moves the request to DPO_REVIEW. */
export async function discoverStep(ctx: DsrContext, id: string, deps: DiscoverDeps): Promise<{ request: StoredRequest; report: DiscoveryReport; plan: Plan | null }> {
  let r = await ctx.store.read(id);
  if (isClosed(r.state) || r.state === 'EXECUTING' || r.state === 'VERIFYING') throw new UserError(`request ${id} is ${r.state}: discovery runs before execution (or after an INCOMPLETE verification)`);
  if (r.state === 'RECEIVED') r = await transition(ctx, r, 'VALIDATING');
  if (r.state === 'VALIDATING' || r.state === 'DPO_REVIEW' || r.state === 'INCOMPLETE') r = await transition(ctx, r, 'DISCOVERY', r.state === 'VALIDATING' ? undefined : 'discovery run again');
  const now = ctx.now().toISOString();
  const result = await discover({ request: r, connectors: deps.connectors, bundle: deps.bundle, hmacKey: ctx.hmacKey, now, ...(deps.limits ? { limits: deps.limits } : {}) });
  let plan = result.plan;
  if (r.document.spec.type === 'rectification' && r.document.spec.verification) plan = rectificationPlan(r, result.collected, deps.bundle.hash, now, ctx.hmacKey);
  const systems = deps.connectors.map((c) => c.system);
  await appendIdentityEvents(ctx, [
    ...resolutionEvents(result.collected, { request: id, systems }),
    {
      type: 'identity.discovery',
      identifiers: result.collected.expanded,
      flagged: result.collected.flagged,
      request: id,
      ...(plan ? { plan: plan.hash } : {}),
      systems,
      data: { found: result.report.records.length, held: result.report.held.length, preview: result.report.preview },
    },
  ]);
  await ctx.store.writeFile(id, 'discovery.json', `${JSON.stringify(result.report, null, 2)}\n`);
  await ctx.store.writeFile(id, 'discovery.html', discoveryHtml(result.report));
  if (plan) {
    // Signed like every plan apply may run (engine/plan/sign.ts): the file crosses the store.
    if (ctx.planKey) signPlan(plan, ctx.planKey);
    await ctx.store.writeFile(id, planFile(plan.hash), canonicalFile(plan));
    if (!r.plans.includes(plan.hash)) r.plans.push(plan.hash);
  }
  // The subject's own identifiers found beyond the given ones (plain while open, hashed on close):
  // per-identifier native requests and the verification re-scan need them.
  r.found = result.collected.expanded.filter((i) => !r.document.spec.identifiers.includes(i));
  r.discovery = {
    at: now,
    ...(plan ? { planHash: plan.hash } : {}),
    found: result.report.records.length,
    flagged: result.report.identity.flagged.length,
    held: result.report.held.length,
    ...(result.report.holdConflicts?.length ? { holdConflicts: result.report.holdConflicts.map((h) => ({ hold: h.hold, caseRef: h.caseRef, conflict: h.conflict })) } : {}),
  };
  delete r.approval;
  const conflicts = result.report.holdConflicts?.length ?? 0;
  const why = `${result.report.records.length} record(s) found, ${result.report.held.length} held, ${result.report.identity.flagged.length} shared identifier(s)${conflicts ? `, ${conflicts} hold record(s) with conflicting fields (still protecting)` : ''}${result.report.preview ? '; identity not verified (preview only)' : ''}`;
  r = await transition(ctx, r, 'DPO_REVIEW', why);
  return { request: r, report: result.report, plan };
}

export async function readPlan(ctx: DsrContext, r: StoredRequest, hash: string): Promise<Plan> {
  const file = ctx.store.artefact(r.id, planFile(hash));
  const plan = parsePlanFile(await readFile(file, 'utf8'), file);
  if (plan.hash !== hash) throw new UserError(`${file}: plan hash ${plan.hash} is not the approved ${hash}`);
  return plan;
}

/**
 * The plain identifiers of an open request (what the Genesys GDPR API needs). With `only` (keyed
 * hashes), just the given or found identifiers with those hashes, and no name unless every given
 * identifier is among them: a per-identifier native request names one identifier and nothing else.
 */
export function plainSubject(r: StoredRequest, only?: { hashes: readonly string[]; key: Uint8Array }): PlainSubject | null {
  if (r.redacted) return null;
  let ids = r.document.spec.identifiers;
  let named = true;
  if (only && only.hashes.length > 0) {
    const want = new Set(only.hashes);
    const picked = [...new Set([...ids, ...(r.found ?? [])])].filter((i) => want.has(subjectHash(i, only.key)));
    if (picked.length > 0) {
      named = ids.every((i) => picked.includes(i));
      ids = picked;
    }
  }
  const pick = (p: string): string[] => ids.filter((i) => i.startsWith(p)).map((i) => i.slice(p.length));
  return {
    emails: pick('email:'),
    phones: pick('phone:'),
    ...(r.document.spec.name && named ? { name: r.document.spec.name } : {}),
    ...(r.document.spec.rectifications ? { replacements: r.document.spec.rectifications.map((x) => ({ ...x })) } : {}),
  };
}

export interface RunnerOptions {
  /** Called with the plan and the request's subject resolver: the runner's applyPlan (or pollPending). */
  apply: (plan: Plan, resolveSubject: (requestId: string, only?: readonly string[]) => Promise<PlainSubject | null>) => Promise<ApplyResult>;
  poll: (plan: Plan) => Promise<ApplyResult>;
  /** The Ed25519 private key (PEM) for the certificate; read only when a request closes. */
  signingKey: () => string;
  /** The subject's lookup in every system again, for the verification before any certificate. */
  rescan?: Rescan;
  issuer: string;
}

function merge(ex: ExecutionRecord, res: ApplyResult): void {
  const add = (list: string[], ids: readonly string[]): void => {
    for (const id of ids) if (!list.includes(id)) list.push(id);
  };
  add(ex.done, res.done);
  add(ex.gone, res.gone);
  const finished = new Set([...ex.done, ...ex.gone]);
  const failed = new Map(ex.failed.map((f) => [f.id, f]));
  for (const f of res.failed) failed.set(f.id, f);
  // An action apply refused (the approved policies and this request do not produce it) did not
  // run: the request cannot close; it is listed as failed with the refusal's reason.
  for (const f of res.refused ?? []) failed.set(f.id, { id: f.id, reason: `refused: ${f.reason}` });
  ex.failed = [...failed.values()].filter((f) => !finished.has(f.id));
  const skipped = new Map(ex.skipped.map((s) => [s.id, s]));
  for (const s of res.skipped) skipped.set(s.id, s);
  ex.skipped = [...skipped.values()].filter((s) => !finished.has(s.id));
  const pending = new Map(ex.pending.map((p) => [p.id, p]));
  for (const p of res.pending) pending.set(p.id, p);
  for (const id of [...finished, ...ex.failed.map((f) => f.id)]) pending.delete(id);
  ex.pending = [...pending.values()];
}

function trackJobs(r: StoredRequest, plan: Plan, res: ApplyResult, now: string): void {
  const byId = new Map(plan.actions.map((a) => [a.id, a]));
  for (const p of res.pending) {
    if (r.nativeJobs.some((j) => j.id === p.externalId)) continue;
    const action = byId.get(p.id);
    const op = action?.op;
    r.nativeJobs.push({ system: action?.target.system ?? 'unknown', id: p.externalId, kind: op === 'rectify' ? 'GDPR_UPDATE' : 'GDPR_DELETE', action: p.id, submittedAt: now, state: 'pending' });
  }
  for (const j of r.nativeJobs) {
    if (j.state !== 'pending' || !j.action) continue;
    if (res.done.includes(j.action)) Object.assign(j, { state: 'COMPLETED', endedAt: now });
    else if (res.failed.some((f) => f.id === j.action)) Object.assign(j, { state: 'ERROR', endedAt: now });
  }
}

/** Applies the approved plan of a verified request (DPO_REVIEW -> EXECUTING), then settles. */
export async function executeStep(ctx: DsrContext, id: string, run: RunnerOptions): Promise<StoredRequest> {
  let r = await ctx.store.read(id);
  if (r.document.spec.type === 'access') throw new UserError(`request ${id} is an access request: run lethe dsr export ${id} instead`);
  if (r.state !== 'EXECUTING') {
    const blocker = executionBlocker(r);
    if (blocker) throw new UserError(blocker);
    if (!r.approval?.planHash) throw new UserError(`request ${id} was approved without a plan: run lethe dsr discover ${id} again, then approve`);
  }
  // A request discovered again after INCOMPLETE runs its newly approved plan, not the earlier one.
  const hash = r.state === 'EXECUTING' && r.execution ? r.execution.planHash : r.approval!.planHash!;
  const plan = await readPlan(ctx, r, hash);
  if (r.state !== 'EXECUTING') {
    r.execution = { planHash: hash, startedAt: ctx.now().toISOString(), done: [], gone: [], failed: [], skipped: [], pending: [] };
    r = await transition(ctx, r, 'EXECUTING', `plan ${hash}`);
  }
  const open = r;
  // The store's word for re-derivation: this request, executing now (approved, verified).
  const status = { type: open.document.spec.type, version: open.document.metadata.version, executable: open.state === 'EXECUTING', ...(open.state === 'EXECUTING' ? {} : { why: `it is ${open.state}` }) };
  const res = await run.apply(plan, async (requestId, only) => {
    if (requestId !== open.id) return null;
    const plain = plainSubject(open, only ? { hashes: only, key: ctx.hmacKey } : undefined);
    return plain ? { ...plain, status } : null;
  });
  merge(r.execution!, res);
  trackJobs(r, plan, res, ctx.now().toISOString());
  await ctx.store.write(r);
  return settle(ctx, r, plan, run);
}

/** Polls the request's native jobs, then settles. */
export async function pollStep(ctx: DsrContext, id: string, run: RunnerOptions): Promise<StoredRequest> {
  const r = await ctx.store.read(id);
  // VERIFYING (an interrupted re-scan) and INCOMPLETE (residue found) are verified again.
  if (!['EXECUTING', 'VERIFYING', 'INCOMPLETE'].includes(r.state) || !r.execution) throw new UserError(`request ${id} is ${r.state}: only EXECUTING requests have jobs to poll`);
  const plan = await readPlan(ctx, r, r.execution.planHash);
  if (r.execution.pending.length > 0) {
    const res = await run.poll(plan);
    merge(r.execution, res);
    trackJobs(r, plan, res, ctx.now().toISOString());
    await ctx.store.write(r);
  }
  return settle(ctx, r, plan, run);
}

/**
 * Closes the request when every action and native job has ended without error — after the
 * verification re-scan (erasure, rectification): EXECUTING -> VERIFYING, then COMPLETE or
 * PARTIAL_HOLD with a certificate listing what remains and why, or INCOMPLETE with the list of
 * what remains unexplained (no certificate; `dsr poll` verifies again, `dsr discover` plans again).
 */
export async function settle(ctx: DsrContext, r: StoredRequest, plan: Plan, run: RunnerOptions): Promise<StoredRequest> {
  const ex = r.execution!;
  const open = plan.actions.filter((a) => a.request === r.id && !ex.done.includes(a.id) && !ex.gone.includes(a.id) && !ex.skipped.some((s) => s.id === a.id));
  if (ex.pending.length > 0 || ex.failed.length > 0 || open.length > 0) return r;
  const at = ctx.now().toISOString();
  ex.endedAt ??= at;
  r.kept = keptFor(plan, r);
  const type = r.document.spec.type;
  if (type === 'erasure' || type === 'rectification') {
    if (r.state !== 'VERIFYING') r = await transition(ctx, r, 'VERIFYING', 'every action and native job ended: looking the subject up again in every system');
    r.verification = await verifyRequest(ctx, r, plan, run, at);
    await ctx.store.writeFile(r.id, 'verification.json', `${JSON.stringify(r.verification, null, 2)}\n`);
    if (r.verification.unexplained > 0) {
      return transition(ctx, r, 'INCOMPLETE', `${r.verification.unexplained} record(s) of the subject remain without a reason (see verification.json)`);
    }
  }
  const partial = r.kept.some((k) => k.why !== 'shared-identifier') || closesPartial(r.verification);
  if (type === 'erasure') {
    const cert = issueRequestCertificate(plan, r, at, run.issuer, run.signingKey());
    const file = await ctx.store.writeFile(r.id, 'certificate.json', canonicalFile(cert));
    r.certificate = { file, digest: cert.digest };
    const log = await openTargetAudit(ctx, { now: ctx.now });
    try {
      await appendEvent(log, 'certificate.issued', { request: r.id, certificate: cert.digest }, { actor: ctx.actor, subject: r.subject });
    } finally {
      await log.close();
    }
  }
  const holds = [...new Set([...r.kept, ...(r.verification?.remaining ?? [])].filter((k) => k.caseRef).map((k) => `${k.caseRef}${k.expires ? ` until ${k.expires.slice(0, 10)}` : ''}`))];
  const verified = r.verification ? `; re-scan found ${r.verification.remaining.length} remaining record(s), each with a reason` : '';
  return transition(ctx, r, partial ? 'PARTIAL_HOLD' : 'COMPLETE', partial ? `kept under ${holds.length ? holds.join(', ') : 'an exception or a system limitation'}${verified}` : `every action and native job ended${verified}`);
}

/** The verification re-scan of one request (see rescan.ts). */
async function verifyRequest(ctx: DsrContext, r: StoredRequest, plan: Plan, run: RunnerOptions, at: string): Promise<VerificationResult> {
  if (!run.rescan) throw new UserError(`request ${r.id}: the verification re-scan needs the systems' connectors; run lethe dsr poll ${r.id} --config …`);
  let discovered: DiscoveryReport | null = null;
  try {
    discovered = JSON.parse(await readFile(ctx.store.artefact(r.id, 'discovery.json'), 'utf8')) as DiscoveryReport;
  } catch {
    discovered = null;
  }
  const flaggedHashes = new Set(discovered?.identity.flagged.map((n) => n.hash) ?? []);
  const ids = rescanIdentifiers(r);
  const shared = ids.filter((i) => flaggedHashes.has(subjectHash(i, ctx.hmacKey)));
  const after = await run.rescan(ids.filter((i) => !shared.includes(i)), shared);
  // The verification re-scan is a lookup of the subject too: its rounds, expansion and merge sets are audited as discovery's are.
  const systems = [...new Set(after.records.map((x) => x.system).concat(plan.actions.map((a) => a.target.system)))].sort();
  await appendIdentityEvents(
    ctx,
    resolutionEvents(after, { request: r.id, systems }).map((e) => ({ ...e, data: { ...(e.data ?? {}), phase: 'verification' } })),
  );
  if (r.document.spec.type === 'rectification') return verifyRectification(r, after, at);
  return verifyErasure({ r, plan, discovered: discovered?.records ?? null, flaggedHashes: [...flaggedHashes], after, key: ctx.hmacKey, at });
}
