/** Rectification through apply: a Salesforce field update and a Genesys GDPR_UPDATE, values from the request store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computePlanHash } from '../../engine/plan/verify.ts';
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import { applyPlan } from '../../runner/apply/index.ts';
import { actionId } from '../../engine/plan/collect.ts';
import { makeWorld, signed, type World } from './world.ts';

let w: World;
beforeAll(async () => {
  w = await makeWorld({ seed: 61, records: 300 });
});
afterAll(async () => w?.stop());

describe('rectification', () => {
  it('updates the Salesforce field that holds the old e-mail and submits one GDPR_UPDATE to Genesys', async () => {
    const sf = w.sandbox.salesforce.store;
    const contact = [...sf.rows('Contact')].find((r) => typeof r.Email === 'string' && !r.IsDeleted)!;
    const oldEmail = String(contact.Email).toLowerCase();
    const gcContact = [...w.sandbox.genesys.store.contacts.values()][0]!;
    const raw: PlanAction[] = [
      { id: '', op: 'rectify', target: { system: 'salesforce', type: 'contact', id: String(contact.Id) }, policy: { kind: 'DataSubjectRequest', name: 'dsr-r1', version: '1.0.0' }, reason: 'rectification', basis: { rule: 'rectification', fields: ['Email'] }, request: 'dsr-r1' },
      { id: '', op: 'rectify', target: { system: 'genesys', type: 'external-contact', id: gcContact.id }, policy: { kind: 'DataSubjectRequest', name: 'dsr-r1', version: '1.0.0' }, reason: 'rectification', basis: { rule: 'rectification' }, request: 'dsr-r1', subject: ['hmac:' + 'ab'.repeat(16)] },
    ];
    // Content ids, as the planner makes them (apply refuses any other id).
    const actions = raw.map((a) => ({ ...a, id: actionId(a) }));
    const body: Omit<Plan, 'hash'> = { ...w.plan, actions, protected: [], requests: [], needsApproval: false };
    const plan: Plan = signed({ ...body, hash: computePlanHash(body) } as Plan);
    const r = await applyPlan(plan, {
      config: w.config,
      stateDir: w.config.spec.stateDir!,
      bundle: w.bundle,
      env: w.env,
      now: () => new Date('2026-11-23T06:00:00Z'),
      resolveSubject: async () => ({ emails: [oldEmail], phones: [], status: { type: 'rectification', version: '1.0.0', executable: true }, replacements: [{ identifier: `email:${oldEmail}`, value: 'corrected@example.org' }] }),
    });
    expect(r.failed).toEqual([]);
    expect(r.done).toContain(actions[0]!.id);
    expect(sf.byId(String(contact.Id))!.row.Email).toBe('corrected@example.org');
    expect(r.pending.map((p) => p.id)).toEqual([actions[1]!.id]);
    const updates = [...w.sandbox.genesys.store.gdpr.values()].filter((g) => g.request.requestType === 'GDPR_UPDATE');
    expect(updates.length).toBe(1);
  });
});
