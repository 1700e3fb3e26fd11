/**
 * Deletion protection coverage (issue 17): a snapshot reads protection only for conversations that
 * started within `margin` of a retention age, records that coverage in meta.json, and `lethe plan`
 * marks every Genesys action outside it "checked at apply" and counts them. Against the emulator
 * over real HTTP; bounded by counts.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { coverageConfigProblem, covers, decodeRanges, encodeRanges, protectionRanges } from '../../../connectors/genesys/coverage.ts';
import { markOutsideCoverage } from '../../../engine/plan/coverage.ts';
import { entryOf, completeAction } from '../../../engine/plan/collect.ts';
import { runPlan } from '../../../runner/cli/commands/plan.ts';
import { takeSnapshot } from '../../../runner/take-snapshot.ts';
import { collect, startRig, WORLD_NOW, type Rig } from './fixtures.ts';
import { HANG_GUARD_MS } from '../../hang-guard.ts';
import { incrementalSnapshot } from '../../../runner/snapshot-store/run.ts';
import { MIN, startOrg } from '../../snapshot-store/org.ts';

process.env.LETHE_HMAC_KEY ??= 'c3'.repeat(32);
process.env.LETHE_PLAN_KEY ??= 'd4'.repeat(32);
const ROOT = new URL('../../../', import.meta.url).pathname;
const COVERAGE = { ages: ['P80D'], margin: 'P10D' };
const dirs: string[] = [];
const rigs: Rig[] = [];
afterAll(async () => {
  for (const r of rigs) await r.emu.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'lethe-coverage-'));
  dirs.push(d);
  return d;
};
const PROTECTION = 'POST /api/v2/recordings/deletionprotection';

describe('protection ranges', () => {
  it('are the bands around each age (margin before it, fullReadEveryDays + 1 day after it), merged, and survive the cursor', () => {
    const r = protectionRanges({ ages: ['P1Y', 'P30D', 'P40D'], margin: 'P10D' }, '2024-04-01T00:00:00.000Z', 7);
    expect(r).toEqual([
      ['2023-03-22T00:00:00.000Z', '2023-04-09T00:00:00.000Z'],
      ['2024-02-11T00:00:00.000Z', '2024-03-10T00:00:00.000Z'],
    ]);
    expect(covers(r, '2024-02-11T00:00:00.000Z')).toBe(true);
    expect(covers(r, '2024-03-09T23:59:59.999Z')).toBe(true);
    expect(covers(r, '2024-03-10T00:00:00.000Z')).toBe(false);
    // The younger side follows the full-read interval, the older side the margin alone.
    expect(protectionRanges({ ages: ['P1Y'], margin: 'P10D' }, '2024-04-01T00:00:00.000Z', 13)).toEqual([['2023-03-22T00:00:00.000Z', '2023-04-15T00:00:00.000Z']]);
    expect(protectionRanges({ ages: ['P1Y'], margin: 'P2D' }, '2024-04-01T00:00:00.000Z', 7)).toEqual([['2023-03-30T00:00:00.000Z', '2023-04-09T00:00:00.000Z']]);
    expect(covers(null, '1999-01-01T00:00:00.000Z')).toBe(true);
    expect(decodeRanges(encodeRanges(r))).toEqual(r);
    expect(decodeRanges(encodeRanges(null))).toBeNull();
    expect(decodeRanges('2024-01-01/nonsense')).toBeUndefined();
  });

  it('refuses ages that are not durations and a margin that is not a positive duration', () => {
    expect(coverageConfigProblem({ ages: ['P2Y'], margin: 'P0D' })).toMatch(/margin must be a positive ISO 8601 duration/);
    expect(coverageConfigProblem({ ages: ['P2Y'], margin: '45 days' })).toMatch(/margin must be a positive ISO 8601 duration/);
    expect(coverageConfigProblem({ ages: ['2 years'], margin: 'P30D' })).toMatch(/not an ISO 8601 duration/);
    expect(coverageConfigProblem({ ages: [], margin: 'P30D' })).toMatch(/ages must list at least one/);
    // A nightly apply needs only a short older side: the younger side is fixed by fullReadEveryDays.
    expect(coverageConfigProblem({ ages: ['P2Y'], margin: 'P2D' })).toBeNull();
  });

  it('marks only mutating actions outside the coverage, with a note and basis.holdCheck', () => {
    const mk = (id: string, op: 'delete' | 'protect') =>
      entryOf(completeAction({ op, target: { system: 'genesys', type: 'recording', id }, policy: { kind: 'RetentionPolicy', name: 'p', version: '1.0.0' }, reason: 'due', basis: { rule: 'retention' } }));
    const entries = [mk('in:1', 'delete'), mk('out:1', 'delete'), mk('out:2', 'protect')];
    const { entries: got, counts } = markOutsideCoverage(entries, { outside: (t) => t.id.startsWith('out') });
    expect(counts).toEqual({ genesys: 1 });
    expect(got[0]).toBe(entries[0]);
    expect(got[1]!.actionId).toBe(entries[1]!.actionId);
    expect(got[1]!.action!.basis.holdCheck).toBe('at-apply');
    expect(got[1]!.action!.reason).toMatch(/checked at apply/);
    expect(got[2]).toBe(entries[2]);
  });
});

describe('a snapshot with partial protection coverage', () => {
  it('reads protection only inside the coverage, says so in meta.json, and the plan marks the rest', async () => {
    const all = await startRig(80, {}, { jobResultsPageSize: 10 });
    const part = await startRig(80, {}, { jobResultsPageSize: 10, protectionCoverage: COVERAGE });
    rigs.push(all, part);
    const ranges = protectionRanges(COVERAGE, WORLD_NOW, 7)!;
    const start = new Map(all.seed.conversations.map((c) => [c.conversationId, c.conversationStart]));
    const protectedIds = [...all.emu.store.protectedConversations].sort();
    const inside = protectedIds.filter((id) => covers(ranges, start.get(id)!));
    // The world has protected conversations on both sides of the coverage.
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.length).toBeLessThan(protectedIds.length);

    const holdsAll = (await collect(all.connector.stream('legal-hold'))).map((r) => r.id).sort();
    const holdsPart = (await collect(part.connector.stream('legal-hold'))).map((r) => r.id).sort();
    expect(holdsAll).toEqual(protectedIds);
    expect(holdsPart).toEqual(inside);
    const calls = (r: Rig): number => r.emu.stats().byRoute[PROTECTION] ?? 0;
    expect(calls(part)).toBeLessThan(calls(all));

    const d = tmp();
    await takeSnapshot([part.connector], join(d, 'snap'), { createdAt: WORLD_NOW });
    const meta = JSON.parse(readFileSync(join(d, 'snap', 'meta.json'), 'utf8'));
    expect(meta.coverage.genesys['legal-hold'].conversationStarted).toEqual(ranges);

    // Seven and a half years on, every audio recording of the world is due (voice-recordings-7y).
    const plan = await runPlan({ policies: join(ROOT, 'policies'), snapshot: join(d, 'snap'), now: '2031-10-01T00:00:00.000Z', format: 'json', insecureDemoKey: true });
    const recordings = plan.actions.filter((a) => a.target.type === 'recording' && a.op === 'delete');
    expect(recordings.length).toBeGreaterThan(0);
    const conversationOf = (id: string): string => id.slice(0, id.indexOf(':'));
    let outside = 0;
    for (const a of recordings) {
      const covered = covers(ranges, start.get(conversationOf(a.target.id))!);
      expect(a.basis.holdCheck).toBe(covered ? undefined : 'at-apply');
      if (!covered) {
        outside++;
        expect(a.reason).toMatch(/deletion protection .* checked at apply/);
      }
    }
    expect(outside).toBeGreaterThan(0);
    expect(plan.summary.holdsCheckedAtApply?.genesys).toBe(plan.actions.filter((a) => a.basis.holdCheck === 'at-apply').length);
    // Protected conversations inside the coverage are protected at plan time; none is a target.
    const targeted = new Set(plan.actions.map((a) => conversationOf(a.target.id)));
    for (const id of inside) expect(targeted.has(id)).toBe(false);
  }, HANG_GUARD_MS);
});

describe('protectionCoverage in the runner config', () => {
  it('a margin that is not a positive duration is a config error naming the key, not a crash', async () => {
    const { connectorsFromConfig } = await import('../../../runner/connections.ts');
    const { UserError } = await import('../../../runner/cli/errors.ts');
    const genesys = { apiUrl: 'http://127.0.0.1:9', loginUrl: 'http://127.0.0.1:9', clientId: { env: 'GC_ID' }, clientSecret: { env: 'GC_SECRET' }, protectionCoverage: { ages: ['P2Y'], margin: 'P0D' } };
    const config = { apiVersion: 'lethe.dev/v1', kind: 'RunnerConfig', metadata: { name: 'x' }, spec: { connectors: { genesys } } } as unknown as Parameters<typeof connectorsFromConfig>[0];
    let err: unknown;
    try {
      connectorsFromConfig(config, { GC_ID: 'a', GC_SECRET: 'b' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/spec\.connectors\.genesys: protectionCoverage\.margin must be a positive ISO 8601 duration/);
  });
});

describe('the coverage across incremental runs', () => {
  it('is fixed at the full read; a new fullReadEveryDays (the younger side of the bands) or margin forces a full read', async () => {
    const genesys: { protectionCoverage: { ages: string[]; margin: string }; fullReadEveryDays: number } = { protectionCoverage: { ages: ['P80D'], margin: 'P10D' }, fullReadEveryDays: 7 };
    const org = await startOrg(4, genesys);
    const d = tmp();
    const run = () => incrementalSnapshot(org.connectors(), { store: join(d, 'store'), out: join(d, 'view') });
    try {
      const first = await run();
      expect(first.mode.genesys).toBe('full');
      const covered = (): unknown => JSON.parse(readFileSync(join(d, 'view', 'meta.json'), 'utf8')).coverage.genesys['legal-hold'].conversationStarted;
      const atFull = covered();
      expect(atFull).toEqual(protectionRanges(genesys.protectionCoverage, new Date(org.clock.t).toISOString(), 7));
      org.tick(3 * MIN);
      expect((await run()).mode.genesys).toBe('delta');
      expect(covered()).toEqual(atFull);
      genesys.fullReadEveryDays = 14;
      org.tick(3 * MIN);
      const r = await run();
      expect(r.mode.genesys).toBe('full');
      expect(r.notes.join('\n')).toMatch(/protectionCoverage\) changed: full read/);
      expect(covered()).toEqual(protectionRanges(genesys.protectionCoverage, new Date(org.clock.t).toISOString(), 14));
      genesys.protectionCoverage = { ...genesys.protectionCoverage, margin: 'P20D' };
      org.tick(3 * MIN);
      expect((await run()).mode.genesys).toBe('full');
    } finally {
      await org.stop();
    }
  }, HANG_GUARD_MS);
});
