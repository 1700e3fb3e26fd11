import { describe, expect, it } from 'vitest';
import { diffPlans, renderDiffJson } from '../../engine/plan/diff.ts';
import { action, consented, held, makePlan, policy, ref, request } from './factory.ts';
import { retentionShortened } from './fixtures.ts';

const r1 = ref('genesys', 'recording', 'r1');

describe('diffPlans', () => {
  it('shows a policy version bump as changed, not as an add plus a remove', () => {
    const base = makePlan({ actions: [action('delete', r1, policy('rec', '1.0.0'))] });
    const head = makePlan({ actions: [action('delete', r1, policy('rec', '2.0.0'))] });
    const d = diffPlans(base, head);
    expect(d.actions.added).toEqual([]);
    expect(d.actions.removed).toEqual([]);
    expect(d.actions.changed).toHaveLength(1);
    expect(d.actions.changed[0]!.fields).toEqual(['id', 'policy.version']);
    expect(d.counts.byPolicy).toEqual([{ key: 'RetentionPolicy/rec', base: 1, head: 1, delta: 0 }]);
    expect(d.empty).toBe(false);
  });

  it('treats another op, target, policy name or request as a different action', () => {
    const base = makePlan({ actions: [action('delete', r1, policy('rec'))] });
    for (const other of [
      action('anonymize', r1, policy('rec')),
      action('delete', ref('genesys', 'recording', 'r2'), policy('rec')),
      action('delete', r1, policy('rec-2')),
      action('delete', r1, policy('rec'), { request: 'dsr-1' }),
    ]) {
      const d = diffPlans(base, makePlan({ actions: [other] }));
      expect([d.actions.added.length, d.actions.removed.length, d.actions.changed.length]).toEqual([1, 1, 0]);
    }
  });

  it('reports protection, request, approval and limit changes', () => {
    const { base, head } = retentionShortened();
    const d = diffPlans(base, head);
    expect(d.protected.added.map((p) => p.target.id)).toEqual(['t9']);
    expect(d.protected.removed.map((p) => p.target.id)).toEqual(['t1']);
    expect(d.protected.unprotectedNowTargeted).toEqual([ref('salesforce', 'task', 't1')]);
    expect(d.counts.protectedByReason).toEqual([
      { key: 'consent', base: 1, head: 0, delta: -1 },
      { key: 'hold', base: 0, head: 1, delta: 1 },
    ]);
    expect(d.requests).toEqual([
      { id: 'dsr-1', type: 'erasure', base: { state: 'EXECUTING', counts: base.requests[0]!.counts }, head: { state: 'PARTIAL_HOLD', counts: head.requests[0]!.counts } },
    ]);
    expect(d.needsApproval).toEqual({ base: false, head: true, changed: true });
    expect(d.limits).toEqual([{ policy: 'recordings-7y', actions: 3, matched: 100, maxActions: 2, maxPercent: 5, exceededInBase: false }]);
    expect(d.inputs).toMatchObject({ sameSnapshot: true, sameNow: true, sameBundle: false, warnings: [] });
  });

  it('shows a protection kept for another reason, or a second hold, as changed, not newly protected', () => {
    const t = ref('salesforce', 'task', 't1');
    const h1 = held(t, policy('p'), 'h1');
    const h2 = held(t, policy('p'), 'h2');
    const d = diffPlans(makePlan({ protected: [h1] }), makePlan({ protected: [h2] }));
    expect(d.protected.changed).toEqual([{ base: [h1], head: [h2] }]);
    expect(d.protected.added.length + d.protected.removed.length).toBe(0);
    const d1 = diffPlans(makePlan({ protected: [h1] }), makePlan({ protected: [h2, h1] }));
    expect(d1.protected.changed).toEqual([{ base: [h1], head: [h1, h2] }]);
    expect(d1.protected.added).toEqual([]);
    const d2 = diffPlans(makePlan({ protected: [consented(t, policy('p'))] }), makePlan());
    expect(d2.protected.unprotectedNowTargeted).toEqual([]);
  });

  it('lists requests that appear or disappear', () => {
    const d = diffPlans(makePlan({ requests: [request('dsr-1', 'COMPLETE')] }), makePlan({ requests: [request('dsr-2', 'DPO_REVIEW')] }));
    expect(d.requests.map((r) => [r.id, r.base?.state ?? null, r.head?.state ?? null])).toEqual([
      ['dsr-1', 'COMPLETE', null],
      ['dsr-2', null, 'DPO_REVIEW'],
    ]);
  });

  it('warns when the inputs differ', () => {
    const d = diffPlans(makePlan(), makePlan({ snapshotHash: `sha256:${'6'.repeat(64)}`, now: '2026-01-01T00:00:00.000Z' }));
    expect(d.inputs.sameSnapshot).toBe(false);
    expect(d.inputs.sameNow).toBe(false);
    expect(d.inputs.warnings).toHaveLength(2);
    expect(d.inputs.warnings[0]).toMatch(/different snapshots/);
    expect(d.empty).toBe(true);
  });

  it('renders canonical JSON with a trailing newline', () => {
    const { base, head } = retentionShortened();
    const json = renderDiffJson(diffPlans(base, head));
    expect(json.endsWith('\n')).toBe(true);
    expect(json.startsWith('{"actions":{"added":[')).toBe(true);
    expect(renderDiffJson(JSON.parse(json))).toBe(json);
  });
});
