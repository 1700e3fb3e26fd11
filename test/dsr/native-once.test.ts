/**
 * Per-identifier native requests are submitted once per identifier (issue 16): running execute
 * again — even after the journal is lost — finds each identifier's request in the GDPR registry
 * and submits nothing new.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveRequest, openRequest } from '../../runner/dsr/intake.ts';
import { applyRunner } from '../../runner/dsr/runner.ts';
import { discoverStep, executeStep, type RunnerOptions } from '../../runner/dsr/workflow.ts';
import { ann, household, startWorld, type World } from './world.ts';

describe('per-identifier native requests, never twice', () => {
  let w: World;
  let run: RunnerOptions;
  beforeAll(async () => {
    const now = Date.now();
    // Native jobs stay pending for the whole test: only submissions are counted.
    w = await startWorld([ann(now), ...household(now)], [], { gdprStepMs: 3_600_000 });
    run = applyRunner({ config: w.sandbox.config, stateDir: join(w.dir, 'state'), bundle: w.bundle, env: w.env, actor: 'dpo@example.com', connectors: w.connectors, signingKey: () => w.keys.privatePem, pollTimeoutMs: 0, pollIntervalMs: 20 });
  });
  afterAll(() => w.stop());

  it('one request per identifier of the subject; re-running execute without the journal submits nothing new', async () => {
    const bob = w.people[1]!;
    const g = w.sandbox.genesys.store;
    const deletes = () => [...g.gdpr.values()].map((x) => x.request).filter((x) => x.requestType === 'GDPR_DELETE');
    const r0 = await openRequest(w.ctx, { type: 'erasure', emails: [bob.emails[0]!], verification: { method: 'account-login', reference: 'SSO-9' } });
    const { plan } = await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, r0.id);
    let r = await executeStep(w.ctx, r0.id, run);
    expect(r.state).toBe('EXECUTING');
    const first = deletes();
    expect(first).toHaveLength(2);
    expect(first.map((x) => [...(x.subject.emailAddresses ?? []), ...(x.subject.phoneNumbers ?? [])]).sort()).toEqual([[bob.emails[0]], [bob.phones[0]]].sort());
    rmSync(join(w.dir, 'state', 'journal'), { recursive: true, force: true });
    r = await executeStep(w.ctx, r0.id, run);
    expect(deletes().map((x) => x.id).sort()).toEqual(first.map((x) => x.id).sort());
    expect(r.nativeJobs.map((j) => j.id).sort()).toEqual(first.map((x) => x.id).sort());
    expect(r.execution!.pending).toHaveLength(plan!.actions.filter((a) => a.op === 'gdpr-request').length);
  });
});
