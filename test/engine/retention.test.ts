import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../engine/plan/build.ts';
import { bundle, KEY, NOW, rec, retention } from './fixtures.ts';

const plan = (b: ReturnType<typeof bundle>, records: ReturnType<typeof rec>[]) =>
  buildPlan({ bundle: b, records, now: NOW, hmacKey: KEY, snapshotHash: 'sha256:s', defaults: { maxActions: 1000, maxPercent: 100 } });

describe('retention', () => {
  it('deletes a record once from + retainFor <= now, not before', async () => {
    const p = await plan(bundle({ retention: [retention('rec-2y', 'genesys', 'recording', 'P2Y')] }), [
      rec('genesys', 'recording', 'old', '2023-06-01T00:00:00.000Z'), // exactly due
      rec('genesys', 'recording', 'young', '2023-06-01T00:00:00.001Z'),
    ]);
    expect(p.actions.map((a) => a.target.id)).toEqual(['old']);
    const a = p.actions[0]!;
    expect(a.op).toBe('delete');
    expect(a.basis).toMatchObject({ rule: 'retention', from: '2023-06-01T00:00:00.000Z', dueAt: '2025-06-01T00:00:00.000Z' });
    expect(a.reason).toContain('RetentionPolicy rec-2y');
    expect(a.id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('the longest period wins and decides the op', async () => {
    const b = bundle({
      retention: [
        retention('short-delete', 'genesys', 'recording', 'P1Y'),
        retention('long-anon', 'genesys', 'recording', 'P3Y', { then: 'anonymize', anonymizeWith: 'mask' }),
      ],
    });
    const p = await plan(b, [
      rec('genesys', 'recording', 'r2', '2023-01-01T00:00:00.000Z'), // due under 1Y, not 3Y -> kept
      rec('genesys', 'recording', 'r4', '2021-01-01T00:00:00.000Z'), // due under both -> anonymize
    ]);
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]).toMatchObject({ op: 'anonymize', target: { id: 'r4' }, maskWith: 'mask', policy: { name: 'long-anon' } });
  });

  it('`when` narrows and `from` reads a field; a missing date is skipped, never deleted', async () => {
    const b = bundle({
      retention: [
        retention('audio', 'genesys', 'recording', 'P1Y', { when: { '==': [{ var: 'fields.mediaType' }, 'audio'] }, from: 'fields.endTime' }),
      ],
    });
    const p = await plan(b, [
      rec('genesys', 'recording', 'a', '2010-01-01T00:00:00.000Z', { fields: { mediaType: 'audio', endTime: '2020-01-01T00:00:00.000Z' } }),
      rec('genesys', 'recording', 'b', '2010-01-01T00:00:00.000Z', { fields: { mediaType: 'audio' } }),
      rec('genesys', 'recording', 'c', '2010-01-01T00:00:00.000Z', { fields: { mediaType: 'audio', endTime: 'soon' } }),
      rec('genesys', 'recording', 'd', '2010-01-01T00:00:00.000Z', { fields: { mediaType: 'screen', endTime: '2020-01-01T00:00:00.000Z' } }),
    ]);
    expect(p.actions.map((a) => a.target.id)).toEqual(['a']);
    expect(p.summary.skipped).toEqual({ 'RetentionPolicy/audio': 2 });
  });

  it('olderThan macros in conditions use the plan now', async () => {
    const b = bundle({ retention: [retention('t', 'salesforce', 'task', 'P1D', { when: { olderThan: [{ var: 'createdAt' }, 'P1Y'] } })] });
    const p = await plan(b, [rec('salesforce', 'task', 'x', '2024-01-01T00:00:00.000Z'), rec('salesforce', 'task', 'y', '2025-01-01T00:00:00.000Z')]);
    expect(p.actions.map((a) => a.target.id)).toEqual(['x']);
  });

  it('calendar edge: 31 March + P1M is due on 30 April', async () => {
    const b = bundle({ retention: [retention('m', 'salesforce', 'task', 'P1M')] });
    const p = await buildPlan({
      bundle: b,
      records: [rec('salesforce', 'task', 'e', '2025-03-31T00:00:00.000Z')],
      now: '2025-04-30T00:00:00.000Z',
      hmacKey: KEY,
      snapshotHash: 'x',
    });
    expect(p.actions).toHaveLength(1);
  });
});
