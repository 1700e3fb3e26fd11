import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveRequest, openRequest } from '../../runner/dsr/intake.ts';
import { exportRequest } from '../../runner/dsr/export.ts';
import { discoverStep } from '../../runner/dsr/workflow.ts';
import { ann, startWorld, type World } from './world.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

describe('access export (Art. 15)', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld([ann(Date.now())], []);
  });
  afterAll(() => w.stop());

  it('writes JSON per system, the Genesys native export and an escaped HTML summary, then completes', async () => {
    const a = w.people[0]!;
    const r0 = await openRequest(w.ctx, { type: 'access', emails: [a.emails[0]!], name: 'Ann <b>Example</b>', verification: { method: 'email-challenge', reference: 'T-9' } });
    await expect(exportRequest(w.ctx, r0.id, { connectors: w.connectors, config: w.sandbox.config, env: w.env, out: join(w.dir, 'x') })).rejects.toThrow(/approval/);
    await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    await approveRequest(w.ctx, r0.id);
    const out = join(w.dir, 'export');
    const r = await exportRequest(w.ctx, r0.id, { connectors: w.connectors, config: w.sandbox.config, env: w.env, out, pollIntervalMs: 20, pollTimeoutMs: HANG_GUARD_MS });
    expect(r.state).toBe('COMPLETE');
    expect(r.nativeJobs).toEqual([expect.objectContaining({ kind: 'GDPR_EXPORT', state: 'COMPLETED' })]);
    const genesys = JSON.parse(readFileSync(join(out, 'genesys.json'), 'utf8')) as Array<{ type: string }>;
    const sf = JSON.parse(readFileSync(join(out, 'salesforce.json'), 'utf8')) as Array<{ type: string }>;
    expect(genesys.filter((x) => x.type === 'external-contact')).toHaveLength(2);
    expect(sf.filter((x) => x.type === 'task')).toHaveLength(2);
    expect(readFileSync(join(out, 'genesys-gdpr-export.json'), 'utf8')).toContain(a.emails[0]);
    const html = readFileSync(join(out, 'summary.html'), 'utf8');
    expect(html).toContain(a.emails[0]);
    expect(html).not.toContain('<b>Example');
    expect(statSync(join(out, 'summary.html')).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(await w.ctx.store.read(r0.id))).not.toContain(a.emails[0]);
  });
});
