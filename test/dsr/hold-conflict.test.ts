/**
 * Discovery and the DPO report against both emulators: an active-but-expired Legal_Hold__c that
 * names the subject's Contact by its 15-character id keeps protecting the contact and its
 * Individual, and is flagged (hold id, case, conflict; no personal data) in discovery and in the
 * monthly report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRequest } from '../../runner/dsr/intake.ts';
import { dsrReport, dsrReportHtml, dsrReportMarkdown } from '../../runner/dsr/report.ts';
import { discoverStep } from '../../runner/dsr/workflow.ts';
import { discoveryHtml } from '../../runner/dsr/discovery-html.ts';
import { ann, startWorld, type World } from './world.ts';

describe('a conflicting hold record in discovery and the DPO report', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld([ann(Date.now())], []);
  });
  afterAll(() => w?.stop());

  it('keeps protecting, and says so with the hold id and the conflict', async () => {
    const a = w.people[0]!;
    const contact = [...w.sandbox.salesforce.store.rows('Contact')].find((r) => typeof r.IndividualId === 'string')!;
    expect(contact).toBeDefined();
    const contactId = contact.Id as string;
    const individual = contact.IndividualId as string;
    const holdId = w.sandbox.salesforce.store.insert('Legal_Hold__c', {
      Name: 'LH-OLD', Case_Reference__c: 'LH-OLD', Reason__c: 'old dispute', Record_Id__c: contactId.slice(0, 15), Expires__c: '2020-01-01', Active__c: true,
      CreatedDate: '2019-01-01T00:00:00.000+0000',
    });
    const opened = await openRequest(w.ctx, { type: 'erasure', emails: [a.emails[0]!], name: 'Ann Example', verification: { method: 'email-challenge', reference: 'T-9' } });
    const { report, plan, request } = await discoverStep(w.ctx, opened.id, { connectors: w.connectors, bundle: w.bundle });
    expect(report.holdConflicts).toEqual([{ hold: `record:salesforce/${holdId}`, caseRef: 'LH-OLD', conflict: 'active-but-expired', expires: '2020-01-01T00:00:00.000Z' }]);
    const held = new Map(report.held.map((h) => [h.target.id, h]));
    expect(held.get(contactId)).toMatchObject({ caseRef: 'LH-OLD' });
    expect(held.get(individual)).toMatchObject({ caseRef: 'LH-OLD' });
    expect(plan!.actions.some((x) => x.target.id === contactId || x.target.id === individual)).toBe(false);
    expect(discoveryHtml(report)).toContain('conflicting fields');
    expect(request.discovery?.holdConflicts).toEqual([{ hold: `record:salesforce/${holdId}`, caseRef: 'LH-OLD', conflict: 'active-but-expired' }]);

    const now = new Date();
    const month = now.toISOString().slice(0, 7);
    const rep = dsrReport(await w.ctx.store.list(), month, now);
    expect(rep.holdConflicts).toEqual([{ request: opened.id, hold: `record:salesforce/${holdId}`, caseRef: 'LH-OLD', conflict: 'active-but-expired' }]);
    const md = dsrReportMarkdown(rep);
    expect(md).toContain(`- record:salesforce/${holdId} (case LH-OLD): active-but-expired, seen for ${opened.id}`);
    for (const text of [md, dsrReportHtml(rep), JSON.stringify(report.holdConflicts)]) expect(text).not.toContain(a.emails[0]!);
  });
});
