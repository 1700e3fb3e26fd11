/**
 * ServiceNow incremental snapshots (connectors/servicenow/changes.ts) against the emulator over real
 * HTTP, on a virtual clock: any sequence of inserts, updates, journal entries, attachments, logged
 * deletions (leaves and parents) and restores, read night by night, gives the same records and the
 * same snapshot hash as one full read of the final state. Bounded by counts: 6 sequences of up to 5
 * nights. Plus: a quiet night costs one query per type and one of sys_audit; a table-cleaner
 * deletion (not logged) is caught by the periodic full read; no read access to sys_audit, a bad or
 * future cursor give a full read that says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServiceNowEmulator } from '../../../connectors/servicenow/emulator/index.ts';
import type { Row } from '../../../connectors/servicenow/emulator/query.ts';
import { readSnapshot, readSnapshotMeta } from '../../../engine/snapshot/reader.ts';
import { incrementalSnapshot } from '../../../runner/snapshot-store/run.ts';
import { takeSnapshot } from '../../../runner/take-snapshot.ts';
import { people, seededEmulator, snConnector } from './helpers.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'lethe-sn-incr-'));
  dirs.push(d);
  return d;
}

interface Instance {
  emu: ServiceNowEmulator;
  clock: { t: number };
  /** Rows removed by a logged deletion, for restores. */
  removed: Array<{ table: string; row: Row }>;
}

async function instance(): Promise<Instance> {
  const clock = { t: Date.parse('2026-11-01T00:00:00.000Z') };
  const emu = await seededEmulator(people(120));
  emu.store.now = () => new Date(clock.t);
  return { emu, clock, removed: [] };
}

const connector = (i: Instance, extra: { fullReadEveryDays?: number } = {}) => snConnector(i.emu, { pageSize: 50, now: () => new Date(i.clock.t), ...extra });

async function view(dir: string): Promise<{ hash: string; lines: string[] }> {
  const meta = await readSnapshotMeta(dir);
  const lines: string[] = [];
  for await (const r of readSnapshot(dir)) lines.push(JSON.stringify(r));
  return { hash: meta!.hash!, lines: lines.sort() };
}

async function fullView(i: Instance): Promise<{ hash: string; lines: string[] }> {
  const dir = join(tmp(), 'full');
  await takeSnapshot([connector(i)], dir, { createdAt: new Date(i.clock.t).toISOString() });
  return view(dir);
}

/** True when the snapshot lines hold the record `type`/`id` itself (not a link to it). */
function has(lines: readonly string[], type: string, id: string): boolean {
  return lines.some((l) => {
    const r = JSON.parse(l) as { type: string; id: string };
    return r.type === type && r.id === id;
  });
}

type Change = { kind: 'insert-contact' | 'update' | 'journal' | 'attach' | 'delete-leaf' | 'delete-parent' | 'restore'; n: number };
const change: fc.Arbitrary<Change> = fc.record({
  kind: fc.constantFrom('insert-contact', 'update', 'journal', 'attach', 'delete-leaf', 'delete-parent', 'restore'),
  n: fc.nat(10_000),
}) as fc.Arbitrary<Change>;

let serial = 0;
function ids(i: Instance, table: string): string[] {
  return [...i.emu.store.table(table)!.keys()].sort();
}
function applyChange(i: Instance, c: Change): void {
  i.clock.t += MIN;
  const s = i.emu.store;
  const at = new Date(i.clock.t);
  const pick = (xs: readonly string[]): string | undefined => (xs.length === 0 ? undefined : xs[c.n % xs.length]);
  const parentTable = ['customer_contact', 'sn_customerservice_case', 'interaction'][c.n % 3]!;
  switch (c.kind) {
    case 'insert-contact':
      s.insert('customer_contact', { first_name: 'New', last_name: `N${serial}`, email: `new${serial++}@example.com`, phone: '' }, at);
      return;
    case 'update': {
      const id = pick(ids(i, parentTable));
      if (id) s.update(parentTable, id, parentTable === 'customer_contact' ? { email: `moved${serial++}@example.com` } : { short_description: `Changed ${serial++}` });
      return;
    }
    case 'journal': {
      const id = pick(ids(i, 'sn_customerservice_case'));
      if (id) s.journal('sn_customerservice_case', id, 'comments', `Call me on +44 20 7946 0${String(serial++ % 1000).padStart(3, '0')}`, at);
      return;
    }
    case 'attach': {
      const id = pick(ids(i, parentTable));
      if (id) s.attach(parentTable, id, `note-${serial++}.txt`, Buffer.from('hello'), 'text/plain', at);
      return;
    }
    case 'delete-leaf':
    case 'delete-parent': {
      const table = c.kind === 'delete-leaf' ? (c.n % 2 === 0 ? 'sys_journal_field' : 'sys_attachment') : parentTable;
      const id = pick(ids(i, table));
      if (!id) return;
      i.removed.push({ table, row: { ...s.table(table)!.get(id)! } });
      s.remove(table, id);
      return;
    }
    case 'restore': {
      // An administrator restores a deleted record ("undelete"): same sys_id, same values.
      const r = i.removed.splice(c.n % Math.max(1, i.removed.length), 1)[0];
      if (r) s.restore(r.table, r.row);
    }
  }
}

describe('ServiceNow incremental snapshots against the emulator', () => {
  it('any changes and incremental runs give the records and hash of one full read of the final state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(change, { maxLength: 5 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 3 }), async (nights, compactAfter) => {
        const i = await instance();
        const d = tmp();
        try {
          const first = await incrementalSnapshot([connector(i)], { store: join(d, 'store'), out: join(d, 'view'), compactAfter, createdAt: new Date(i.clock.t).toISOString() });
          expect(first.mode).toEqual({ servicenow: 'full' });
          for (const night of nights) {
            for (const c of night) applyChange(i, c);
            i.clock.t += 3 * MIN;
            const r = await incrementalSnapshot([connector(i)], { store: join(d, 'store'), out: join(d, 'view'), compactAfter, createdAt: new Date(i.clock.t).toISOString() });
            expect(r.mode, r.notes.join('; ')).toEqual({ servicenow: 'delta' });
          }
          const got = await view(join(d, 'view'));
          const full = await fullView(i);
          expect(got.lines).toEqual(full.lines);
          expect(got.hash).toBe(full.hash);
        } finally {
          await i.emu.stop();
        }
      }),
      { numRuns: 6, endOnFailure: true },
    );
  });

  it('a quiet night costs one query per record type and one of sys_audit; deletions come from sys_audit', async () => {
    const i = await instance();
    const d = tmp();
    try {
      await incrementalSnapshot([connector(i)], { store: join(d, 'store'), out: join(d, 'view') });
      i.clock.t += DAY;
      const before = i.emu.stats().byRoute;
      const quiet = await incrementalSnapshot([connector(i)], { store: join(d, 'store'), out: join(d, 'view') });
      const after = i.emu.stats().byRoute;
      expect(quiet.mode).toEqual({ servicenow: 'delta' });
      const calls = (after['table.get'] ?? 0) - (before['table.get'] ?? 0) + (after['attachment.get'] ?? 0) - (before['attachment.get'] ?? 0);
      expect(calls).toBe(5 + 1);
      const caseId = ids(i, 'sn_customerservice_case')[0]!;
      const children = [...i.emu.store.table('sys_journal_field')!.values()].filter((r) => r.element_id === caseId).length;
      i.emu.store.remove('sn_customerservice_case', caseId);
      i.clock.t += DAY;
      const r = await incrementalSnapshot([connector(i)], { store: join(d, 'store'), out: join(d, 'view') });
      expect(r.notes.join(' ')).toMatch(/0 changed rows, 1 deleted/);
      const lines = (await view(join(d, 'view'))).lines;
      expect(has(lines, 'case', caseId)).toBe(false);
      // The instance kept the case's journal entries (no cascade in the emulator): still read.
      expect(lines.map((l) => JSON.parse(l) as { type: string; fields: Record<string, unknown> }).filter((r) => r.type === 'journal-entry' && r.fields.element_id === caseId).length).toBe(children);
    } finally {
      await i.emu.stop();
    }
  });

  it('a table-cleaner deletion (not in sys_audit) is caught by the periodic full read, which says why', async () => {
    const i = await instance();
    const d = tmp();
    try {
      await incrementalSnapshot([connector(i, { fullReadEveryDays: 2 })], { store: join(d, 'store'), out: join(d, 'view') });
      const id = ids(i, 'interaction')[0]!;
      i.emu.store.remove('interaction', id, { audit: false });
      i.clock.t += DAY;
      const night1 = await incrementalSnapshot([connector(i, { fullReadEveryDays: 2 })], { store: join(d, 'store'), out: join(d, 'view') });
      expect(night1.mode).toEqual({ servicenow: 'delta' });
      expect(has((await view(join(d, 'view'))).lines, 'interaction', id)).toBe(true);
      i.clock.t += 2 * DAY;
      const night3 = await incrementalSnapshot([connector(i, { fullReadEveryDays: 2 })], { store: join(d, 'store'), out: join(d, 'view') });
      expect(night3.mode).toEqual({ servicenow: 'full' });
      expect(night3.notes.join(' ')).toMatch(/older than 2 days .*table-cleaner/);
      const got = await view(join(d, 'view'));
      expect(has(got.lines, 'interaction', id)).toBe(false);
      expect(got).toEqual(await fullView(i));
    } finally {
      await i.emu.stop();
    }
  });

  it('no read access to sys_audit gives a full read that says so; deletions are still right', async () => {
    const i = await instance();
    const d = tmp();
    try {
      await incrementalSnapshot([connector(i)], { store: join(d, 'store'), out: join(d, 'view') });
      i.emu.store.remove('customer_contact', ids(i, 'customer_contact')[0]!);
      i.emu.faults.set({ forbiddenTables: ['sys_audit'] });
      i.clock.t += DAY;
      const r = await incrementalSnapshot([connector(i)], { store: join(d, 'store'), out: join(d, 'view') });
      expect(r.mode).toEqual({ servicenow: 'full' });
      expect(r.notes.join(' ')).toMatch(/may not read sys_audit/);
      i.emu.faults.clear();
      expect(await view(join(d, 'view'))).toEqual(await fullView(i));
    } finally {
      await i.emu.stop();
    }
  });

  it('an unreadable or future cursor gives a full read that says why', async () => {
    const i = await instance();
    try {
      const c = connector(i);
      const ends = async (cursor: Record<string, string | number | null> | null): Promise<string> => {
        let last = '';
        for await (const op of c.changes!(cursor)) if (op.op === 'end') last = `${op.mode}: ${op.notes.join(' ')}`;
        return last;
      };
      expect(await ends({ v: 9, at: 'x', full: 'y' })).toMatch(/^full: .*not readable/);
      expect(await ends({ v: 1, at: new Date(i.clock.t + 2 * DAY).toISOString(), full: new Date(i.clock.t).toISOString() })).toMatch(/^full: .*future/);
      expect(await ends({ v: 1, at: new Date(i.clock.t - DAY).toISOString(), full: new Date(i.clock.t - DAY).toISOString() })).toMatch(/^delta: /);
    } finally {
      await i.emu.stop();
    }
  });
});
