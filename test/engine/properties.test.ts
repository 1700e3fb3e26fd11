/** Safety, determinism and completeness of buildPlan over generated worlds (DESIGN §8). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalFile } from '../../engine/canonical.ts';
import { addDuration } from '../../engine/duration.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { MUTATING_OPS, type Plan } from '../../engine/plan/types.ts';
import { refKey, type LetheRecord } from '../../engine/records.ts';
import { worldArb, type World } from './arbitraries.ts';
import { KEY, NOW } from './fixtures.ts';
import { consentOf, consentSubjects, heldKeys, linkClosure } from './oracle.ts';

const RUNS = 1000;
const nowMs = Date.parse(NOW);
const mutating = new Set<string>(MUTATING_OPS);

const plan = (w: World): Promise<Plan> =>
  buildPlan({ bundle: w.bundle, records: w.records, requests: w.requests, now: NOW, hmacKey: KEY, snapshotHash: 'sha256:x' });

describe('plan properties', () => {
  it('(1) no held record is the target of a mutating action; consented records are never touched by a consent rule', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (w) => {
        const p = await plan(w);
        const held = heldKeys(w.records, w.bundle, nowMs);
        const byKey = new Map(w.records.map((r) => [refKey(r), r]));
        const subjects = consentSubjects(w.records);
        for (const a of p.actions) {
          if (!mutating.has(a.op)) continue;
          expect(held.has(refKey(a.target)), `held ${refKey(a.target)} in ${a.op}`).toBe(false);
          if (a.basis.rule === 'consent-withdrawal') {
            const r = byKey.get(refKey(a.target))!;
            const purpose = String(a.basis.purpose);
            expect(r.identifiers.some((i) => consentOf(w.records, i, purpose, nowMs, subjects) === 'granted')).toBe(false);
            expect(r.identifiers.some((i) => consentOf(w.records, i, purpose, nowMs, subjects) === 'withdrawn')).toBe(true);
          }
          if (a.op === 'gdpr-request') {
            // none of the subject's Genesys records may be held
            const req = w.requests.find((q) => q.metadata.name === a.request)!;
            const start = new Set(w.records.filter((r) => r.identifiers.some((i) => req.spec.identifiers.includes(i))).map(refKey));
            for (const k of linkClosure(w.records, start)) if (k.startsWith('genesys/')) expect(held.has(k)).toBe(false);
          }
        }
        expect(canonicalFile(p)).not.toMatch(/example\.test|\+1555/);
      }),
      { numRuns: RUNS },
    );
  });

  it('(2) shuffling records, policy documents and requests gives a byte-identical plan', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, fc.integer(), async (w, seed) => {
        const shuffle = <T>(xs: readonly T[]): T[] => {
          const out = [...xs];
          let s = seed >>> 0;
          for (let i = out.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) >>> 0;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        const b = w.bundle;
        const shuffled: World = {
          records: shuffle(w.records),
          requests: shuffle(w.requests),
          bundle: { ...b, retention: shuffle(b.retention), holds: shuffle(b.holds), consent: shuffle(b.consent), erasure: shuffle(b.erasure) },
        };
        expect(canonicalFile(await plan(shuffled))).toBe(canonicalFile(await plan(w)));
      }),
      { numRuns: RUNS },
    );
  });

  it('(3) completeness: every due record and every erasure target is acted on or protected with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (w) => {
        const p = await plan(w);
        const acted = new Set(p.actions.map((a) => `${refKey(a.target)}|${a.basis.rule}|${a.request ?? ''}`));
        const kept = new Set(p.protected.map((x) => `${refKey(x.target)}|${x.policy.kind}|${x.request ?? ''}`));
        for (const r of w.records) {
          const matching = w.bundle.retention.filter(
            (pol) =>
              pol.spec.appliesTo.system === r.system &&
              pol.spec.appliesTo.type === r.type &&
              (!pol.spec.when || r.fields.recorded === true),
          );
          if (matching.length === 0) continue;
          const due = matching.every((pol) => Date.parse(addDuration(r.createdAt, pol.spec.retainFor)) <= nowMs);
          if (due) expect(acted.has(`${refKey(r)}|retention|`) || kept.has(`${refKey(r)}|RetentionPolicy|`), refKey(r)).toBe(true);
          else expect(acted.has(`${refKey(r)}|retention|`)).toBe(false);
        }
        const inScope = new Set(['genesys/external-contact', 'genesys/conversation', 'genesys/recording', 'salesforce/contact', 'salesforce/task']);
        for (const req of w.requests) {
          const id = req.metadata.name;
          const state = p.requests.find((x) => x.id === id)!.state;
          if (!req.spec.verification) {
            expect(state).toBe('UNVERIFIED');
            expect(p.actions.some((a) => a.request === id)).toBe(false);
            continue;
          }
          const email = req.spec.identifiers.find((i) => i.startsWith('email:'));
          if (!email) continue;
          const start = new Set(w.records.filter((r: LetheRecord) => r.identifiers.includes(email)).map(refKey));
          const native = p.actions.some((a) => a.request === id && a.op === 'gdpr-request');
          for (const k of linkClosure(w.records, start)) {
            if (!inScope.has(k.split('/').slice(0, 2).join('/'))) continue;
            const ok =
              acted.has(`${k}|erasure|${id}`) ||
              kept.has(`${k}|ErasurePolicy|${id}`) ||
              (native && k.startsWith('genesys/external-contact/'));
            expect(ok, `${id}: ${k}`).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('consent per person', () => {
  it('(4) a purge target is purged exactly when none of its subjects is granted and one withdrew (unless held)', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, async (w) => {
        const p = await plan(w);
        const held = heldKeys(w.records, w.bundle, nowMs);
        const subjects = consentSubjects(w.records);
        const purged = new Set(p.actions.filter((a) => a.basis.rule === 'consent-withdrawal').map((a) => refKey(a.target)));
        for (const r of w.records) {
          if (r.type !== 'task' || r.fields.kind !== 'campaign') continue;
          const states = r.identifiers.map((i) => consentOf(w.records, i, 'marketing', nowMs, subjects));
          const expected = !states.includes('granted') && states.includes('withdrawn') && !held.has(refKey(r));
          expect(purged.has(refKey(r)), refKey(r)).toBe(expected);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
