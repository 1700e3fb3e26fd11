/** Under ~20% injected faults a full stream returns every record exactly once or throws — never a short list. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refKey } from '../../../engine/records.ts';
import { genesysSeedToRecords } from '../../../connectors/genesys/seed.ts';
import { collect, startRig, type Rig } from './fixtures.ts';

const FAULTS = { error5xxRate: 0.08, resetRate: 0.04, rate429Rate: 0.003, partialPageRate: 0.07, slowRate: 0.02, slowMs: 5 };

describe('genesys connector fails closed under faults', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(150, {}, { maxRetries: 8, scanLimit: 40 });
  });
  afterAll(() => rig.emu.stop());

  for (const seed of [1, 2]) {
    it(`seed ${seed}: each type is complete and duplicate-free, or the read throws`, async () => {
      const expected = genesysSeedToRecords(rig.seed);
      rig.emu.faults.set({ ...FAULTS, seed });
      let completed = 0;
      for (const type of rig.connector.types()) {
        const want = expected.filter((r) => r.type === type).map(refKey).sort();
        try {
          const got = (await collect(rig.connector.stream(type))).map(refKey);
          expect(new Set(got).size, type).toBe(got.length);
          expect(got.sort(), type).toEqual(want);
          completed++;
        } catch (e) {
          expect((e as Error).message, type).toMatch(/partial|reports|changed|failed|network|attempts|the query counts|submissions/);
        }
      }
      const inj = rig.emu.faults.injected;
      expect(inj['5xx'] + inj.reset + inj.partial).toBeGreaterThan(0);
      expect(completed).toBeGreaterThan(0);
      rig.emu.faults.clear();
    });
  }

  it('a cursor that keeps ending early makes the contact scan throw instead of returning fewer contacts', async () => {
    rig.emu.faults.set({ partialPageRate: 1, routes: ['scan/contacts'] });
    await expect(collect(rig.connector.stream('external-contact'))).rejects.toThrow(/scan\/contacts: \d+ of the \d+ contacts the listing counted before the read are missing/);
    rig.emu.faults.set({ partialPageRate: 1, routes: ['jobs/:id/results'] });
    await expect(collect(rig.connector.stream('conversation'))).rejects.toThrow(/stayed partial|analytics job returned \d+ conversations but the query counts/);
    rig.emu.faults.clear();
  });
});
