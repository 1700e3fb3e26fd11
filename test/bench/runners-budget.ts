/**
 * Part of `npm run bench -- runners`: utilisation of one shared Genesys rate budget (PostgreSQL)
 * by 1, 2 and 3 runners. The emulator limits the OAuth client to RATE a minute (bucket EMU_BURST,
 * whatever tokens the client holds); each runner (its own pool, budget and HTTP client, 4 requests
 * in flight) sends cheap GETs for a fixed wall time. Utilisation = requests the emulator admitted
 * / what its bucket allows in that time (rate · t + burst); 429s are counted. Round trips per
 * acquire = budget statements / requests.
 */
import { startGenesysEmulator } from '../../connectors/genesys/emulator/index.ts';
import { GenesysHttp } from '../../connectors/genesys/http.ts';
import { pgRateBudget } from '../../runner/state/postgres/budget.ts';
import { createPool } from '../../runner/state/postgres/store.ts';
import type { BenchResult } from './types.ts';

const RATE = 3000;
const EMU_BURST = 20;
const RUNNER_BURST = 12;

export async function budgetUtilisation(url: string, quick: boolean): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const seconds = quick ? 3 : 8;
  for (const runners of [1, 2, 3]) {
    const emu = await startGenesysEmulator({ ratePerMinute: RATE, rateBurst: EMU_BURST, rateScope: 'client' });
    const pools = Array.from({ length: runners }, () => createPool(url));
    const trace = { statements: 0, dropped: 0, slots: [] as number[] };
    try {
      const budgets = pools.map((p) => pgRateBudget(p, 'bench', { trace }));
      const clients = budgets.map((budget) => new GenesysHttp({ apiUrl: emu.url, loginUrl: emu.url, clientId: 'lethe-client', clientSecret: 'lethe-secret', rateLimitPerMinute: RATE, rateBurst: RUNNER_BURST, concurrency: 4, budget }));
      await Promise.all(clients.map((c) => c.request('GET', '/api/v2/analytics/conversations/details/jobs/availability')));
      await new Promise((r) => setTimeout(r, 1000)); // the emulator's bucket refills
      emu.resetStats();
      const before = trace.statements;
      const t0 = performance.now();
      const end = t0 + seconds * 1000;
      await Promise.all(
        clients.flatMap((c) =>
          Array.from({ length: 4 }, async () => {
            while (performance.now() < end) await c.request('GET', '/api/v2/analytics/conversations/details/jobs/availability');
          }),
        ),
      );
      const elapsed = (performance.now() - t0) / 1000;
      const s = emu.stats();
      const admitted = s.requests - s.throttled;
      const allowed = (RATE / 60) * elapsed + EMU_BURST;
      out.push({
        name: `shared Genesys budget, ${runners} runner${runners > 1 ? 's' : ''}`,
        value: (100 * admitted) / allowed,
        unit: '% of the limit',
        target: '≥ 90%, no 429',
        note: `${admitted} requests in ${elapsed.toFixed(1)} s at ${RATE}/min (bucket ${EMU_BURST}, runners' ${RUNNER_BURST}); 429s: ${s.throttled}; ${((trace.statements - before) / Math.max(1, admitted)).toFixed(2)} round trips per acquire; ${trace.dropped} tokens dropped unused`,
      });
      await Promise.all(budgets.map((b) => b.close()));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await emu.stop();
    }
  }
  return out;
}
