/**
 * Conformance of the optional plugin capabilities (connectors/capabilities.ts), walking the
 * registry as conformance.test.ts does: every registered plugin that declares `intake`,
 * `consentFeed` or `nativeExport` is started on its emulator, seeded with the synthetic world, and
 * held to the same contract (reads fail closed, nothing of another person, a failed feed poll
 * does not advance). A new system that declares a capability gets these checks by registering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedPoll, SecretResolver } from '../../connectors/capabilities.ts';
import { holdsForPerson } from '../../connectors/generate/holds.ts';
import { generatePeople } from '../../connectors/generate/people.ts';
import type { Person } from '../../connectors/generate/world.ts';
import { normalizeIdentifierKey } from '../../connectors/normalize.ts';
import { REGISTRY } from '../../connectors/registry.ts';
import { normalizeRecordId } from '../../engine/ids.ts';
import { refKey, type LetheRecord } from '../../engine/records.ts';
import type { EmulatedSystem } from '../../engine/system-facts.ts';
import { PLUGINS, systemsOffering } from '../../runner/connections.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

const WORLD = { seed: 5, records: 500, now: '2025-06-01T00:00:00.000Z' };
const PEOPLE: Person[] = [...generatePeople(WORLD)];

const secretsOf =
  (emu: EmulatedSystem): SecretResolver =>
  (ref, what) => {
    const v = 'env' in ref ? emu.env[ref.env] : undefined;
    if (v === undefined) throw new Error(`no secret for ${what}`);
    return v;
  };

/** A poll's content, in an order that does not depend on paging. */
const content = (p: FeedPoll): { records: string[]; identities: string[]; deleted: string[] } => ({
  records: p.records.map((r) => `${refKey(r)} ${JSON.stringify(r.fields)}`).sort(),
  identities: p.identities.map((r) => `${refKey(r)} ${r.identifiers.join(',')}`).sort(),
  deleted: [...p.deleted].sort(),
});

describe('plugin capabilities: the walk is not empty', () => {
  it('each capability is offered by at least one registered system', () => {
    for (const cap of ['intake', 'consentFeed', 'nativeExport'] as const) expect(systemsOffering(cap).length, cap).toBeGreaterThan(0);
  });
});

for (const facts of REGISTRY) {
  const plugin = PLUGINS.get(facts.name)!;
  if (!plugin.intake && !plugin.consentFeed && !plugin.nativeExport) continue;

  describe(`plugin capabilities: ${facts.name}`, () => {
    let emu: EmulatedSystem;
    let secret: SecretResolver;
    beforeAll(async () => {
      emu = await plugin.emulate();
      for (const p of PEOPLE) emu.seed(p, holdsForPerson(WORLD, p));
      secret = secretsOf(emu);
    }, HANG_GUARD_MS);
    afterAll(async () => emu?.stop());

    const intake = plugin.intake;
    if (intake) {
      it('intake: one candidate per person who asked to be forgotten, with only that person’s identifiers, normalised; a partial read fails closed', async () => {
        const got = await intake.candidates(emu.config, secret);
        const forget = PEOPLE.filter((p) => p.shouldForget);
        expect(forget.length, 'the world has someone to forget').toBeGreaterThan(0);
        expect(got).toHaveLength(forget.length);
        expect(new Set(got.map((c) => c.source)).size).toBe(got.length);
        expect(got.map((c) => c.source)).toEqual([...got.map((c) => c.source)].sort());
        const theirs = new Set(forget.flatMap((p) => [...p.emails.map((e) => `email:${e}`), ...p.phones.map((x) => `phone:${x}`)]));
        const others = new Set(PEOPLE.filter((p) => !p.shouldForget).flatMap((p) => p.emails.map((e) => `email:${e}`)));
        for (const c of got) {
          expect(c.source.startsWith(`${facts.name}-`), c.source).toBe(true);
          for (const i of c.identifiers) expect(normalizeIdentifierKey(i)).toBe(i);
          const own = c.identifiers.filter((i) => i.startsWith(`${facts.idPrefix}:`));
          expect(own.length, 'names a record of the system').toBeGreaterThan(0);
          for (const i of own) expect(normalizeRecordId(facts.name, i.slice(facts.idPrefix.length + 1))).toBe(i.slice(facts.idPrefix.length + 1));
          for (const i of c.identifiers.filter((x) => x.startsWith('email:'))) {
            expect(others.has(i), 'no other person’s e-mail').toBe(false);
            expect(theirs.has(i)).toBe(true);
          }
        }
        // Read-only: asking again gives the same answer.
        expect(await intake.candidates(emu.config, secret)).toEqual(got);
        emu.faults({ partialPage: 1 });
        try {
          const partial = await intake.candidates(emu.config, secret).catch(() => null);
          // A read the fault could not shorten must be the whole answer; otherwise an error.
          if (partial !== null) expect(partial).toEqual(got);
        } finally {
          emu.faults(null);
        }
      });
    }

    const consentFeed = plugin.consentFeed;
    if (consentFeed) {
      it('consent feed: reads this system’s consent events with normalised identifiers, nothing twice, and a failed poll does not advance', async () => {
        const since = '2000-01-01T00:00:00.000Z';
        const feed = consentFeed(emu.config, secret, since);
        const first = await feed.poll();
        expect(first.records.length, 'the world has consent events').toBeGreaterThan(0);
        for (const r of [...first.records, ...first.identities]) {
          expect(r.system).toBe(facts.name);
          for (const i of r.identifiers) expect(normalizeIdentifierKey(i)).toBe(i);
        }
        for (const d of first.deleted) expect(d.startsWith(`${facts.name}/`)).toBe(true);
        expect(first.rows).toBeGreaterThan(0);
        // Nothing changed since: the next poll reads nothing again.
        const second = await feed.poll();
        expect(content(second)).toEqual({ records: [], identities: [], deleted: [] });

        // A poll that fails (partial pages) leaves the cursors where they were: the next poll reads it all.
        const fresh = consentFeed(emu.config, secret, since);
        emu.faults({ partialPage: 1 });
        let failed: FeedPoll | null = null;
        try {
          failed = await fresh.poll().catch(() => null);
        } finally {
          emu.faults(null);
        }
        if (failed === null) expect(content(await fresh.poll())).toEqual(content(first));
        else expect(content(failed)).toEqual(content(first));
      });
    }

    const nativeExport = plugin.nativeExport;
    if (nativeExport) {
      it('native export: submitted for one person’s e-mail, reused by id, filtered to what the subject owns; anything else withheld', async () => {
        const c = plugin.connect(emu.config, secret);
        let who: LetheRecord | undefined;
        try {
          for await (const r of c.stream(facts.identityTypes[0]!)) {
            if (r.identifiers.some((i) => i.startsWith('email:'))) {
              who = r;
              break;
            }
          }
        } finally {
          await c.close();
        }
        expect(who, 'an identity record with an e-mail').toBeDefined();
        const email = who!.identifiers.find((i) => i.startsWith('email:'))!.slice(6);
        const client = nativeExport.open(emu.config, secret);
        const id = await client.submit({ emails: [email], phones: [] });
        expect(id.length).toBeGreaterThan(0);
        expect(await client.submit({ emails: [email], phones: [] }, id)).toBe(id);
        // Liveness only: the emulator ends the request; the bound is generous, never asserted on.
        const res = await client.wait(id, { intervalMs: 20, timeoutMs: HANG_GUARD_MS });
        expect(res.outcome).toBe('done');
        expect(res.status.length).toBeGreaterThan(0);
        expect(JSON.stringify(res.data)).toContain(email);
        expect(nativeExport.file.endsWith('.json') && nativeExport.kind.length > 0 && nativeExport.noun.length > 0).toBe(true);

        const withheld: Array<[string, number]> = [];
        const withhold = (why: 'unknown' | 'other', n = 1): void => void withheld.push([why, n]);
        const mine = nativeExport.filter(res.data, (type, rid) => type === who!.type && rid === who!.id, withhold);
        expect(JSON.stringify(mine)).toContain(email);
        const none = nativeExport.filter(res.data, () => false, withhold);
        expect(JSON.stringify(none)).not.toContain(email);
        expect(withheld.some(([why]) => why === 'other')).toBe(true);
        withheld.length = 0;
        expect(nativeExport.filter('not an export', () => true, withhold)).toEqual({});
        expect(withheld).toEqual([['unknown', 1]]);
      });
    }
  });
}
