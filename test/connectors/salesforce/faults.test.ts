/** Under injected faults a read returns every record exactly once or throws: never a shorter list. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.ts';
import { connectorFor, withEmulator } from './helpers.ts';

let emu: SalesforceEmulator;
const N = 2300;
let allIds: string[];

beforeAll(async () => {
  emu = await withEmulator();
  allIds = [];
  for (let i = 0; i < N; i++) allIds.push(emu.store.insert('Contact', { LastName: `F${i}`, Email: `f${i}@example.com` }));
});
afterAll(() => emu.stop());

const FAULTS = { serverError: 0.06, limitExceeded: 0.04, reset: 0.05, partialPage: 0.05 };

async function readAll(maxRetries: number): Promise<{ ids?: string[]; error?: Error }> {
  const c = connectorFor(emu, { queryBatchSize: 200, retry: { maxRetries, baseDelayMs: 1, maxDelayMs: 4 } });
  const ids: string[] = [];
  try {
    for await (const r of c.stream('contact')) ids.push(r.id);
    return { ids };
  } catch (e) {
    return { error: e as Error };
  }
}

describe('fault tolerance of stream()', () => {
  it('with retries, every full scan under 20% faults is complete and duplicate-free', async () => {
    let complete = 0;
    for (let seed = 1; seed <= 6; seed++) {
      emu.faults.set({ seed, ...FAULTS });
      const r = await readAll(8);
      if (r.error) {
        expect(r.error.message).toMatch(/incomplete Salesforce read/);
        continue;
      }
      expect(r.ids).toHaveLength(N);
      expect(new Set(r.ids)).toEqual(new Set(allIds));
      complete++;
    }
    expect(complete).toBeGreaterThanOrEqual(5);
    const injected = emu.faults.injected;
    for (const kind of ['server-error', 'limit', 'reset', 'partial-page']) expect(injected[kind], kind).toBeGreaterThan(0);
    emu.faults.clear();
  });

  it('without retries, a faulted scan throws a clear error instead of returning fewer records', async () => {
    let threw = 0;
    for (let seed = 1; seed <= 8; seed++) {
      emu.faults.set({ seed, ...FAULTS });
      const r = await readAll(0);
      if (r.error) {
        threw++;
        expect(r.error.name).toBe('IncompleteReadError');
        expect(r.error.message).toMatch(/incomplete Salesforce read \(stream contact, \d+ records received\)/);
      } else expect(new Set(r.ids)).toEqual(new Set(allIds));
    }
    expect(threw).toBeGreaterThan(0);
    emu.faults.clear();
  });

  it('detects every kind of inconsistent page', async () => {
    emu.faults.set({ seed: 3, partialPage: 1 });
    const r = await readAll(3);
    expect(r.error?.message).toMatch(/shorter than|differs from|done after|without nextRecordsUrl/);
    emu.faults.clear();
  });

  it('deletes under faults (including lost replies) end done or gone, with nothing left in the recycle bin', async () => {
    const c = connectorFor(emu, { retry: { maxRetries: 8, baseDelayMs: 1, maxDelayMs: 4 } });
    const ids = allIds.slice(0, 450);
    emu.faults.set({ seed: 11, serverError: 0.1, reset: 0.1 });
    const out = await c.execute(ids.map((id, i) => ({ id: `d${i}`, op: 'delete' as const, target: { system: 'salesforce', type: 'contact', id } })));
    emu.faults.clear();
    const statuses = new Set(out.map((o) => o.status));
    expect([...statuses].every((s) => s === 'done' || s === 'gone' || s === 'failed')).toBe(true);
    const failed = out.filter((o) => o.status === 'failed');
    // Whatever is reported done or gone is really purged.
    ids.forEach((id, i) => {
      if (out[i]!.status !== 'failed') expect(emu.store.byId(id)).toBeUndefined();
    });
    expect(failed.length).toBeLessThan(ids.length / 4);
    // A second run finishes the job.
    const retry = await c.execute(ids.map((id, i) => ({ id: `d${i}`, op: 'delete' as const, target: { system: 'salesforce', type: 'contact', id } })));
    expect(retry.every((o) => o.status === 'gone' || o.status === 'done')).toBe(true);
    expect(emu.store.recycleBin()).toEqual([]);
  });

  it('reports REQUEST_LIMIT_EXCEEDED (403) when the daily allocation is used up', async () => {
    const small = await withEmulator({ dailyApiLimit: 3 });
    try {
      small.store.insert('Contact', { LastName: 'X' });
      const c = connectorFor(small, { apiBudgetShare: 1, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
      const out: string[] = [];
      await expect(
        (async () => {
          for (let i = 0; i < 5; i++) for await (const r of c.stream('contact')) out.push(r.id);
        })(),
      ).rejects.toThrow(/REQUEST_LIMIT_EXCEEDED/);
    } finally {
      await small.stop();
    }
  });
});
