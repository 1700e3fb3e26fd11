/**
 * Property: for generated consent states, subjects and destinations, the service's decision
 * (/v1/consent/check and /v1/gate) equals `lethe gate`'s (gateStream over the same snapshot).
 */
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createGate } from '../../engine/evaluate/consent.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { consentIndexFromSnapshot, gateStream } from '../../runner/cli/commands/gate.ts';
import { consent, contact, NOW, POLICIES, post, startTest, TOKEN, writeSnapshot, type Rec } from './helpers.ts';
import type { RunningServe } from '../../runner/serve/server.ts';

const people = ['ann', 'bob', 'cy', 'dee'];
const idsOf = (p: string): string[] => [`email:${p}@example.com`, `phone:+1555000000${people.indexOf(p)}`];
const eventArb = fc.record({
  person: fc.constantFrom(...people),
  which: fc.constantFrom(0, 1),
  purpose: fc.constantFrom('marketing', 'analytics'),
  status: fc.constantFrom('granted' as const, 'withdrawn' as const),
  day: fc.integer({ min: 1, max: 5 }),
});
const recordArb = fc.record({ persons: fc.subarray(people, { minLength: 1, maxLength: 2 }), extra: fc.boolean() });

const running: RunningServe[] = [];
afterAll(async () => {
  for (const s of running) await s.close();
});

describe('service decision equals lethe gate', () => {
  it('for every generated subject and destination', async () => {
    const bundle = (await loadPolicyDir(POLICIES, { now: NOW })).bundle!;
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 12 }), fc.array(recordArb, { minLength: 1, maxLength: 6 }), fc.boolean(), async (evs, recs, linkAnn) => {
        const events: Rec[] = evs.map((e, i) => consent(`a01${String(i).padStart(15, '0')}`, [idsOf(e.person)[e.which]!], e.purpose, e.status, `2025-01-0${e.day}T00:00:00.000Z`));
        const contacts = linkAnn ? [contact('003000000000001AAA', idsOf('ann'))] : [];
        const snap = await writeSnapshot(events, contacts, NOW);
        const s = await startTest({ snapshot: snap });
        running.push(s);
        const index = await consentIndexFromSnapshot(snap, NOW);
        const records = recs.map((r, i) => ({ system: 'salesforce', type: 'contact', id: `003${String(i).padStart(15, '0')}`, createdAt: NOW, identifiers: r.persons.flatMap((p) => (r.extra ? idsOf(p) : [idsOf(p)[0]!])), links: [], fields: {} }));
        const body = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
        for (const destination of ['crm-sync', 'analytics-export']) {
          const cliOut = new PassThrough();
          let cliText = '';
          cliOut.on('data', (d: Buffer) => (cliText += d.toString()));
          const input = new PassThrough();
          input.end(body);
          await gateStream(input, cliOut, createGate(bundle.consent, index, destination));
          const served = await post(`${s.url}/v1/gate/${destination}`, body, TOKEN, 'application/x-ndjson');
          expect(served.status).toBe(200);
          expect(typeof served.json === 'string' ? served.json : `${JSON.stringify(served.json)}\n`).toBe(cliText);
          for (const r of records) {
            const check = await post(`${s.url}/v1/consent/check`, { identifiers: r.identifiers, destination });
            expect(check.json.allowed).toBe(createGate(bundle.consent, index, destination)(r));
          }
        }
        await s.close();
        running.pop();
      }),
      { numRuns: 15 },
    );
  });
});
