/** A hold placed and a consent re-granted between plan and apply: those targets are left untouched. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purposeId } from '../../connectors/salesforce/seed.ts';
import { refKey } from '../../engine/records.ts';
import { applyPlan } from '../../runner/apply/index.ts';
import { makeWorld, remainingKeys, type World } from './world.ts';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ seed: 21, records: 900 });
});
afterAll(async () => w?.stop());

describe('races between plan and apply', () => {
  it('a new legal hold and a re-granted consent win over the plan', async () => {
    const rec = w.plan.actions.find((a) => a.op === 'delete' && a.target.type === 'recording');
    const task = w.plan.actions.find((a) => a.op === 'delete' && a.target.type === 'task');
    const lead = w.plan.actions.find((a) => a.policy.kind === 'ConsentPolicy' && a.target.type === 'lead');
    expect(rec && task && lead, 'the seeded plan has a recording, a task and a consent purge').toBeTruthy();
    // 1. Genesys deletion protection on the recording's conversation (ids are <conversation>:<recording>)
    const conversationId = rec!.target.id.split(':')[0]!;
    w.sandbox.genesys.store.protectedConversations.add(conversationId);
    // 2. A Salesforce legal-hold record naming the task
    w.sandbox.salesforce.store.insert('Legal_Hold__c', { Name: 'LIT-RACE-1', Case_Reference__c: 'LIT-RACE-1', Reason__c: 'placed after planning', Record_Id__c: task!.target.id, Active__c: true, CreatedDate: '2026-11-23T01:00:00.000Z', LastModifiedDate: '2026-11-23T01:00:00.000Z' });
    // 3. The lead's subject grants marketing consent again
    const leadRow = w.sandbox.salesforce.store.byId(lead!.target.id)!;
    const individual = leadRow.row.IndividualId as string;
    expect(individual).toBeTruthy();
    w.sandbox.salesforce.store.insert('ContactPointTypeConsent', { Name: 'Marketing consent', PartyId: individual, ContactPointType: 'Email', DataUsePurposeId: purposeId('marketing'), PrivacyConsentStatus: 'OptIn', CaptureDate: '2026-11-23T02:00:00.000Z', EffectiveFrom: '2026-11-23T02:00:00.000Z', CreatedDate: '2026-11-23T02:00:00.000Z', LastModifiedDate: '2026-11-23T02:00:00.000Z' });

    const r = await applyPlan(w.plan, { config: w.config, stateDir: w.config.spec.stateDir!, bundle: w.bundle, env: w.env, now: () => new Date('2026-11-23T06:00:00Z') });
    const after = await remainingKeys(w);
    for (const a of [rec!, task!, lead!]) expect(after.has(refKey(a.target)), `${refKey(a.target)} must survive`).toBe(true);
    const reasons = new Map(r.skipped.map((s) => [s.id, s.reason]));
    expect(reasons.get(rec!.id)).toMatch(/held/);
    expect(reasons.get(task!.id)).toMatch(/held: case LIT-RACE-1/);
    expect(reasons.get(lead!.id)).toMatch(/consent for marketing is granted again/);
    expect(r.failed).toEqual([]);
    expect(r.done.length).toBeGreaterThan(10);
  });
});
