/**
 * Light Genesys deltas (issue 17): a nightly run reads conversations, evaluations and deletion
 * protection only — no call per new conversation for its recordings, no external-contact scan — and
 * the periodic full read (fullReadEveryDays) brings recordings and contacts back in. Against both
 * emulators over real HTTP, bounded by counts (4 sequences of up to 4 nights):
 * - between full reads the view equals one full read of the final state in every type but Genesys
 *   recordings and external contacts, and those are what the last full read saw;
 * - once the last full read is older than fullReadEveryDays the feed reads in full, says so, and the
 *   view equals the full read in everything, hash included.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incrementalSnapshot } from '../../runner/snapshot-store/run.ts';
import { applyChange, change, fullRead, MIN, startOrg, tmp, view } from './org.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

const DAY = 86_400_000;
const LIGHT = { lightDeltas: true, fullReadEveryDays: 2 };
const lagging = (line: string): boolean => {
  const r = JSON.parse(line) as { system: string; type: string };
  return r.system === 'genesys' && (r.type === 'recording' || r.type === 'external-contact');
};

describe('light Genesys deltas', () => {
  it('nightly runs make no per-conversation recording call and no contact scan; the periodic full read catches up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(change, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), async (nights) => {
        const org = await startOrg(8, LIGHT);
        const d = tmp();
        const run = () => incrementalSnapshot(org.connectors(), { store: join(d, 'store'), out: join(d, 'view') });
        try {
          await run();
          const atFull = (await view(join(d, 'view'))).lines.filter(lagging);
          for (const night of nights) {
            for (const c of night) applyChange(org, c, []);
            org.tick(3 * MIN);
            const before = { ...org.gc.stats().byRoute };
            const r = await run();
            expect(r.mode.genesys).toBe('delta');
            expect(r.notes.join('\n')).toMatch(/read by the next full read/);
            const after = org.gc.stats().byRoute;
            const delta = (k: string): number => (after[k] ?? 0) - (before[k] ?? 0);
            expect(delta('GET /api/v2/conversations/:cid/recordingmetadata')).toBe(0);
            expect(delta('GET /api/v2/externalcontacts/scan/contacts')).toBe(0);
          }
          const full = await fullRead(org, join(d, 'full'));
          const got = await view(join(d, 'view'));
          expect(got.lines.filter((l) => !lagging(l))).toEqual(full.lines.filter((l) => !lagging(l)));
          expect(got.lines.filter(lagging)).toEqual(atFull);
          // The periodic full read: everything equal again, and said so.
          org.tick(2 * DAY);
          const r = await run();
          expect(r.mode.genesys).toBe('full');
          expect(r.notes.join('\n')).toMatch(/older than 2 days \(fullReadEveryDays\): full read/);
          const full2 = await fullRead(org, join(d, 'full2'));
          const got2 = await view(join(d, 'view'));
          expect(got2.lines).toEqual(full2.lines);
          expect(got2.hash).toBe(full2.hash);
        } finally {
          await org.stop();
        }
      }),
      { numRuns: 4, endOnFailure: true },
    );
  }, HANG_GUARD_MS);
});
