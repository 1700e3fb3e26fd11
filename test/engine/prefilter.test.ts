/**
 * The prefilter (engine/plan/prefilter.ts) lets parallel sources hand buildPlan only the records
 * that can matter. Differential property: with or without it, the plan is byte-identical —
 * including worlds with links that point "upwards" (deferred records) and undatable records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalFile } from '../../engine/canonical.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { inProcessPrefilter, type PrefilterSetup } from '../../engine/plan/prefilter.ts';
import { memorySource, type RecordSource } from '../../engine/plan/source.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { worldArb, type World } from './arbitraries.ts';
import { bundle, hold, KEY, NOW, rec, ref, retention } from './fixtures.ts';

/**
 * Makes some records undatable and gives some an upward link (to a type read later): an external
 * contact linking to one of its own conversations passes that conversation's hold or erasure label
 * on to the contact's other conversations, through a record that is itself deferred.
 */
function roughen(w: World, seed: number): World {
  let s = seed >>> 0;
  const next = (): number => (s = (s * 1103515245 + 12345) >>> 0) % 8;
  const convs = w.records.filter((r) => r.type === 'conversation');
  const records: LetheRecord[] = w.records.map((r) => {
    const k = next();
    if (k === 0) return { ...r, createdAt: 'not a date' };
    if (k <= 3 && r.type === 'external-contact') {
      const own = convs.filter((c) => c.links.some((l) => l.id === r.id));
      const c = own[next() % Math.max(1, own.length)];
      if (c) return { ...r, links: [...r.links, { system: c.system, type: c.type, id: c.id }] };
    }
    if (k === 4 && convs.length > 0 && r.type !== 'conversation') {
      const c = convs[next() % convs.length]!;
      return { ...r, links: [...r.links, { system: c.system, type: c.type, id: c.id }] };
    }
    return r;
  });
  return { ...w, records };
}

/**
 * Only the children are due (recordings, tasks), the first person's e-mail and everyone's first
 * conversation are held: whether a
 * child is kept then depends only on labels inherited through records that are not due themselves
 * (the records a careless prefilter would leave out).
 */
function childrenDue(w: World): World {
  return {
    ...w,
    bundle: {
      ...w.bundle,
      retention: [retention('rec', 'genesys', 'recording', 'P1Y'), retention('task', 'salesforce', 'task', 'P1Y')],
      holds: [
        ...w.bundle.holds,
        hold('p0', { identifiers: ['email:p0@example.test'] }),
        // every person's first conversation: reaches the others only through an upward link
        hold('first-calls', { conversations: w.records.filter((r) => r.type === 'conversation' && r.id.endsWith('-0')).map((r) => r.id) }),
      ],
    },
  };
}

async function plans(w: World, batch: number): Promise<[string, string, number]> {
  const input = { bundle: w.bundle, requests: w.requests, now: NOW, hmacKey: KEY, snapshotHash: 'sha256:x' };
  const plain = await buildPlan({ ...input, records: w.records });
  const base = await memorySource(w.records);
  let kept = 0;
  const source: RecordSource = {
    types: () => base.types(),
    // in batches of `batch`, so counts arrive in several pieces
    read: (system, type) => {
      const all = w.records.filter((r) => r.system === system && r.type === type);
      const out: LetheRecord[][] = [];
      for (let i = 0; i < all.length; i += batch) out.push(all.slice(i, i + batch));
      return out;
    },
    prefiltered(setup: PrefilterSetup) {
      const inner = inProcessPrefilter(this, structuredClone(setup));
      return {
        async *read(system, type, known) {
          for await (const b of inner.read(system, type, known)) {
            kept += b.records.length;
            yield b;
          }
        },
      };
    },
  };
  const filtered = await buildPlan({ ...input, records: source });
  return [canonicalFile(plain), canonicalFile(filtered), kept];
}

describe('prefilter', () => {
  it('buildPlan with the prefilter gives the byte-identical plan (1,000 worlds)', async () => {
    let kept = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, fc.integer(), fc.integer({ min: 1, max: 4 }), fc.boolean(), async (w0, seed, batch, children) => {
        const w = roughen(children ? childrenDue(w0) : w0, seed);
        const [a, b, k] = await plans(w, batch);
        expect(b).toBe(a);
        kept += k;
        total += w.records.length;
      }),
      { numRuns: 1000 },
    );
    // the prefilter must actually leave records out, or the test proves nothing about it
    expect(kept).toBeLessThan(total);
  });

  it('keeps a record whose upward link is the only path of a hold to a due record', async () => {
    // recording -> conversation C -> external contact A -(upward)-> conversation B -> contact S,
    // S held by its e-mail: only A's deferred link carries the hold down to the due recording.
    const records: LetheRecord[] = [
      rec('salesforce', 'contact', 'S', '2016-01-15T10:00:00.000Z', { ids: ['email:s@example.test'] }),
      rec('genesys', 'conversation', 'B', '2016-01-15T10:00:00.000Z', { links: [ref('salesforce', 'contact', 'S')] }),
      rec('genesys', 'external-contact', 'A', '2016-01-15T10:00:00.000Z', { links: [ref('genesys', 'conversation', 'B')] }),
      rec('genesys', 'conversation', 'C', '2016-01-15T10:00:00.000Z', { links: [ref('genesys', 'external-contact', 'A')] }),
      rec('genesys', 'recording', 'R', '2016-01-15T10:00:00.000Z', { links: [ref('genesys', 'conversation', 'C')] }),
    ];
    const w: World = {
      records,
      requests: [],
      bundle: bundle({ retention: [retention('rec', 'genesys', 'recording', 'P1Y')], holds: [hold('s', { identifiers: ['email:s@example.test'] })] }),
    };
    const [a, b] = await plans(w, 1);
    expect(b).toBe(a);
    expect(JSON.parse(a).protected.map((p: { target: { id: string } }) => p.target.id)).toEqual(['R']);
  });
});
