/**
 * A small hand-built world for the DSR tests: the subject (three e-mails, two phones, a
 * merged Genesys contact, a Salesforce Contact with Tasks and Events, one conversation under hold),
 * a household pair sharing a phone, and bystanders; loaded into both emulators of a sandbox.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedUuid } from '../../connectors/genesys/seed.ts';
import type { Interaction, Person, WorldHold } from '../../connectors/generate/world.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';
import { connectorsFromConfig } from '../../runner/connections.ts';
import type { Connector } from '../../connectors/types.ts';
import { generateSigningKeys } from '../../runner/certificate/certificate.ts';
import { RequestStore } from '../../runner/dsr/store.ts';
import type { DsrContext } from '../../runner/dsr/lifecycle.ts';

export const HMAC_HEX = 'a1'.repeat(32);
/** The test plan key (discovery signs request plans with it, apply verifies them). */
export const PLAN_HEX = 'b2'.repeat(32);
const DAY = 86_400_000;

function at(daysAgo: number, now: number): string {
  return new Date(now - daysAgo * DAY).toISOString();
}

function interaction(key: string, address: string, mediaType: Interaction['mediaType'], daysAgo: number, now: number, recorded = true, evaluated = false): Interaction {
  const start = at(daysAgo, now);
  return { key, mediaType, direction: 'inbound', start, end: new Date(Date.parse(start) + 600_000).toISOString(), address, recorded, evaluated, queue: 'support' };
}

export function person(key: string, over: Partial<Person>, now: number): Person {
  return {
    key,
    firstName: 'Test',
    lastName: key,
    emails: [],
    phones: [],
    createdAt: at(400, now),
    genesysContacts: 1,
    salesforce: 'contact',
    shouldForget: false,
    consents: [],
    interactions: [],
    crm: [],
    ...over,
  };
}

/** The subject: Ann Example. */
export function ann(now: number): Person {
  const emails = ['ann.example@mail.test', 'ann@work.test', 'a.example@old.test'];
  const phones = ['+14155550101', '+14155550102'];
  return person('ann', {
    firstName: 'Ann',
    lastName: 'Example',
    emails,
    phones,
    genesysContacts: 2,
    interactions: [
      interaction('ann-1', phones[0]!, 'voice', 40, now, true, true),
      interaction('ann-2', emails[1]!, 'email', 30, now),
      interaction('ann-3', phones[1]!, 'voice', 20, now, true, true),
      interaction('ann-held', phones[0]!, 'voice', 10, now, true),
    ],
    crm: [
      { key: 'ann-t1', kind: 'task', at: at(35, now), subject: 'Call back' },
      { key: 'ann-t2', kind: 'task', at: at(25, now), subject: 'Send brochure' },
      { key: 'ann-e1', kind: 'event', at: at(15, now), subject: 'Meeting' },
    ],
  }, now);
}

export const HOUSEHOLD = '+14155550199';

export function household(now: number): [Person, Person] {
  const bob = person('bob', { firstName: 'Bob', lastName: 'Home', emails: ['bob@home.test'], phones: ['+14155550111', HOUSEHOLD], householdPhone: HOUSEHOLD, interactions: [interaction('bob-1', 'bob@home.test', 'email', 12, now), interaction('bob-2', HOUSEHOLD, 'voice', 11, now)], crm: [{ key: 'bob-t', kind: 'task', at: at(9, now), subject: 'Bob task' }] }, now);
  const cat = person('cat', { firstName: 'Cat', lastName: 'Home', emails: ['cat@home.test'], phones: ['+14155550122', HOUSEHOLD], householdPhone: HOUSEHOLD, interactions: [interaction('cat-1', 'cat@home.test', 'email', 8, now), interaction('cat-2', HOUSEHOLD, 'voice', 7, now)], crm: [{ key: 'cat-t', kind: 'task', at: at(6, now), subject: 'Cat task' }] }, now);
  return [bob, cat];
}

export const ANN_HOLD: WorldHold = { caseRef: 'LH-2026-0042', reason: 'complaint investigation', personKey: 'ann', scope: 'interactions', interactionKeys: ['ann-held'] };

export interface World {
  sandbox: Sandbox;
  connectors: Connector[];
  bundle: Bundle;
  env: NodeJS.ProcessEnv;
  people: Person[];
  heldConversation: string;
  keys: { privatePem: string; publicPem: string };
  dir: string;
  ctx: DsrContext;
  stop(): Promise<void>;
}

export async function startWorld(people: Person[], holds: WorldHold[], options: { gdprStepMs?: number } = {}): Promise<World> {
  const now = Date.now();
  const sandbox = await startSandbox({ seed: 1, records: 0, now: new Date(now).toISOString(), genesys: { gdprStepMs: options.gdprStepMs ?? 20 } });
  // Every registered system's emulator gets the people (ServiceNow only those who opened cases).
  for (const p of people) for (const e of Object.values(sandbox.emulators)) e.seed(p, holds);
  const env = { ...process.env, ...sandbox.env, LETHE_HMAC_KEY: HMAC_HEX, LETHE_PLAN_KEY: PLAN_HEX };
  const connectors = connectorsFromConfig(sandbox.config, env);
  const loaded = await loadPolicyDir('policies');
  if (!loaded.bundle) throw new Error('example policies do not load');
  const bundle: Bundle = { ...loaded.bundle, retention: [], consent: [] };
  const heldConversation = seedUuid('conversation', 'ann-held');
  if (holds.some((h) => h.interactionKeys.includes('ann-held'))) bundle.holds = [
    ...bundle.holds,
    {
      apiVersion: 'lethe.dev/v1',
      kind: 'LegalHold',
      metadata: { name: 'complaint-2026-0042', version: '1.0.0', owner: 'legal@example.com', description: 'Complaint investigation.' },
      spec: { reason: 'Complaint investigation', caseRef: 'LH-2026-0042', expires: '2027-06-30', holds: { conversations: [heldConversation] } },
    } as Bundle['holds'][number],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'lethe-dsr-'));
  const store = await RequestStore.open(join(dir, 'requests'));
  const keys = generateSigningKeys();
  const ctx: DsrContext = { store, hmacKey: Buffer.from(HMAC_HEX, 'hex'), planKey: Buffer.from(PLAN_HEX, 'hex'), auditFile: join(dir, 'state', 'audit.jsonl'), actor: 'dpo@example.com', now: () => new Date() };
  return {
    sandbox,
    connectors,
    bundle,
    env,
    people,
    heldConversation,
    keys,
    dir,
    ctx,
    stop: () => sandbox.stop(),
  };
}
