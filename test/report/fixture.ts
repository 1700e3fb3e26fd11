/** A plan for report tests: the example policies over a small world whose ids include hostile markup. */
import { loadPolicyDir } from '../../engine/load/index.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import type { Plan } from '../../engine/plan/types.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { KEY, rec, ref } from '../engine/fixtures.ts';

export const NOW = '2025-06-01T00:00:00.000Z';
export const HOSTILE = ['<script>window.__pwned=1</script>', '"><img src=x onerror="window.__pwned=2">', "'; fetch('https://example.invalid/x'); '", '&lt;b&gt;&amp;'];

export async function reportPlan(): Promise<Plan> {
  const load = await loadPolicyDir('policies', { now: NOW });
  if (!load.bundle) throw new Error('example policies do not load');
  return buildPlan({ bundle: load.bundle, records: reportRecords(), now: NOW, hmacKey: KEY, snapshotHash: 'sha256:report-fixture' });
}

export function reportRecords(): LetheRecord[] {
  const records: LetheRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const year = 2012 + (i % 12);
    const conv = `conv-${i}`;
    records.push(rec('genesys', 'conversation', conv, `${year}-0${(i % 9) + 1}-10T10:00:00.000Z`, { ids: [`email:person${i}@example.test`], fields: { mediaType: i % 2 ? 'voice' : 'chat' } }));
    records.push(rec('genesys', 'recording', i < HOSTILE.length ? HOSTILE[i]! : `rec-${i}`, `${year}-0${(i % 9) + 1}-10T10:00:00.000Z`, { links: [ref('genesys', 'conversation', conv)], fields: { media: 'audio' } }));
    records.push(rec('salesforce', 'task', `00T${String(i).padStart(15, '0')}`, `${2015 + (i % 10)}-03-01T00:00:00.000Z`, { ids: [`email:person${i}@example.test`], fields: { subject: 'call' } }));
  }
  // The example bundle's hold names conversation d95e6872-…: give it a recording so something is protected.
  records.push(rec('genesys', 'recording', 'held-rec', '2010-01-01T00:00:00.000Z', { links: [ref('genesys', 'conversation', 'd95e6872-6a6e-58d1-9832-b6cceb830ed2')], fields: { media: 'audio' } }));
  return records;
}
