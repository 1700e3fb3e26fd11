/**
 * Issue 16 end to end against both emulators: an access answer holds no other person's data, an
 * erasure is verified by a re-scan before any certificate (COMPLETE only when nothing unexplained
 * remains, INCOMPLETE otherwise), native requests never name a shared identifier, and a
 * rectification corrects or lists free text that still holds the old value.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUuid } from '../../connectors/genesys/seed.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { refKey } from '../../engine/records.ts';
import { verifyCertificate } from '../../runner/certificate/certificate.ts';
import { approveRequest, openRequest } from '../../runner/dsr/intake.ts';
import { exportRequest } from '../../runner/dsr/export.ts';
import { dsrReport, dsrReportMarkdown } from '../../runner/dsr/report.ts';
import { applyRunner } from '../../runner/dsr/runner.ts';
import { discoverStep, executeStep, pollStep, type RunnerOptions } from '../../runner/dsr/workflow.ts';
import type { StoredRequest } from '../../runner/dsr/types.ts';
import { ann, HMAC_HEX, HOUSEHOLD, household, startWorld, type World } from './world.ts';
import { certificateOf, untar, type CertBody } from './truth-helpers.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

const KEY = Buffer.from(HMAC_HEX, 'hex');

describe('issue 16: answers and certificates that tell the truth', () => {
  let w: World;
  let run: RunnerOptions;
  beforeAll(async () => {
    const now = Date.now();
    w = await startWorld([ann(now), ...household(now)], []);
    run = applyRunner({ config: w.sandbox.config, stateDir: join(w.dir, 'state'), bundle: w.bundle, env: w.env, actor: 'dpo@example.com', connectors: w.connectors, signingKey: () => w.keys.privatePem, pollTimeoutMs: HANG_GUARD_MS, pollIntervalMs: 20 });
  });
  afterAll(() => w.stop());

  const finish = async (id: string): Promise<StoredRequest> => {
    let r = await executeStep(w.ctx, id, run);
    for (let i = 0; i < 5 && r.state === 'EXECUTING'; i++) r = await pollStep(w.ctx, id, run);
    return r;
  };

  it('household-phone access: the archive holds the subject\'s data and nothing of the other person', async () => {
    const [bob, cat] = [w.people[1]!, w.people[2]!];
    const r0 = await openRequest(w.ctx, { type: 'access', emails: [bob.emails[0]!], phones: [HOUSEHOLD], name: 'Bob Home', verification: { method: 'account-login', reference: 'SSO-2' } });
    await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, r0.id);
    const out = join(w.dir, 'bob-access.tar');
    const r = await exportRequest(w.ctx, r0.id, { connectors: w.connectors, config: w.sandbox.config, env: w.env, out, pollIntervalMs: 20, pollTimeoutMs: HANG_GUARD_MS });
    expect(r.state).toBe('COMPLETE');
    const files = untar(readFileSync(out));
    expect([...files.keys()].sort()).toEqual(['genesys-gdpr-export.json', 'genesys.json', 'manifest.json', 'salesforce.json', 'summary.html']);
    const all = [...files.values()].join('\n');
    // Bob's own data is there, from both systems and from Genesys' own export.
    expect(files.get('genesys-gdpr-export.json')).toContain(bob.emails[0]);
    expect(files.get('genesys-gdpr-export.json')).toContain(seedUuid('conversation', 'bob-1'));
    expect(files.get('salesforce.json')).toContain('Bob task');
    // Nothing of Cat's: name, e-mail, own phone, contact, conversations, task.
    const catConvs = cat.interactions.map((i) => seedUuid('conversation', i.key));
    for (const s of ['Cat', cat.emails[0]!, cat.phones[0]!, seedUuid('contact', 'cat#0'), ...catConvs, 'Cat task']) expect(all.includes(s), `${s} in the archive`).toBe(false);
    // The summary lists what was withheld (counts and reasons, no content).
    expect(r.withheld!.reduce((n, x) => n + x.count, 0)).toBeGreaterThan(0);
    expect(files.get('summary.html')).toContain('Withheld');
    // The native export named no shared identifier.
    const job = w.sandbox.genesys.store.gdpr.get(r.nativeJobs[0]!.id)!.request;
    expect(job.subject.phoneNumbers ?? []).not.toContain(HOUSEHOLD);
    expect(job.subject.name).toBeUndefined();
  });

  it('household-phone erasure: per-identifier native requests, nothing of the other person touched, and every record of the subject still found is listed with its reason', async () => {
    const [bob, cat] = [w.people[1]!, w.people[2]!];
    const g = w.sandbox.genesys.store;
    const sf = w.sandbox.salesforce.store;
    const catConvs = cat.interactions.map((i) => seedUuid('conversation', i.key));
    const catState = () => JSON.stringify({ contact: g.contacts.get(seedUuid('contact', 'cat#0')) ?? null, convs: catConvs.map((c) => g.conversations.get(c) ?? null), recordings: catConvs.flatMap((c) => g.recordingsOf(c).map((x) => x.id)), tasks: [...sf.rows('Task')].filter((t) => t.Subject === 'Cat task' && !t.IsDeleted).length });
    const catBefore = catState();
    const r0 = await openRequest(w.ctx, { type: 'erasure', emails: [bob.emails[0]!], phones: [HOUSEHOLD], name: 'Bob Home', verification: { method: 'account-login', reference: 'SSO-3' } });
    const { report, plan } = await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    const native = plan!.actions.filter((a) => a.op === 'gdpr-request');
    // One native request per identifier that is Bob's alone; never the household phone.
    expect(native.map((a) => a.subject![0]).sort()).toEqual([`email:${bob.emails[0]}`, `phone:${bob.phones[0]}`].map((i) => subjectHash(i, KEY)).sort());
    expect(native.every((a) => a.target.type === 'gdpr-subject')).toBe(true);
    // Discovery says "native request" only for records a planned native request reaches.
    const bob2 = report.records.find((x) => x.target.id === seedUuid('conversation', 'bob-2'))!;
    expect(bob2.detail).not.toMatch(/native Genesys GDPR request planned/);
    expect(report.records.find((x) => x.target.id === seedUuid('conversation', 'bob-1'))!.detail).toMatch(/erased by a native Genesys GDPR request/);
    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, r0.id);
    const r = await finish(r0.id);
    expect(['COMPLETE', 'PARTIAL_HOLD']).toContain(r.state);
    expect(g.gdpr.size).toBeGreaterThan(0);
    for (const job of [...g.gdpr.values()].map((x) => x.request).filter((x) => x.requestType === 'GDPR_DELETE')) {
      expect(job.subject.phoneNumbers ?? []).not.toContain(HOUSEHOLD);
      expect(job.subject.externalContactId).toBeUndefined();
    }
    expect(catState()).toEqual(catBefore);
    const text = readFileSync(r.certificate!.file, 'utf8');
    expect(verifyCertificate(text, w.keys.publicPem)).toEqual({ ok: true, problems: [] });
    const cert: CertBody = certificateOf(text);
    expect(cert.outcome).toBe(r.state);
    // Bob's own identifiers: every record that still carries one is on the certificate with a reason.
    const listed = new Map(cert.verification!.remaining.map((x) => [refKey(x.target), x]));
    const own = [`email:${bob.emails[0]}`, `phone:${bob.phones[0]}`, `gc:${seedUuid('contact', 'bob#0')}`];
    const found = (await Promise.all(w.connectors.map((c) => c.lookup(own)))).flat().filter((x) => x.type !== 'legal-hold' && x.identifiers.some((i) => own.includes(i)));
    for (const x of found) expect(listed.get(refKey(x))?.why, `${refKey(x)} is not on the certificate`).toMatch(/^(hold|exception|shared-identifier|system-limitation|skipped)$/);
    // The call Bob made from the household phone is kept for the DPO, not silently left.
    expect(listed.get(`genesys/conversation/${seedUuid('conversation', 'bob-2')}`)?.why).toBe('shared-identifier');
    expect(cert.statement).toMatch(/^Erasure complete/);
    expect(g.contacts.has(seedUuid('contact', 'bob#0'))).toBe(false);
  });

  it('residue found by the re-scan: INCOMPLETE with the list and no certificate, shown in the DPO report; discovered again, it closes', async () => {
    const a = w.people[0]!;
    const sf = w.sandbox.salesforce.store;
    const r0 = await openRequest(w.ctx, { type: 'erasure', emails: [a.emails[0]!], verification: { method: 'email-challenge', reference: 'T-16' } });
    await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, r0.id);
    // A web-to-case case filed after the plan was approved: no action of the plan covers it.
    const late = sf.insert('Case', { SuppliedEmail: a.emails[0]!, Subject: 'Late question', Description: 'Filed after approval', Status: 'New', Type: 'Question' });
    let r = await finish(r0.id);
    expect(r.state).toBe('INCOMPLETE');
    expect(r.certificate).toBeUndefined();
    expect(r.verification!.remaining).toContainEqual(expect.objectContaining({ target: { system: 'salesforce', type: 'case', id: late }, why: 'unexplained' }));
    expect(r.verification!.unexplained).toBeGreaterThan(0);
    const report = dsrReport([r], new Date().toISOString().slice(0, 7), new Date());
    expect(report.incomplete).toEqual([expect.objectContaining({ id: r.id, unexplained: r.verification!.unexplained })]);
    expect(dsrReportMarkdown(report)).toContain(`salesforce/case/${late}`);
    // Plan what remains, approve, execute: the request closes with a certificate.
    const again = await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    expect(again.plan!.actions.some((x) => x.target.id === late)).toBe(true);
    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, r0.id);
    r = await finish(r0.id);
    expect(r.state).toBe('COMPLETE');
    expect(certificateOf(readFileSync(r.certificate!.file, 'utf8')).verification!.remaining).toEqual([]);
  });
});
