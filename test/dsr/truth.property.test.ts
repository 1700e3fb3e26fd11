/**
 * Properties over generated people and households, end to end against both emulators (issue 16):
 * an access answer never contains a record discovery attributes to another person (nor another
 * person's e-mail or own phone), and a closed erasure's independent re-scan finds nothing of the
 * subject outside the certificate's remaining list. Bounded: a few worlds, a few people each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedUuid } from '../../connectors/genesys/seed.ts';
import type { Interaction, Person } from '../../connectors/generate/world.ts';
import { refKey } from '../../engine/records.ts';
import { exportRequest } from '../../runner/dsr/export.ts';
import { approveRequest, openRequest } from '../../runner/dsr/intake.ts';
import { applyRunner } from '../../runner/dsr/runner.ts';
import { discoverStep, executeStep, pollStep } from '../../runner/dsr/workflow.ts';
import { person, startWorld } from './world.ts';
import { certificateOf } from './truth-helpers.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

const NAMES = ['Alpha', 'Bravo', 'Charlie', 'Delta'];
const DAY = 86_400_000;

const arbPerson = fc.record({
  emails: fc.integer({ min: 1, max: 2 }),
  phones: fc.integer({ min: 1, max: 2 }),
  contacts: fc.integer({ min: 1, max: 2 }),
  sf: fc.constantFrom<'contact' | 'lead'>('contact', 'lead'),
  calls: fc.array(fc.record({ via: fc.constantFrom('email', 'phone', 'household'), n: fc.nat(3), recorded: fc.boolean(), evaluated: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  tasks: fc.integer({ min: 0, max: 2 }),
});
const arbWorld = fc.record({
  people: fc.array(arbPerson, { minLength: 2, maxLength: 4 }),
  /** Pairs of people sharing a household phone. */
  households: fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { maxLength: 2 }),
  access: fc.nat(3),
  erase: fc.nat(3),
});

type Shape = typeof arbWorld extends fc.Arbitrary<infer T> ? T : never;

function build(shape: Shape, now: number): Person[] {
  const n = shape.people.length;
  const household = new Map<number, string>();
  shape.households.forEach(([a, b], h) => {
    const [x, y] = [a % n, b % n];
    if (x === y || household.has(x) || household.has(y)) return;
    household.set(x, `+14155599${h}${h}${h}`);
    household.set(y, `+14155599${h}${h}${h}`);
  });
  return shape.people.map((p, i) => {
    const emails = Array.from({ length: p.emails }, (_, j) => `gen${i}.${j}@p${i}.test`);
    const own = Array.from({ length: p.phones }, (_, j) => `+1415557${i}${j}${i}${j}`);
    const hp = household.get(i);
    const phones = hp ? [...own, hp] : own;
    const interactions: Interaction[] = p.calls.map((c, k) => {
      const address = c.via === 'email' ? emails[c.n % emails.length]! : c.via === 'household' && hp ? hp : own[c.n % own.length]!;
      const start = new Date(now - (30 + k) * DAY).toISOString();
      return { key: `gen${i}-${k}`, mediaType: address.includes('@') ? 'email' : 'voice', direction: 'inbound', start, end: new Date(Date.parse(start) + 600_000).toISOString(), address, recorded: c.recorded, evaluated: c.evaluated, queue: 'support' };
    });
    const crm = Array.from({ length: p.tasks }, (_, k) => ({ key: `gen${i}-t${k}`, kind: 'task' as const, at: new Date(now - (20 + k) * DAY).toISOString(), subject: `${NAMES[i]} task ${k}` }));
    return person(`gen${i}`, { firstName: NAMES[i]!, lastName: `Gen${i}x`, emails, phones, ...(hp ? { householdPhone: hp } : {}), genesysContacts: p.contacts, salesforce: p.sf, interactions, crm }, now);
  });
}

function textOf(dir: string): string {
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

describe('DSR properties over generated people and households', () => {
  it('access answers hold no other person\'s record; a closed erasure leaves nothing of the subject outside the certificate', async () => {
    await fc.assert(
      fc.asyncProperty(arbWorld, async (shape) => {
        const now = Date.now();
        const people = build(shape, now);
        const w = await startWorld(people, []);
        try {
          const run = applyRunner({ config: w.sandbox.config, stateDir: join(w.dir, 'state'), bundle: w.bundle, env: w.env, actor: 'dpo@example.com', connectors: w.connectors, signingKey: () => w.keys.privatePem, pollTimeoutMs: HANG_GUARD_MS, pollIntervalMs: 20 });
          // Access, asked with every identifier the person gave (the household phone too).
          const a = people[shape.access % people.length]!;
          const ra = await openRequest(w.ctx, { type: 'access', emails: a.emails, phones: a.phones, verification: { method: 'account-login', reference: 'P-A' } });
          const { report } = await discoverStep(w.ctx, ra.id, { connectors: w.connectors, bundle: w.bundle });
          await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, ra.id);
          const out = join(w.dir, `answer-${ra.id}`);
          await exportRequest(w.ctx, ra.id, { connectors: w.connectors, config: w.sandbox.config, env: w.env, out, pollIntervalMs: 20, pollTimeoutMs: HANG_GUARD_MS });
          const answer = textOf(out);
          for (const x of report.records.filter((r) => r.status === 'other-person' || r.status === 'shared')) {
            expect(answer.includes(x.target.id), `${refKey(x.target)} (${x.status}) in the access answer`).toBe(false);
          }
          for (const other of people.filter((p) => p !== a)) {
            for (const s of [other.firstName, ...other.emails, ...other.phones.filter((ph) => !a.phones.includes(ph))]) expect(answer.includes(s), `${s} of ${other.key} in ${a.key}'s answer`).toBe(false);
            for (const i of other.interactions) expect(answer.includes(seedUuid('conversation', i.key)), `${other.key}'s conversation in ${a.key}'s answer`).toBe(false);
          }

          // Erasure, asked with the person's first e-mail.
          const e = people[shape.erase % people.length]!;
          const re = await openRequest(w.ctx, { type: 'erasure', emails: [e.emails[0]!], verification: { method: 'account-login', reference: 'P-E' } });
          await discoverStep(w.ctx, re.id, { connectors: w.connectors, bundle: w.bundle });
          await approveRequest({ ...w.ctx, actor: 'approver@example.com' }, re.id);
          let r = await executeStep(w.ctx, re.id, run);
          for (let i = 0; i < 5 && r.state === 'EXECUTING'; i++) r = await pollStep(w.ctx, re.id, run);
          expect(r.verification?.remaining.filter((x) => x.why === 'unexplained'), 'unexplained residue').toEqual([]);
          expect(['COMPLETE', 'PARTIAL_HOLD']).toContain(r.state);
          const cert = certificateOf(readFileSync(r.certificate!.file, 'utf8'));
          expect(cert.outcome).toBe(r.state);
          const listed = new Set(cert.verification!.remaining.map((x) => refKey(x.target)));
          const shared = new Set(people.filter((p) => p !== e).flatMap((p) => p.phones));
          const own = [...e.emails.map((m) => `email:${m}`), ...e.phones.filter((ph) => !shared.has(ph)).map((ph) => `phone:${ph}`), ...Array.from({ length: 2 }, (_, k) => `gc:${seedUuid('contact', `${e.key}#${k}`)}`)];
          const found = (await Promise.all(w.connectors.map((c) => c.lookup(own)))).flat().filter((x) => x.type !== 'legal-hold' && x.identifiers.some((i) => own.includes(i)));
          for (const x of found) expect(listed.has(refKey(x)), `${refKey(x)} of ${e.key} found after close but not on the certificate`).toBe(true);
        } finally {
          await w.stop();
        }
      }),
      { numRuns: 3, seed: 16, endOnFailure: true },
    );
  });
});
