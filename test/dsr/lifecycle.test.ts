import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAuditLog, readAuditEntries } from '../../runner/audit/index.ts';
import { approveRequest, extendRequest, openRequest, rejectRequest } from '../../runner/dsr/intake.ts';
import { transition, type DsrContext } from '../../runner/dsr/lifecycle.ts';
import { dsrReport, dsrReportHtml, dsrReportMarkdown } from '../../runner/dsr/report.ts';
import { RequestStore } from '../../runner/dsr/store.ts';
import { executeStep } from '../../runner/dsr/workflow.ts';
import { HMAC_HEX, PLAN_HEX } from './world.ts';

async function context(now = '2026-11-10T09:00:00.000Z'): Promise<DsrContext> {
  const dir = mkdtempSync(join(tmpdir(), 'lethe-dsr-life-'));
  return { store: await RequestStore.open(join(dir, 'requests')), hmacKey: Buffer.from(HMAC_HEX, 'hex'), planKey: Buffer.from(PLAN_HEX, 'hex'), auditFile: join(dir, 'state', 'audit.jsonl'), actor: 'dpo', now: () => new Date(now) };
}
const noRun = { apply: () => Promise.reject(new Error('must not run')), poll: () => Promise.reject(new Error('must not run')), signingKey: () => '', issuer: 'test' };

describe('request store', () => {
  it('refuses a folder inside a git work tree', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'lethe-repo-'));
    mkdirSync(join(repo, '.git'));
    await expect(RequestStore.open(join(repo, 'requests'))).rejects.toThrow(/inside the git work tree/);
  });
  it('creates the store 0700 and request files 0600', async () => {
    const ctx = await context();
    const r = await openRequest(ctx, { type: 'access', emails: ['x@example.com'] });
    expect(statSync(ctx.store.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(ctx.store.dir, r.id, 'request.json')).mode & 0o777).toBe(0o600);
    expect(r.id).toMatch(/^dsr-2026-11-[a-z2-7]{8}$/);
    expect(r.dueAt).toBe('2026-12-10T09:00:00.000Z');
  });
});

describe('lifecycle', () => {
  it('an unverified request is opened and can reach DPO_REVIEW, but never EXECUTING', async () => {
    const ctx = await context();
    let r = await openRequest(ctx, { type: 'erasure', emails: ['ann@example.com'], name: 'Ann' });
    expect(r.state).toBe('VALIDATING');
    r = await transition(ctx, r, 'DISCOVERY');
    r = await transition(ctx, r, 'DPO_REVIEW');
    await expect(approveRequest(ctx, r.id)).rejects.toThrow(/not verified/);
    await expect(transition(ctx, r, 'EXECUTING')).rejects.toThrow(/not verified/);
    await expect(executeStep(ctx, r.id, noRun)).rejects.toThrow(/not verified/);
    // Even with an approval forged into the store, the state machine refuses.
    r.approval = { by: 'someone', at: '2026-11-10T00:00:00.000Z' };
    await expect(transition(ctx, r, 'EXECUTING')).rejects.toThrow(/not verified/);
    expect((await ctx.store.read(r.id)).state).toBe('DPO_REVIEW');
    expect((await readAuditEntries(ctx.auditFile)).entries.map((e) => e.entry.data.to)).toEqual(['RECEIVED', 'VALIDATING', 'DISCOVERY', 'DPO_REVIEW']);
  });

  it('refuses transitions the state machine does not allow', async () => {
    const ctx = await context();
    const r = await openRequest(ctx, { type: 'erasure', emails: ['a@example.com'] });
    await expect(transition(ctx, r, 'COMPLETE')).rejects.toThrow(/cannot go from VALIDATING to COMPLETE/);
  });

  it('extends once, by at most two months, with the reason recorded', async () => {
    const ctx = await context();
    const r = await openRequest(ctx, { type: 'access', emails: ['a@example.com'], receivedAt: '2026-11-01T00:00:00Z' });
    await expect(extendRequest(ctx, r.id, 'complex', 'P3M')).rejects.toThrow(/at most two months/);
    const e = await extendRequest(ctx, r.id, 'many systems to search');
    expect(e.dueAt).toBe('2027-02-01T00:00:00.000Z');
    expect(e.extension!.reason).toBe('many systems to search');
    await expect(extendRequest(ctx, r.id, 'again')).rejects.toThrow(/only once/);
  });

  it('rejecting closes the request with its basis and replaces identifiers and name by hashes', async () => {
    const ctx = await context();
    const r = await openRequest(ctx, { type: 'erasure', emails: ['zed@example.com'], phones: ['+44 20 7946 0958'], name: 'Zed Zed' });
    const x = await rejectRequest(ctx, r.id, 'GDPR Art. 12(5)(b): manifestly unfounded');
    expect(x.state).toBe('REJECTED');
    expect(x.document.spec.identifiers.every((i) => i.startsWith('hmac:'))).toBe(true);
    expect(x.document.spec.name).toMatch(/^hmac:/);
    expect(JSON.stringify(await ctx.store.read(r.id))).not.toMatch(/zed@example|Zed Zed|7946/);
    await expect(rejectRequest(ctx, r.id, 'again')).rejects.toThrow(/closed/);
    expect((await verifyAuditLog(ctx.auditFile)).ok).toBe(true);
  });
});

describe('DPO report', () => {
  it('shows an overdue request in red, days left for the others, and closing statistics', async () => {
    const ctx = await context('2026-11-20T12:00:00.000Z');
    const late = await openRequest(ctx, { type: 'erasure', emails: ['late@example.com'], receivedAt: '2026-10-10T00:00:00Z' });
    const fresh = await openRequest(ctx, { type: 'access', emails: ['fresh@example.com'], receivedAt: '2026-11-15T00:00:00Z' });
    const done = await openRequest(ctx, { type: 'erasure', emails: ['done@example.com'], receivedAt: '2026-11-02T00:00:00Z' });
    await rejectRequest(ctx, done.id, 'GDPR Art. 17(3)(b): legal obligation');
    const rep = dsrReport(await ctx.store.list(), '2026-11', ctx.now());
    expect(rep.received).toBe(2);
    expect(rep.closed).toBe(1);
    expect(rep.closedOnTime).toBe(1);
    expect(rep.open.find((o) => o.id === late.id)).toMatchObject({ overdue: true, daysLeft: -12 });
    expect(rep.open.find((o) => o.id === fresh.id)).toMatchObject({ overdue: false, daysLeft: 24 });
    expect(dsrReportMarkdown(rep)).toContain(`| ${late.id} | erasure | VALIDATING | 2026-11-09 | **OVERDUE 12 days** |`);
    const html = dsrReportHtml(rep);
    expect(html).toMatch(new RegExp(`<tr class="overdue"><td>${late.id}</td>`));
    expect(html).not.toContain('late@example.com');
  });
});
