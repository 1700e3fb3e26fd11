/** An emulated org (both emulators, one virtual clock) for the snapshot-store tests, and its changes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll } from 'vitest';
import { createGenesysConnector, type GenesysConnectorConfig } from '../../connectors/genesys/connector.ts';
import { startGenesysEmulator, type GenesysEmulator } from '../../connectors/genesys/emulator/index.ts';
import { genesysSeedForPerson } from '../../connectors/genesys/seed.ts';
import { createSalesforceConnector } from '../../connectors/salesforce/connector.ts';
import { startSalesforceEmulator, type SalesforceEmulator } from '../../connectors/salesforce/emulator/server.ts';
import type { Connector } from '../../connectors/types.ts';
import { readSnapshot, readSnapshotMeta } from '../../engine/snapshot/reader.ts';
import { takeSnapshot } from '../../runner/take-snapshot.ts';
import { makePerson, makeWorld, WORLD_START } from '../connectors/genesys/fixtures.ts';
import { connectorConfig } from '../connectors/salesforce/helpers.ts';

export const MIN = 60_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export interface Org {
  gc: GenesysEmulator;
  sf: SalesforceEmulator;
  clock: { t: number };
  connectors(): Connector[];
  tick(ms: number): void;
  stop(): Promise<void>;
}

export async function startOrg(people = 10, genesys: Partial<GenesysConnectorConfig> = {}): Promise<Org> {
  const clock = { t: Math.floor(Date.now() / MIN) * MIN };
  const gc = await startGenesysEmulator({ ratePerMinute: 1_000_000, gdprStepMs: 20 });
  gc.store.load(makeWorld(people).seed);
  const sf = await startSalesforceEmulator();
  sf.store.now = () => new Date(clock.t).toISOString();
  for (let i = 0; i < people; i++) {
    const c = sf.store.insert('Contact', { FirstName: `F${i}`, LastName: `L${i}`, Email: `c${i}@example.com`, CreatedDate: '2023-01-01T00:00:00.000Z', LastModifiedDate: '2023-01-01T00:00:00.000Z' });
    sf.store.insert('Task', { WhoId: c, Subject: `call ${i}`, Status: 'Completed', CreatedDate: '2023-02-01T00:00:00.000Z', LastModifiedDate: '2023-02-01T00:00:00.000Z' });
  }
  const now = (): Date => new Date(clock.t);
  return {
    gc,
    sf,
    clock,
    connectors: () => [
      createGenesysConnector({ apiUrl: gc.url, loginUrl: gc.url, clientId: 'lethe-client', clientSecret: 'lethe-secret', rateLimitPerMinute: 1_000_000, rateBurst: 1000, since: WORLD_START, baseDelayMs: 5, maxDelayMs: 50, jobPollMs: 5, now, ...genesys }),
      createSalesforceConnector(connectorConfig(sf, { now })),
    ],
    tick(ms: number) {
      clock.t += ms;
      gc.store.advance(ms);
    },
    async stop() {
      await Promise.all([gc.stop(), sf.stop()]);
    },
  };
}

export type Change =
  | { kind: 'gc-conversation'; n: number }
  | { kind: 'gc-delete-recent-recording'; n: number }
  | { kind: 'gc-delete-contact'; n: number }
  | { kind: 'sf-insert'; n: number }
  | { kind: 'sf-update'; n: number }
  | { kind: 'sf-soft-delete'; n: number }
  | { kind: 'sf-hard-delete'; n: number };

export const change: fc.Arbitrary<Change> = fc.record({
  kind: fc.constantFrom('gc-conversation', 'gc-delete-recent-recording', 'gc-delete-contact', 'sf-insert', 'sf-update', 'sf-soft-delete', 'sf-hard-delete'),
  n: fc.nat(1000),
}) as fc.Arbitrary<Change>;

let serial = 0;
export function applyChange(org: Org, c: Change, recent: string[]): void {
  org.tick(MIN);
  const at = new Date(org.clock.t).toISOString();
  const pick = <T,>(xs: readonly T[]): T | undefined => (xs.length === 0 ? undefined : xs[c.n % xs.length]);
  switch (c.kind) {
    case 'gc-conversation': {
      const p = makePerson(100 + (serial++ % 50));
      const it = { key: `${p.key}#n${serial}`, mediaType: 'voice' as const, direction: 'inbound' as const, start: at, end: new Date(org.clock.t + 30_000).toISOString(), address: p.phones[0]!, recorded: true, evaluated: c.n % 2 === 0, queue: 'Support' };
      const seed = genesysSeedForPerson({ ...p, interactions: [it] }, []);
      org.gc.store.load({ ...seed, contacts: [] });
      for (const r of seed.recordings ?? []) recent.push(r.id);
      return;
    }
    case 'gc-delete-recent-recording': {
      const id = pick(recent);
      if (id) org.gc.store.deleteRecording(id, 'manual');
      org.gc.store.invalidate();
      return;
    }
    case 'gc-delete-contact': {
      const id = pick([...org.gc.store.contacts.keys()].sort());
      if (id) org.gc.store.deleteContact(id);
      return;
    }
    case 'sf-insert': {
      const id = org.sf.store.insert('Contact', { FirstName: 'New', LastName: `N${serial++}`, Email: `n${serial}@example.com` });
      if (c.n % 2 === 0) org.sf.store.insert('Task', { WhoId: id, Subject: 'follow-up', Status: 'Open' });
      return;
    }
    case 'sf-update': {
      const row = pick([...org.sf.store.rows('Contact')].filter((r) => r.IsDeleted !== true));
      if (row) org.sf.store.update(String(row.Id), { Email: `u${serial++}@example.com` });
      return;
    }
    case 'sf-soft-delete':
    case 'sf-hard-delete': {
      const tasks = [...org.sf.store.rows('Task')].filter((r) => r.IsDeleted !== true);
      const contacts = [...org.sf.store.rows('Contact')].filter((r) => r.IsDeleted !== true);
      const row = pick(c.n % 2 === 0 ? tasks : contacts);
      if (!row) return;
      if (c.kind === 'sf-soft-delete') org.sf.store.softDelete(String(row.Id));
      else org.sf.store.hardDelete(String(row.Id));
    }
  }
}

export async function fullRead(org: Org, dir: string): Promise<{ hash: string; lines: string[] }> {
  const cs = org.connectors();
  await takeSnapshot(cs, dir, { createdAt: new Date(org.clock.t).toISOString() });
  return view(dir);
}

export async function view(dir: string): Promise<{ hash: string; lines: string[] }> {
  const meta = await readSnapshotMeta(dir);
  const lines: string[] = [];
  for await (const r of readSnapshot(dir)) lines.push(JSON.stringify(r));
  return { hash: meta!.hash!, lines: lines.sort() };
}

export function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'lethe-incr-'));
  dirs.push(d);
  return d;
}

