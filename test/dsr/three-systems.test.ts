/**
 * Erasure end to end across the three registered systems: a customer with Genesys interactions, a
 * Salesforce contact and ServiceNow cases (journal notes quoting her e-mail and phone, attachments)
 * is discovered in all three, erased in all three, and gets one certificate listing all three.
 */
import { subjectHash } from '../../engine/masking/keys.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceNowEmulator } from '../../connectors/servicenow/emulator/index.ts';
import { verifyCertificate } from '../../runner/certificate/certificate.ts';
import { exportRequest } from '../../runner/dsr/export.ts';
import { approveRequest, openRequest } from '../../runner/dsr/intake.ts';
import { applyRunner } from '../../runner/dsr/runner.ts';
import { discoverStep, executeStep, pollStep } from '../../runner/dsr/workflow.ts';
import { person, startWorld, type World } from './world.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

const DAY = 86_400_000;

describe('erasure across Genesys Cloud, Salesforce and ServiceNow', () => {
  let w: World;
  const now = Date.now();
  const dee = person('dee', {
    firstName: 'Dee',
    lastName: 'Three',
    emails: ['dee@three.test'],
    phones: ['+14155550177'],
    interactions: [{ key: 'dee-1', mediaType: 'chat', direction: 'inbound', start: new Date(now - 20 * DAY).toISOString(), end: new Date(now - 20 * DAY + 600_000).toISOString(), address: 'dee@three.test', recorded: false, evaluated: false, queue: 'support' }],
    crm: [
      { key: 'dee-c1', kind: 'case', at: new Date(now - 30 * DAY).toISOString(), subject: 'Refund' },
      { key: 'dee-t1', kind: 'task', at: new Date(now - 25 * DAY).toISOString(), subject: 'Call back' },
    ],
  }, now);
  const bystander = person('eve', { emails: ['eve@other.test'], phones: ['+14155550188'], crm: [{ key: 'eve-c1', kind: 'case', at: new Date(now - 10 * DAY).toISOString(), subject: 'Delivery' }] }, now);

  beforeAll(async () => {
    w = await startWorld([dee, bystander], []);
  });
  afterAll(() => w.stop());

  it('access export (Art. 15) includes the ServiceNow records, journal text included', async () => {
    const r0 = await openRequest(w.ctx, { type: 'access', emails: ['eve@other.test'], name: 'Eve', verification: { method: 'email-challenge', reference: 'T-3A' } });
    await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    await approveRequest(w.ctx, r0.id);
    const out = join(w.dir, 'export-eve');
    const r = await exportRequest(w.ctx, r0.id, { connectors: w.connectors, config: w.sandbox.config, env: w.env, out, pollIntervalMs: 20, pollTimeoutMs: HANG_GUARD_MS });
    expect(r.state).toBe('COMPLETE');
    expect(existsSync(join(out, 'servicenow.json'))).toBe(true);
    const sn = JSON.parse(readFileSync(join(out, 'servicenow.json'), 'utf8')) as Array<{ type: string; fields: Record<string, unknown> }>;
    expect(new Set(sn.map((x) => x.type))).toEqual(new Set(['customer-contact', 'case', 'journal-entry', 'attachment']));
    expect(sn.some((x) => x.type === 'journal-entry' && String(x.fields.value).includes('eve@other.test'))).toBe(true);
    expect(JSON.stringify(sn)).not.toContain('dee@three.test');
  });

  it('discovers, erases and certifies in all three systems; the bystander is untouched', async () => {
    const sn = w.sandbox.emulators.servicenow!.handle as ServiceNowEmulator;
    const before = { contacts: sn.store.count('customer_contact'), journal: sn.store.count('sys_journal_field'), files: sn.store.files.size };
    expect(before.contacts).toBe(2);
    const opened = await openRequest(w.ctx, { type: 'erasure', emails: ['dee@three.test'], name: 'Dee Three', verification: { method: 'email-challenge', reference: 'TICKET-3' } });
    const { report, plan } = await discoverStep(w.ctx, opened.id, { connectors: w.connectors, bundle: w.bundle });
    expect(report.found['servicenow/customer-contact']).toBe(1);
    expect(report.found['servicenow/case']).toBe(1);
    expect(report.found['servicenow/journal-entry']).toBeGreaterThanOrEqual(2);
    expect(report.found['servicenow/attachment']).toBe(1);
    expect(report.found['salesforce/contact']).toBe(1);
    expect(Object.keys(report.found).some((k) => k.startsWith('genesys/'))).toBe(true);
    expect(new Set(plan!.actions.map((a) => a.target.system))).toEqual(new Set(['genesys', 'salesforce', 'servicenow']));

    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, opened.id);
    const run = applyRunner({ config: w.sandbox.config, stateDir: join(w.dir, 'state'), bundle: w.bundle, env: w.env, actor: 'dpo@example.com', connectors: w.connectors, signingKey: () => w.keys.privatePem, pollTimeoutMs: HANG_GUARD_MS, pollIntervalMs: 20 });
    let r = await executeStep(w.ctx, opened.id, run);
    if (r.state === 'EXECUTING') r = await pollStep(w.ctx, opened.id, run);
    expect(r.execution!.failed).toEqual([]);
    expect(r.state).toBe('COMPLETE');

    // ServiceNow: Dee's contact, case, journal notes and file are gone; Eve's are all there.
    expect(sn.store.count('customer_contact')).toBe(1);
    expect([...sn.store.table('customer_contact')!.values()][0]!.email).toBe('eve@other.test');
    expect(sn.store.count('sn_customerservice_case')).toBe(1);
    expect([...sn.store.table('sys_journal_field')!.values()].every((j) => !(j.value ?? '').includes('dee@three.test'))).toBe(true);
    expect(sn.store.files.size).toBe(before.files - 1);

    const text = readFileSync(r.certificate!.file, 'utf8');
    expect(verifyCertificate(text, w.keys.publicPem)).toEqual({ ok: true, problems: [] });
    const cert = JSON.parse(text) as { body: { systems: string[] } };
    expect(cert.body.systems).toEqual(['genesys', 'salesforce', 'servicenow']);
    expect(text).not.toContain('dee@three.test');

    // The verification re-scan is audited as a lookup of the subject (keyed hashes only), after discovery's.
    const log = readFileSync(w.ctx.auditFile, 'utf8');
    expect(log).not.toContain('dee@three.test');
    const entries = log.trim().split('\n').map((l) => JSON.parse(l) as { type: string; subject?: string[]; data?: { request?: string; phase?: string } });
    const dee = subjectHash('email:dee@three.test', w.ctx.hmacKey);
    const verification = entries.filter((e) => e.type === 'identity.lookup' && e.data?.request === opened.id && e.data.phase === 'verification');
    expect(verification.length).toBeGreaterThanOrEqual(1);
    expect(verification[0]!.subject).toContain(dee);
  });
});
