/**
 * `npm run bench -- runners`: several runners on PostgreSQL (issue 19).
 * - Throughput of 1, 2 and 3 runners sharing one plan (each runner its own store and connections,
 *   batches claimed with SKIP LOCKED, intents and outcomes journalled), the work per batch being
 *   a fixed wait standing for the systems' latency (no rate limit), as a ratio to one runner.
 * - The journal's cost per action: PostgreSQL versus files (intent + outcome, batches of 100).
 * - Utilisation of one shared Genesys rate budget by 1, 2 and 3 runners (runners-budget.ts).
 * Needs PostgreSQL 15 binaries (test/state/pg-server.ts starts a throwaway server).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileState } from '../../runner/state/index.ts';
import { forEachClaimed } from '../../runner/state/share.ts';
import { migrate } from '../../runner/state/postgres/migrations.ts';
import { createPool, postgresState } from '../../runner/state/postgres/store.ts';
import type { StateStore } from '../../runner/state/types.ts';
import { postgresAvailable, startPostgres } from '../state/pg-server.ts';
import type { Bench, BenchResult } from './types.ts';
import { budgetUtilisation } from './runners-budget.ts';

const hash = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

async function journalCost(store: StateStore, plan: string, actions: number): Promise<number> {
  const j = await store.openJournal(plan);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < actions; i += 100) {
    const batch = Array.from({ length: Math.min(100, actions - i) }, (_, k) => ({ action: `a${i + k}`, op: 'delete', target: { system: 'genesys', type: 'recording', id: `c:${i + k}` } }));
    await j.recordIntents(batch);
    await j.recordOutcomes(batch.map((b) => ({ action: b.action, status: 'done' as const })));
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await j.close();
  return ms / actions;
}

async function sharedRun(url: string, plan: string, runners: number, batches: number, perBatch: number, workMs: number): Promise<number> {
  const stores = await Promise.all(Array.from({ length: runners }, () => postgresState({ url })));
  const all = Array.from({ length: batches }, (_, b) => ({ system: 'genesys', op: 'delete', type: 'recording', actions: Array.from({ length: perBatch }, (_, k) => ({ id: `b${b}a${k}` })) }));
  const t0 = process.hrtime.bigint();
  await Promise.all(
    stores.map(async (s) => {
      const j = await s.openJournal(plan, { shared: true });
      await forEachClaimed(j, all, async (b) => {
        await j.recordIntents(b.actions.map((a) => ({ action: a.id })));
        await new Promise((r) => setTimeout(r, workMs));
        await j.recordOutcomes(b.actions.map((a) => ({ action: a.id, status: 'done' as const })));
      });
      await j.close();
    }),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await Promise.all(stores.map((s) => s.close()));
  return (batches * perBatch) / (ms / 1000);
}

export const bench: Bench = async ({ quick }) => {
  if (!postgresAvailable()) return [{ name: 'runners', value: 0, unit: '', note: 'skipped: PostgreSQL 15 binaries missing' }];
  const server = await startPostgres();
  const dir = await mkdtemp(join(tmpdir(), 'lethe-bench-runners-'));
  const out: BenchResult[] = [];
  try {
    const pool = createPool(server.url);
    await migrate(pool);
    await pool.end();
    const actions = quick ? 500 : 5000;
    const file = await journalCost(fileState(dir), hash(1), actions);
    const pgStore = await postgresState({ url: server.url });
    const pgc = await journalCost(pgStore, hash(2), actions);
    await pgStore.close();
    out.push({ name: 'journal per action: PostgreSQL', value: pgc, unit: 'ms', baseline: { name: 'files', value: file }, ratio: pgc / file, note: `intent + outcome, batches of 100, ${actions} actions` });
    const batches = quick ? 24 : 90;
    const one = await sharedRun(server.url, hash(10), 1, batches, 50, 20);
    out.push({ name: 'shared plan, 1 runner', value: one, unit: 'actions/s', note: `${batches} batches of 50, 20 ms of system latency per batch` });
    for (const n of [2, 3]) {
      const t = await sharedRun(server.url, hash(10 + n), n, batches, 50, 20);
      out.push({ name: `shared plan, ${n} runners`, value: t, unit: 'actions/s', baseline: { name: '1 runner', value: one }, ratio: t / one, target: `→ ${n}×` });
    }
    out.push(...(await budgetUtilisation(server.url, quick)));
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
};
