/** Bad input and faults: every incomplete read is a clear error naming the table, never a shorter list. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LetheRecord } from '../../../engine/records.ts';
import type { ServiceNowEmulator } from '../../../connectors/servicenow/emulator/index.ts';
import { people, seededEmulator, snConnector } from './helpers.ts';

let emu: ServiceNowEmulator;
beforeAll(async () => {
  emu = await seededEmulator(people(1200));
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => emu.faults.clear());

async function all(it: AsyncIterable<LetheRecord>): Promise<LetheRecord[]> {
  const out: LetheRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('ServiceNow faults and bad input', () => {
  it('retries 429 (after Retry-After), 5xx and dropped connections, and still reads everything', async () => {
    const clean = (await all(snConnector(emu, { pageSize: 3 }).stream('journal-entry'))).map((r) => r.id);
    emu.faults.set({ seed: 3, rateLimit: 0.2, serverError: 0.15, reset: 0.1, retryAfterSeconds: 0 });
    const c = snConnector(emu, { pageSize: 3, maxRetries: 12 });
    const got = (await all(c.stream('journal-entry'))).map((r) => r.id);
    expect(clean.length).toBeGreaterThan(30);
    expect(got).toEqual(clean);
    expect(emu.faults.injected['rate-limit']).toBeGreaterThan(0);
    expect(emu.faults.injected['server-error']).toBeGreaterThan(0);
    expect(c.apiCalls().retries).toBeGreaterThanOrEqual((emu.faults.injected['rate-limit'] ?? 0) + (emu.faults.injected['server-error'] ?? 0));
  });

  it('fails when Retry-After is longer than allowed, naming the wait', async () => {
    emu.faults.set({ rateLimit: 1, retryAfterSeconds: 7200 });
    await expect(all(snConnector(emu).stream('case'))).rejects.toThrow(/429 rate limited for 7200 s/);
  });

  it.each([
    ['partialPage', /rows where \d+ were due/],
    ['truncated', /not complete JSON/],
    ['loopingCursor', /paging cursor loops/],
  ] as const)('%s: the read fails closed', async (fault, message) => {
    emu.faults.set({ [fault]: 1 });
    await expect(all(snConnector(emu, { pageSize: 4 }).stream('journal-entry'))).rejects.toThrow(message);
  });

  it('a table the account cannot read: 403 fails closed and names the table', async () => {
    emu.faults.set({ forbiddenTables: ['sys_journal_field'] });
    await expect(all(snConnector(emu).stream('journal-entry'))).rejects.toThrow(/GET \/api\/now\/table\/sys_journal_field failed: 403 .*may not read/);
    const c = snConnector(emu);
    await expect(c.lookup([`email:${people(1200).find((p) => p.crm.some((a) => a.kind === 'case'))!.emails[0]}`])).rejects.toThrow(/sys_journal_field.*403/);
  });

  it("error bodies have ServiceNow's shape (401 without a token)", async () => {
    const res = await fetch(`${emu.url}/api/now/table/incident`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' });
  });

  it('a row without sys_id, and a 5 MB journal entry: clear errors, no value echoed', async () => {
    const e2 = await seededEmulator([]);
    try {
      const c = snConnector(e2);
      e2.store.insertRaw('customer_contact', 'k1', { sys_created_on: '2020-01-01 00:00:00', email: 'x@example.com' });
      await expect(all(c.stream('customer-contact'))).rejects.toThrow(/customer_contact: a row without a valid sys_id/);
      const big = 'call me on +1 555 0100 '.repeat(230_000);
      const id = e2.store.journal('sn_customerservice_case', 'a'.repeat(32), 'comments', big);
      let msg = '';
      try {
        await all(c.stream('journal-entry'));
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toMatch(new RegExp(`sys_journal_field ${id}: field value is \\d+ bytes, over the 1048576-byte limit`));
      expect(msg).not.toContain('555');
      // a larger cap reads it
      expect((await all(snConnector(e2, { maxFieldBytes: 8 * 1024 * 1024 }).stream('journal-entry'))).length).toBe(1);
    } finally {
      await e2.stop();
    }
  });
});
