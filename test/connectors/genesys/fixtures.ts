/** A small deterministic synthetic world for the Genesys tests, and an emulator + connector pair. */
import type { Interaction, Person, WorldHold } from '../../../connectors/generate/world.ts';
import { startGenesysEmulator, type GenesysEmulator, type GenesysEmulatorOptions } from '../../../connectors/genesys/emulator/index.ts';
import { createGenesysConnector, type GenesysConnector, type GenesysConnectorConfig } from '../../../connectors/genesys/connector.ts';
import { genesysSeedForPerson, mergeSeeds } from '../../../connectors/genesys/seed.ts';
import type { GenesysSeed } from '../../../connectors/genesys/native.ts';

export const WORLD_START = '2024-01-01T00:00:00.000Z';
export const WORLD_NOW = '2024-04-01T00:00:00.000Z';
const MEDIA: Interaction['mediaType'][] = ['voice', 'chat', 'email', 'message'];

export function makePerson(i: number): Person {
  const key = `p${String(i).padStart(6, '0')}`;
  const emails = [`${key}@example.com`, ...(i % 3 === 0 ? [`${key}.alt@example.org`, `${key}.work@example.net`] : [])];
  const phones = [`+1555${String(1000000 + i).slice(-7)}`, ...(i % 4 === 0 ? [`+44207${String(1000000 + i).slice(-7)}`] : [])];
  const interactions: Interaction[] = [];
  const n = i % 5;
  for (let k = 0; k < n; k++) {
    const mediaType = MEDIA[(i + k) % 4]!;
    const start = new Date(Date.parse(WORLD_START) + ((i * 7 + k * 13) % 85) * 86_400_000 + k * 3_600_000).toISOString();
    interactions.push({
      key: `${key}-i${k}`,
      mediaType,
      direction: k % 2 === 0 ? 'inbound' : 'outbound',
      start,
      end: new Date(Date.parse(start) + 600_000).toISOString(),
      address: mediaType === 'email' || mediaType === 'chat' ? emails[k % emails.length]! : phones[k % phones.length]!,
      recorded: (i + k) % 3 !== 0,
      evaluated: (i + k) % 4 === 0,
      queue: ['Sales', 'Support', 'Billing'][(i + k) % 3]!,
    });
  }
  return {
    key,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    emails,
    phones,
    createdAt: '2023-06-01T00:00:00.000Z',
    genesysContacts: i % 6 === 0 ? 3 : 1,
    salesforce: 'none',
    shouldForget: false,
    consents: [],
    interactions,
    crm: [],
  };
}

export function makeWorld(count: number): { people: Person[]; holds: WorldHold[]; seed: GenesysSeed } {
  const people = Array.from({ length: count }, (_, i) => makePerson(i + 1));
  const holds: WorldHold[] = people
    .filter((p, i) => i % 7 === 2 && p.interactions.filter((x) => x.recorded).length >= 2)
    .map((p) => ({
      caseRef: `CASE-${p.key}`,
      reason: 'litigation',
      personKey: p.key,
      scope: 'interactions',
      interactionKeys: [p.interactions.find((x) => x.recorded)!.key],
    }));
  const seed = mergeSeeds(people.map((p) => genesysSeedForPerson(p, holds)));
  return { people, holds, seed };
}

export interface Rig {
  emu: GenesysEmulator;
  connector: GenesysConnector;
  seed: GenesysSeed;
  people: Person[];
  holds: WorldHold[];
}

export async function startRig(
  count: number,
  emuOptions: GenesysEmulatorOptions = {},
  connOptions: Partial<GenesysConnectorConfig> = {},
): Promise<Rig> {
  const world = makeWorld(count);
  const emu = await startGenesysEmulator({ ratePerMinute: 1_000_000, gdprStepMs: 20, ...emuOptions });
  emu.store.load(world.seed);
  const connector = connectorFor(emu, connOptions);
  return { emu, connector, ...world };
}

/** A connector to this emulator with the tests' settings (fast retries and polls, the world's clock). */
export function connectorFor(emu: GenesysEmulator, options: Partial<GenesysConnectorConfig> = {}) {
  return createGenesysConnector({
    apiUrl: emu.url,
    loginUrl: emu.url,
    clientId: 'lethe-client',
    clientSecret: 'lethe-secret',
    rateLimitPerMinute: 1_000_000,
    rateBurst: 1000,
    since: WORLD_START,
    baseDelayMs: 5,
    maxDelayMs: 50,
    jobPollMs: 10,
    now: () => new Date(WORLD_NOW),
    ...options,
  });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Requests the emulator saw on routes containing `part` (tests count calls, never time). */
export const calls = (rig: Rig, part: string): number => Object.entries(rig.emu.stats().byRoute).filter(([k]) => k.includes(part)).reduce((n, [, v]) => n + v, 0);

/** A Genesys record reference. */
export const ref = (type: string, id: string): { system: string; type: string; id: string } => ({ system: 'genesys', type, id });
