import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUuid } from '../../connectors/genesys/seed.ts';
import { verifyCertificate } from '../../runner/certificate/certificate.ts';
import { approveRequest, openRequest, verifyRequest } from '../../runner/dsr/intake.ts';
import { applyRunner } from '../../runner/dsr/runner.ts';
import { discoverStep, executeStep, pollStep, type RunnerOptions } from '../../runner/dsr/workflow.ts';
import { ann, household, startWorld, type World } from './world.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

describe('native erasure, a shared household phone, unverified discovery and no leaks after close', () => {
  let w: World;
  let run: RunnerOptions;
  beforeAll(async () => {
    const now = Date.now();
    w = await startWorld([ann(now), ...household(now)], []);
    run = applyRunner({ config: w.sandbox.config, stateDir: join(w.dir, 'state'), bundle: w.bundle, env: w.env, actor: 'dpo@example.com', connectors: w.connectors, signingKey: () => w.keys.privatePem, pollTimeoutMs: HANG_GUARD_MS, pollIntervalMs: 20 });
  });
  afterAll(() => w.stop());

  it('without a hold, one native GDPR delete for the merge set completes and the request ends COMPLETE', async () => {
    const a = w.people[0]!;
    const r0 = await openRequest(w.ctx, { type: 'erasure', emails: [a.emails[1]!], phones: [a.phones[0]!], name: 'Ann Example' });
    const d = await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    expect(d.report.preview).toBe(true);
    expect(d.plan).toBeNull();
    await expect(approveRequest(w.ctx, r0.id)).rejects.toThrow(/not verified/);
    await verifyRequest(w.ctx, r0.id, { method: 'id-document', reference: 'DOC-7' });
    const { plan } = await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    const native = plan!.actions.filter((x) => x.op === 'gdpr-request');
    expect(native).toHaveLength(1);
    expect(native[0]!.target.id).toBe(seedUuid('contact', 'ann#0'));
    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, r0.id);
    let r = await executeStep(w.ctx, r0.id, run);
    if (r.state === 'EXECUTING') r = await pollStep(w.ctx, r0.id, run);
    expect(r.state).toBe('COMPLETE');
    expect(r.nativeJobs).toHaveLength(1);
    expect(r.nativeJobs[0]!.state).toBe('COMPLETED');
    const g = w.sandbox.genesys.store;
    expect([...g.contacts.values()].some((c) => c.lastName === 'Example')).toBe(false);
    expect(['ann-1', 'ann-2', 'ann-3'].some((k) => g.recordingsOf(seedUuid('conversation', k)).length > 0)).toBe(false);
    const cert = readFileSync(r.certificate!.file, 'utf8');
    expect(verifyCertificate(cert, w.keys.publicPem).ok).toBe(true);
    expect(JSON.parse(cert).body.nativeJobs[0]).toMatchObject({ type: 'GDPR_DELETE', state: 'COMPLETED' });
  });

  it('a household phone is flagged for review and nothing of the other person is touched', async () => {
    const [bob, cat] = [w.people[1]!, w.people[2]!];
    const g = w.sandbox.genesys.store;
    const sf = w.sandbox.salesforce.store;
    const catConvs = cat.interactions.map((i) => seedUuid('conversation', i.key));
    const catRecordings = () => catConvs.flatMap((c) => g.recordingsOf(c).map((x) => x.id)).sort();
    const catBefore = { contact: g.contacts.has(seedUuid('contact', 'cat#0')), recordings: catRecordings(), tasks: [...sf.rows('Task')].filter((t) => String(t.Subject) === 'Cat task').length };
    const r0 = await openRequest(w.ctx, { type: 'erasure', emails: [bob.emails[0]!], verification: { method: 'account-login', reference: 'SSO-1' } });
    const { report, plan } = await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    expect(report.identity.flagged).toHaveLength(1);
    expect(report.identity.flagged[0]!.hint).toBe('…99');
    expect(report.records.some((x) => x.status === 'shared' || x.status === 'other-person')).toBe(true);
    expect(plan!.requests[0]!.state).toBe('DPO_REVIEW');
    // No action of the plan targets anything of Cat's.
    const catIds = new Set([seedUuid('contact', 'cat#0'), ...catConvs, ...catConvs.flatMap((c) => g.recordingsOf(c).map((x) => `${c}:${x.id}`))]);
    expect(plan!.actions.filter((x) => catIds.has(x.target.id))).toEqual([]);
    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, r0.id);
    let r = await executeStep(w.ctx, r0.id, run);
    if (r.state === 'EXECUTING') r = await pollStep(w.ctx, r0.id, run);
    expect(r.state).toBe('COMPLETE');
    expect(g.contacts.has(seedUuid('contact', 'bob#0'))).toBe(false);
    expect({ contact: g.contacts.has(seedUuid('contact', 'cat#0')), recordings: catRecordings(), tasks: [...sf.rows('Task')].filter((t) => String(t.Subject) === 'Cat task').length }).toEqual(catBefore);
  });

  it('after close no plain e-mail, phone or name of the closed requests remains in the store, state, plans or audit log', () => {
    const [a, bob] = [w.people[0]!, w.people[1]!];
    const secrets = [...a.emails, ...a.phones, 'Ann Example', ...bob.emails, bob.phones[0]!, a.phones[0]!.slice(1)];
    const files = [...allFiles(w.ctx.store.dir), ...allFiles(join(w.dir, 'state'))];
    expect(files.some((f) => f.endsWith('audit.jsonl'))).toBe(true);
    expect(files.some((f) => /plan-[0-9a-f]+\.json$/.test(f))).toBe(true);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const s of secrets) expect(text.includes(s), `${s} found in ${f}`).toBe(false);
    }
  });
});
