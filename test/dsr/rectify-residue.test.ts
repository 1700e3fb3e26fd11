/**
 * Rectification reports residue (issue 16): free text of the subject's Salesforce activities and
 * cases that holds the old e-mail is corrected with the rest; what Lethe does not correct (here a
 * case's web e-mail) is listed by the verification re-scan and the request stays INCOMPLETE until
 * a re-scan finds nothing old.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveRequest, openRequest } from '../../runner/dsr/intake.ts';
import { applyRunner } from '../../runner/dsr/runner.ts';
import { discoverStep, executeStep, pollStep, type RunnerOptions } from '../../runner/dsr/workflow.ts';
import { ann, startWorld, type World } from './world.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

describe('rectification: free text holding the old value', () => {
  let w: World;
  let run: RunnerOptions;
  beforeAll(async () => {
    w = await startWorld([ann(Date.now())], []);
    run = applyRunner({ config: w.sandbox.config, stateDir: join(w.dir, 'state'), bundle: w.bundle, env: w.env, actor: 'dpo@example.com', connectors: w.connectors, signingKey: () => w.keys.privatePem, pollTimeoutMs: HANG_GUARD_MS, pollIntervalMs: 20 });
  });
  afterAll(() => w.stop());

  it('corrects task and event descriptions, lists the case e-mail it cannot correct, and closes once nothing old is found', async () => {
    const a = w.people[0]!;
    const old = a.emails[0]!;
    const fresh = 'ann.new@mail.test';
    const sf = w.sandbox.salesforce.store;
    const texts = () => [...sf.rows('Task'), ...sf.rows('Event')].filter((x) => !x.IsDeleted).map((x) => String(x.Description));
    expect(texts().filter((t) => t.includes(old)).length).toBe(3);
    const contact = [...sf.rows('Contact')].find((c) => c.Email === old)!;
    const caseId = sf.insert('Case', { ContactId: String(contact.Id), SuppliedEmail: old, Subject: 'Web case', Description: `Customer wrote from ${old.toUpperCase()}`, Status: 'New', Type: 'Question' });
    const r0 = await openRequest(w.ctx, { type: 'rectification', emails: [old], rectifications: [{ identifier: `email:${old}`, value: fresh }], verification: { method: 'email-challenge', reference: 'T-R' } });
    const { plan } = await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    const textActions = plan!.actions.filter((x) => Array.isArray(x.basis.textFields));
    expect(textActions.map((x) => x.target.type).sort()).toEqual(['case', 'event', 'task', 'task']);
    expect(JSON.stringify(plan)).not.toContain(old);
    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, r0.id);
    let r = await executeStep(w.ctx, r0.id, run);
    for (let i = 0; i < 5 && r.state === 'EXECUTING'; i++) r = await pollStep(w.ctx, r0.id, run);
    // Activity and case free text corrected, whatever the case of the old value.
    expect(texts().filter((t) => t.toLowerCase().includes(old)).length).toBe(0);
    expect(texts().filter((t) => t.includes(fresh)).length).toBe(3);
    expect(String(sf.byId(caseId)!.row.Description)).toBe(`Customer wrote from ${fresh}`);
    // The case's web e-mail is not a field rectification writes: listed, never silently left.
    expect(r.state).toBe('INCOMPLETE');
    expect(r.verification!.remaining).toEqual([expect.objectContaining({ target: { system: 'salesforce', type: 'case', id: caseId }, why: 'unexplained', fields: ['SuppliedEmail'] })]);
    // Corrected by hand, the next poll verifies again and closes.
    sf.update(caseId, { SuppliedEmail: fresh });
    r = await pollStep(w.ctx, r0.id, run);
    expect(r.state).toBe('COMPLETE');
    expect(r.verification!.remaining).toEqual([]);
  });
});
