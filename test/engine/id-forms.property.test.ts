/**
 * One identity for every record id, as a property: any mix of id forms — Salesforce 15 or 18
 * characters (suffix in either case), Genesys ids in lower or upper case, braced or as urn:uuid —
 * in the snapshot's records, links and identifiers, in hold records and in LegalHold documents
 * (through the loader) gives the byte-identical plan; also through snapshot files read in one
 * thread and by worker threads (the parallel reader's prefilter).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../engine/plan/build.ts';
import { canonicalFile } from '../../engine/canonical.ts';
import { toId18 } from '../../connectors/salesforce/ids.ts';
import { loadFromFiles, toBundle } from '../../engine/load/index.ts';
import type { LetheRecord, RecordRef } from '../../engine/records.ts';
import { snapshotSourceForPlan } from '../../runner/cli/commands/plan.ts';
import { KEY, NOW } from './fixtures.ts';

const OLD = '2015-01-01T00:00:00.000Z';
/** A form chooser: given an id and a choice number, one of its forms. */
type Form = (id: string, choice: number) => string;
const sfForm: Form = (id18, c) => [id18.slice(0, 15), id18, id18.slice(0, 15) + id18.slice(15).toLowerCase()][c % 3]!;
const gcForm: Form = (uuid, c) => [uuid, uuid.toUpperCase(), `{${uuid}}`, `urn:uuid:${uuid.toUpperCase()}`][c % 4]!;

const sf = (s: string) => toId18(s);
const IND = [sf('0PK00000000Xy01'), sf('0PK00000000Xy02'), sf('0PK00000000Xy03')];
const CON = [sf('003000000Ab0001'), sf('003000000Ab0002'), sf('003000000Ab0003')];
const TASK = [sf('00T000000aB0001'), sf('00T000000aB0002'), sf('00T000000aB0003')];
const HOLD = sf('a02000000000H01');
const EC = ['aaaaaaaa-0000-4000-8000-00000000000a', 'bbbbbbbb-0000-4000-8000-00000000000b'];
const CONV = ['cccccccc-0000-4000-8000-00000000000c', 'dddddddd-0000-4000-8000-00000000000d'];

/** The world with every id passed through `f` (a fresh choice per occurrence). */
function world(pick: () => number): { records: LetheRecord[]; holdYaml: string } {
  const s = (id: string) => sfForm(id, pick());
  const g = (id: string) => gcForm(id, pick());
  const r = (system: string, type: string, id: string, identifiers: string[], links: RecordRef[], fields: Record<string, unknown> = {}): LetheRecord => ({ system, type, id, createdAt: OLD, identifiers, links, fields });
  const records: LetheRecord[] = [
    ...IND.map((i) => r('salesforce', 'individual', s(i), [`sf:${s(i)}`], [])),
    ...CON.map((c, k) => r('salesforce', 'contact', s(c), [`email:p${k}@example.com`, `sf:${s(c)}`, `sf:${s(IND[k]!)}`], [{ system: 'salesforce', type: 'individual', id: s(IND[k]!) }])),
    ...TASK.map((t, k) => r('salesforce', 'task', s(t), [`sf:${s(CON[k]!)}`], [{ system: 'salesforce', type: 'contact', id: s(CON[k]!) }])),
    r('salesforce', 'legal-hold', s(HOLD), [`sf:${s(CON[1]!)}`], [{ system: 'salesforce', type: 'contact', id: s(CON[1]!) }], { caseRef: 'LIT-R', active: true, expires: '2020-01-01T00:00:00.000Z' }),
    ...EC.map((e, k) => r('genesys', 'external-contact', g(e), [`gc:${g(e)}`, `phone:+1555000000${k}`], [], { mergeSet: [] })),
    ...CONV.map((c, k) => r('genesys', 'conversation', g(c), [`gc:${g(EC[k]!)}`], [{ system: 'genesys', type: 'external-contact', id: g(EC[k]!) }])),
  ];
  const holdDoc = {
    apiVersion: 'lethe.dev/v1',
    kind: 'LegalHold',
    metadata: { name: 'h', version: '1.0.0', owner: 'legal@example.com', description: 'hold in mixed id forms' },
    spec: { reason: 'litigation', caseRef: 'LIT-D', holds: { records: [{ system: 'salesforce', type: 'contact', id: s(CON[0]!) }], identifiers: [`sf:${s(TASK[2]!)}`], conversations: [g(CONV[0]!)] } },
  };
  return { records, holdYaml: stringify(holdDoc) };
}

const retentionYaml = ['individual', 'contact', 'task'].map((t) => ({ system: 'salesforce', type: t })).concat([{ system: 'genesys', type: 'external-contact' }, { system: 'genesys', type: 'conversation' }])
  .map((a) => stringify({ apiVersion: 'lethe.dev/v1', kind: 'RetentionPolicy', metadata: { name: `${a.system}-${a.type}`, version: '1.0.0', owner: 'x@example.com', description: 'all old' }, spec: { appliesTo: a, retainFor: 'P1Y', then: 'delete' } }));

function bundleOf(holdYaml: string) {
  const files = [holdYaml, ...retentionYaml].map((text, i) => ({ path: `p${i}.yaml`, bytes: new TextEncoder().encode(text) }));
  const loaded = loadFromFiles(files, { place: 'policies' });
  expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return toBundle(loaded.documents);
}

async function planOf(w: ReturnType<typeof world>): Promise<string> {
  const plan = await buildPlan({ bundle: bundleOf(w.holdYaml), records: w.records, now: NOW, hmacKey: KEY, snapshotHash: 's', defaults: { maxPercent: 100 } });
  return canonicalFile(plan);
}

describe('id forms', () => {
  it('property: any mix of id forms in records, hold records and LegalHold documents gives the byte-identical plan', async () => {
    const canonical = await planOf(world(() => 1));
    // The plan protects what the holds name, in whatever form they named it.
    expect(canonical).toContain('"via":"identity"');
    expect(canonical).toContain('active-but-expired');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(11), { minLength: 64, maxLength: 64 }), async (choices) => {
        let i = 0;
        expect(await planOf(world(() => choices[i++ % choices.length]!))).toBe(canonical);
      }),
      { numRuns: 60 },
    );
  });

  it('through snapshot files: one thread and worker threads give the same plan for mixed forms as for canonical ones', async () => {
    const plans: string[] = [];
    let n = 0;
    for (const [pick, workers] of [[() => 1, 0], [() => n++, 0], [() => n++ * 7, 2]] as Array<[() => number, number]>) {
      const w = world(pick);
      const dir = mkdtempSync(join(tmpdir(), 'lethe-idforms-'));
      const by = new Map<string, LetheRecord[]>();
      for (const r of w.records) by.set(`${r.system}/${r.type}`, [...(by.get(`${r.system}/${r.type}`) ?? []), r]);
      for (const t of ['salesforce/consent', 'genesys/legal-hold']) by.set(t, by.get(t) ?? []);
      const counts: Record<string, Record<string, number>> = {};
      for (const [k, list] of by) {
        const [system, type] = k.split('/') as [string, string];
        mkdirSync(join(dir, system), { recursive: true });
        writeFileSync(join(dir, system, `${type}.ndjson`), list.map((r) => `${JSON.stringify(r)}\n`).join(''));
        (counts[system] ??= {})[type] = list.length;
      }
      writeFileSync(join(dir, 'meta.json'), JSON.stringify({ createdAt: NOW, source: 'test', counts }));
      const { source, close } = await snapshotSourceForPlan(dir, { workers, minSplit: 1 });
      try {
        const plan = await buildPlan({ bundle: bundleOf(w.holdYaml), records: source, now: NOW, hmacKey: KEY, snapshotHash: 's', defaults: { maxPercent: 100 } });
        plans.push(canonicalFile(plan));
      } finally {
        await close();
      }
    }
    expect(plans[1]).toBe(plans[0]);
    expect(plans[2]).toBe(plans[0]);
  });
});
