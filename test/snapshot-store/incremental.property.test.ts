/**
 * Incremental snapshots (issue 17) against both emulators over real HTTP: any sequence of changes
 * (creates, updates, deletes in Genesys and Salesforce) and incremental runs gives the merged view
 * the same records and the same snapshot hash as one full read of the final state. Bounded by
 * counts: 5 sequences of up to 5 nights each (≤ 25 incremental runs), a small world.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incrementalSnapshot } from '../../runner/snapshot-store/run.ts';
import { applyChange, change, fullRead, MIN, startOrg, tmp, view } from './org.ts';

describe('incremental snapshots against the emulators', () => {
  it('any changes and incremental runs give the records and hash of one full read of the final state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(change, { maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 3 }), async (nights, compactAfter) => {
        const org = await startOrg();
        const d = tmp();
        try {
          const recent: string[] = [];
          const first = await incrementalSnapshot(org.connectors(), { store: join(d, 'store'), out: join(d, 'view'), compactAfter });
          expect(first.mode).toEqual({ genesys: 'full', salesforce: 'full' });
          for (const night of nights) {
            for (const c of night) applyChange(org, c, recent);
            org.tick(3 * MIN);
            const r = await incrementalSnapshot(org.connectors(), { store: join(d, 'store'), out: join(d, 'view'), compactAfter });
            expect(r.mode).toEqual({ genesys: 'delta', salesforce: 'delta' });
          }
          const full = await fullRead(org, join(d, 'full'));
          const got = await view(join(d, 'view'));
          expect(got.lines).toEqual(full.lines);
          expect(got.hash).toBe(full.hash);
        } finally {
          await org.stop();
        }
      }),
      { numRuns: 5, endOnFailure: true },
    );
  });
});
