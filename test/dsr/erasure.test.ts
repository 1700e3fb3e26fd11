import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUuid } from '../../connectors/genesys/seed.ts';
import { verifyCertificate } from '../../runner/certificate/certificate.ts';
import { verifyAuditLog } from '../../runner/audit/index.ts';
import { approveRequest, openRequest } from '../../runner/dsr/intake.ts';
import { applyRunner } from '../../runner/dsr/runner.ts';
import { discoverStep, executeStep, pollStep } from '../../runner/dsr/workflow.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { ANN_HOLD, ann, HMAC_HEX, startWorld, type World } from './world.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

describe('erasure end to end: the issue scenario against both emulators', () => {
  let w: World;
  beforeAll(async () => {
    const now = Date.now();
    w = await startWorld([ann(now)], [ANN_HOLD]);
  });
  afterAll(() => w.stop());

  it('discovers everything, keeps the held conversation, deletes the rest and ends PARTIAL_HOLD with a certificate that verifies', async () => {
    const a = w.people[0]!;
    const opened = await openRequest(w.ctx, { type: 'erasure', emails: [a.emails[0]!.toUpperCase()], name: 'Ann Example', verification: { method: 'email-challenge', reference: 'TICKET-1' } });
    expect(opened.state).toBe('VALIDATING');
    expect(opened.document.spec.identifiers).toEqual([`email:${a.emails[0]}`]);

    const { report, plan } = await discoverStep(w.ctx, opened.id, { connectors: w.connectors, bundle: w.bundle });
    expect(report.preview).toBe(false);
    // Identity graph: from one e-mail to all three e-mails, both phones, both merged contacts.
    const expandedKinds = report.identity.expanded.map((n) => n.kind);
    expect(expandedKinds.filter((k) => k === 'email')).toHaveLength(3);
    expect(expandedKinds.filter((k) => k === 'phone')).toHaveLength(2);
    expect(report.identity.mergeSets).toHaveLength(1);
    expect(report.identity.mergeSets[0]!.members).toHaveLength(2);
    expect(report.found['genesys/external-contact']).toBe(2);
    expect(report.found['genesys/conversation']).toBe(4);
    expect(report.found['genesys/recording']).toBe(4);
    expect(report.found['genesys/evaluation']).toBe(2);
    expect(report.found['salesforce/contact']).toBe(1);
    expect(report.found['salesforce/task']).toBe(2);
    expect(report.found['salesforce/event']).toBe(1);
    // The held conversation and its recording are kept, with the case and expiry.
    const heldIds = report.held.map((h) => h.target.id);
    const heldRecording = `${w.heldConversation}:${seedUuid('recording', 'ann-held')}`;
    expect(heldIds).toContain(heldRecording);
    expect(report.held.find((h) => h.target.id === heldRecording)!.caseRef).toBe('LH-2026-0042');
    expect(plan).not.toBeNull();
    expect(plan!.actions.some((x) => x.target.id === heldRecording)).toBe(false);
    // A Genesys record is held: no native request names the subject's contact (DESIGN §4.1); one
    // native request per identifier that no held record carries (never the held call's phone).
    const native = plan!.actions.filter((x) => x.op === 'gdpr-request');
    expect(native.length).toBe(4);
    expect(native.every((x) => x.target.type === 'gdpr-subject' && x.subject!.length === 1 && x.subject![0] === x.target.id)).toBe(true);
    const key = Buffer.from(HMAC_HEX, 'hex');
    expect(native.map((x) => x.subject![0]).sort()).toEqual([...a.emails.map((e) => `email:${e}`), `phone:${a.phones[1]}`].map((i) => subjectHash(i, key)).sort());
    const html = readFileSync(w.ctx.store.artefact(opened.id, 'discovery.html'), 'utf8');
    expect(html).toContain('LH-2026-0042');
    expect(html).not.toContain(a.emails[0]);

    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, opened.id);
    const run = applyRunner({ config: w.sandbox.config, stateDir: join(w.dir, 'state'), bundle: w.bundle, env: w.env, actor: 'dpo@example.com', connectors: w.connectors, signingKey: () => w.keys.privatePem, pollTimeoutMs: HANG_GUARD_MS, pollIntervalMs: 20 });
    let r = await executeStep(w.ctx, opened.id, run);
    if (r.state === 'EXECUTING') r = await pollStep(w.ctx, opened.id, run);
    expect(r.execution!.failed).toEqual([]);
    expect(r.state).toBe('PARTIAL_HOLD');

    // Emulator state: everything of Ann's but the held conversation's recording is gone.
    const g = w.sandbox.genesys.store;
    expect(g.contacts.size).toBe(0);
    expect([...g.recordings.keys()]).toEqual([seedUuid('recording', 'ann-held')]);
    expect(g.evaluations.size).toBe(0);
    const sf = w.sandbox.salesforce.store;
    expect(sf.count('Contact')).toBe(0);
    expect(sf.count('Task')).toBe(0);
    expect(sf.count('Event')).toBe(0);

    const text = readFileSync(r.certificate!.file, 'utf8');
    expect(verifyCertificate(text, w.keys.publicPem)).toEqual({ ok: true, problems: [] });
    const cert = JSON.parse(text) as { body: { outcome: string; statement: string; kept: Array<{ caseRef?: string; expires?: string }>; erased: unknown[]; verification?: { remaining: Array<{ target: { type: string; id: string }; why: string; caseRef?: string }> } } };
    expect(cert.body.outcome).toBe('PARTIAL_HOLD');
    expect(cert.body.kept.some((k) => k.caseRef === 'LH-2026-0042' && k.expires === '2027-06-30')).toBe(true);
    expect(cert.body.erased.length).toBe(plan!.actions.length);
    // The re-scan: the held call (hold, case and expiry) and the call on the held call's phone,
    // which only a native request naming that phone could erase (system limitation), remain.
    const remaining = cert.body.verification!.remaining;
    expect(remaining.find((x) => x.target.id === w.heldConversation)).toMatchObject({ why: 'hold', caseRef: 'LH-2026-0042', expires: '2027-06-30' });
    expect(remaining.find((x) => x.target.id === seedUuid('conversation', 'ann-1'))).toMatchObject({ why: 'system-limitation' });
    expect(remaining.find((x) => x.target.id === heldRecording)).toMatchObject({ why: 'hold', caseRef: 'LH-2026-0042' });
    expect(remaining).toHaveLength(3);
    expect(cert.body.statement).toMatch(/^Erasure complete except for the 3 record/);
    expect(r.verification!.unexplained).toBe(0);
    // Flipping one byte breaks verification.
    const i = text.indexOf('"outcome"') + 12;
    const flipped = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 1) + text.slice(i + 1);
    expect(verifyCertificate(flipped, w.keys.publicPem).ok).toBe(false);

    expect((await verifyAuditLog(w.ctx.auditFile)).ok).toBe(true);
  });
});
