/**
 * Incremental snapshots fail closed (issue 17): an expired cursor falls back to a full read and says
 * so; a feed that fails midway, a job that FAILS or EXPIRES, a 429 storm, partial pages, an altered
 * delta or a store that lists a delta twice end in a complete snapshot or in a clear error that
 * leaves the store and the view exactly as they were — never a shorter list.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../../runner/take-snapshot.ts';
import { incrementalSnapshot } from '../../runner/snapshot-store/run.ts';
import { runSnapshot } from '../../runner/cli/commands/snapshot.ts';
import { applyChange, startOrg, tmp, view, type Org } from './org.ts';

const MIN = 60_000;
const DAY = 86_400_000;
let org: Org | undefined;
afterEach(async () => {
  await org?.stop();
  org = undefined;
});

async function fullView(o: Org, dir: string): Promise<{ hash: string; lines: string[] }> {
  await takeSnapshot(o.connectors(), dir, { createdAt: new Date(o.clock.t).toISOString() });
  return view(dir);
}

function storeFiles(d: string): string {
  return readFileSync(join(d, 'store', 'store.json'), 'utf8');
}

describe('incremental snapshot faults', () => {
  it('a Salesforce cursor older than the 15-day delete log falls back to a full read and says so', async () => {
    org = await startOrg(6);
    const d = tmp();
    const run = () => incrementalSnapshot(org!.connectors(), { store: join(d, 'store'), out: join(d, 'view') });
    await run();
    applyChange(org, { kind: 'sf-hard-delete', n: 1 }, []);
    org.tick(16 * DAY);
    const r = await run();
    expect(r.mode).toEqual({ genesys: 'delta', salesforce: 'full' });
    expect(r.notes.join('\n')).toMatch(/older than the 15-day delete log: full read/);
    expect(r.compacted).toBe(true);
    const full = await fullView(org, join(d, 'full'));
    const got = await view(join(d, 'view'));
    expect(got.hash).toBe(full.hash);
    // The next run is incremental again.
    org.tick(3 * MIN);
    expect((await run()).mode).toEqual({ genesys: 'delta', salesforce: 'delta' });
  });

  it('a feed that fails midway writes nothing: store.json and the view are unchanged, and the next run catches up', async () => {
    org = await startOrg(6);
    const d = tmp();
    const run = () => incrementalSnapshot(org!.connectors(), { store: join(d, 'store'), out: join(d, 'view') });
    await run();
    const before = { state: storeFiles(d), view: await view(join(d, 'view')) };
    applyChange(org, { kind: 'sf-insert', n: 2 }, []);
    applyChange(org, { kind: 'gc-conversation', n: 1 }, []);
    org.tick(3 * MIN);
    org.sf.faults.set({ serverError: 1 });
    await expect(run()).rejects.toThrow(/Salesforce/);
    expect(storeFiles(d)).toBe(before.state);
    expect(await view(join(d, 'view'))).toEqual(before.view);
    org.sf.faults.set({});
    await run();
    expect((await view(join(d, 'view'))).hash).toBe((await fullView(org, join(d, 'full'))).hash);
  });

  it('a 429 storm and partial pages: the complete view, or an error that changes nothing', async () => {
    for (const seed of [3, 4, 5]) {
      org = await startOrg(8);
      const d = tmp();
      const run = () => incrementalSnapshot(org!.connectors(), { store: join(d, 'store'), out: join(d, 'view') });
      await run();
      const before = { state: storeFiles(d), view: await view(join(d, 'view')) };
      for (let i = 0; i < 4; i++) applyChange(org, { kind: i % 2 ? 'gc-conversation' : 'sf-update', n: i }, []);
      org.tick(3 * MIN);
      org.gc.faults.set({ seed, rate429Rate: 0.3, partialPageRate: 0.2 });
      org.sf.faults.set({ seed, partialPage: 0.2 });
      const ok = await run().then(
        () => true,
        (e: Error) => {
          expect(e.message).toMatch(/incomplete|partial|failed/i);
          return false;
        },
      );
      org.gc.faults.set({});
      org.sf.faults.set({});
      expect(org.gc.faults.injected['429'] + org.gc.faults.injected.partial).toBeGreaterThan(0);
      if (ok) expect((await view(join(d, 'view'))).hash).toBe((await fullView(org, join(d, 'full'))).hash);
      else {
        expect(storeFiles(d)).toBe(before.state);
        expect(await view(join(d, 'view'))).toEqual(before.view);
      }
      await org.stop();
      org = undefined;
    }
  });

  it('an analytics job that FAILS or EXPIRES during the first full read: complete or an error that writes nothing', async () => {
    for (const fate of ['FAILED', 'EXPIRED'] as const) {
      org = await startOrg(6);
      const d = tmp();
      org.gc.store.analyticsJobFaults.push(fate, fate, fate, fate, fate, fate);
      const outcome = await incrementalSnapshot(org.connectors(), { store: join(d, 'store'), out: join(d, 'view') }).then(
        () => 'written',
        (e: Error) => e.message,
      );
      if (outcome === 'written') {
        org.gc.store.analyticsJobFaults.length = 0;
        expect((await view(join(d, 'view'))).hash).toBe((await fullView(org, join(d, 'full'))).hash);
      } else {
        expect(outcome).toMatch(/job|analytics/i);
        expect(() => readFileSync(join(d, 'store', 'store.json'))).toThrow();
        expect(() => readFileSync(join(d, 'view', 'meta.json'))).toThrow();
      }
      await org.stop();
      org = undefined;
    }
  });

  it('an altered delta and a delta listed twice are clear errors that change nothing', async () => {
    org = await startOrg(6);
    const d = tmp();
    const run = () => incrementalSnapshot(org!.connectors(), { store: join(d, 'store'), out: join(d, 'view'), compactAfter: 10 });
    await run();
    applyChange(org, { kind: 'sf-insert', n: 1 }, []);
    org.tick(3 * MIN);
    await run();
    const state = JSON.parse(storeFiles(d)) as { deltas: Array<{ file: string; seq: number }>; nextSeq: number };
    expect(state.deltas).toHaveLength(1);
    const deltaPath = join(d, 'store', state.deltas[0]!.file);
    const original = readFileSync(deltaPath, 'utf8');
    const viewBefore = await view(join(d, 'view'));
    writeFileSync(deltaPath, original.split('\n').slice(1).join('\n'));
    org.tick(3 * MIN);
    await expect(run()).rejects.toThrow(/SHA-256 differs/);
    expect(await view(join(d, 'view'))).toEqual(viewBefore);
    writeFileSync(deltaPath, original);
    const twice = { ...state, deltas: [state.deltas[0], state.deltas[0]] };
    writeFileSync(join(d, 'store', 'store.json'), JSON.stringify(twice));
    await expect(run()).rejects.toThrow(/listed twice or out of order/);
    expect(await view(join(d, 'view'))).toEqual(viewBefore);
  });

  it('the CLI says which systems were read incrementally and refuses a bad --compact-after', async () => {
    org = await startOrg(4);
    const d = tmp();
    const cfg = join(d, 'lethe.yaml');
    const { stringify } = await import('yaml');
    writeFileSync(cfg, stringify({
      apiVersion: 'lethe.dev/v1', kind: 'RunnerConfig', metadata: { name: 't', version: '1.0.0', owner: 't', description: 't' },
      spec: { connectors: { salesforce: { loginUrl: org.sf.url, apiVersion: '60.0', flow: 'client_credentials', clientId: { env: 'SF_ID' }, clientSecret: { env: 'SF_SECRET' } } } },
    }));
    const env = { SF_ID: 'lethe-client', SF_SECRET: 'lethe-secret' };
    let text = '';
    const io = { env, out: { write: (s: string) => (text += s) }, progress: { isTTY: false, write: () => true } };
    await runSnapshot({ config: cfg, out: join(d, 'view'), store: join(d, 'store') }, io);
    expect(text).toMatch(/salesforce: full read/);
    text = '';
    await runSnapshot({ config: cfg, out: join(d, 'view'), store: join(d, 'store') }, io);
    expect(text).toMatch(/salesforce: incremental/);
    await expect(runSnapshot({ config: cfg, out: join(d, 'view'), store: join(d, 'store'), compactAfter: 'x' }, io)).rejects.toThrow(/--compact-after must be a positive integer/);
    await expect(runSnapshot({ config: cfg, out: join(d, 'view2'), full: true }, io)).rejects.toThrow(/need --store/);
    await expect(runSnapshot({ config: cfg, out: join(d, 'store'), store: join(d, 'store') }, io)).rejects.toThrow(/not a snapshot/);
  });
});
