/**
 * Withdrawal propagation to a destination's purge endpoint (a real HTTP server on 127.0.0.1) that
 * fails twice, then acknowledges: retried with backoff, the acknowledgement recorded, every send and
 * the acknowledgement in the (verifiable) audit log; an endpoint that never acknowledges is listed
 * overdue past its SLA.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../runner/audit/index.ts';
import { runDsrReport } from '../../runner/cli/commands/report-dsr.ts';
import { overduePurgesFromFile } from '../../runner/serve/purge.ts';
import type { RunningServe } from '../../runner/serve/server.ts';
import { consent, contact, metricsText, NOW, post, PUSH_TOKEN, serveConfig, startTest, writeSnapshot } from './helpers.ts';

const ANN = ['email:ann@example.com', 'sf:003000000000001AAA'];

async function destination(failFirst: number): Promise<{ server: Server; url: string; bodies: Array<Record<string, unknown>>; headers: Array<Record<string, unknown>> }> {
  const bodies: Array<Record<string, unknown>> = [];
  const headers: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      headers.push(req.headers);
      res.writeHead(bodies.length <= failFirst ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/purge`, bodies, headers };
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('purge propagation', () => {
  it('sends a keyed-hash purge, retries twice, records the acknowledgement and audits every send', async () => {
    const dest = await destination(2);
    cleanup.push(() => new Promise((r) => dest.server.close(r)));
    const config = serveConfig({ destinations: { 'crm-sync': { purgeUrl: dest.url, token: { env: 'PURGE_TOKEN' } } } });
    const s: RunningServe = await startTest({ snapshot: await writeSnapshot([consent('a01000000000001AAA', ANN, 'marketing', 'granted', '2025-01-01T00:00:00.000Z')], [contact('003000000000001AAA', ANN)], NOW), config, env: { PURGE_TOKEN: 'dest-secret' }, purgeBackoffMs: 1 });
    cleanup.push(() => s.close());
    const r = await post(`${s.url}/v1/consent/events`, { email: 'ann@example.com', purpose: 'marketing', status: 'withdrawn', at: '2026-05-01T00:00:00Z' }, PUSH_TOKEN);
    expect(r.json.purges).toBe(1);
    await s.purges!.idle();
    expect(dest.bodies.length).toBe(3);
    const body = dest.bodies[0]!;
    expect(body).toMatchObject({ destination: 'crm-sync', purpose: 'marketing', policy: { name: 'marketing-consent', version: '1.0.0' }, withdrawnAt: '2026-05-01T00:00:00.000Z', identifiers: [] });
    expect(body.subject).toMatch(/^hmac:[0-9a-f]{32}$/);
    expect(JSON.stringify(dest.bodies)).not.toContain('ann@example.com');
    expect(new Set(dest.bodies.map((b) => b.purgeId)).size).toBe(1);
    expect(dest.headers[0]!.authorization).toBe('Bearer dest-secret');
    expect(dest.headers[0]!['idempotency-key']).toBe(body.purgeId);
    expect(s.purges!.pending()).toEqual([]);
    expect(s.purges!.list()[0]).toMatchObject({ attempts: 3, acknowledgedAt: NOW });

    // A second event for the same withdrawal queues nothing new.
    expect((await post(`${s.url}/v1/consent/events`, { email: 'ann@example.com', purpose: 'marketing', status: 'withdrawn', at: '2026-05-01T00:00:00Z' }, PUSH_TOKEN)).json.purges).toBe(0);
    await s.close();
    const stateDir = s.stateDir;
    const audit = (await readFile(join(stateDir, 'serve-audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; subject: string[]; data: { status: number } });
    expect(audit.map((e) => `${e.type}:${e.data.status}`)).toEqual(['purge.sent:503', 'purge.sent:503', 'purge.sent:200', 'purge.acknowledged:200']);
    expect(audit[0]!.subject[0]).toMatch(/^hmac:/);
    expect((await verifyAuditLog(join(stateDir, 'serve-audit.jsonl'))).ok).toBe(true);
    expect(await overduePurgesFromFile(join(stateDir, 'purges.jsonl'), () => 0, Date.parse(NOW) + 1)).toEqual([]);
  });

  it('an endpoint that never acknowledges is overdue past its SLA (metric and state file)', async () => {
    const dest = await destination(1_000);
    cleanup.push(() => new Promise((r) => dest.server.close(r)));
    let t = Date.parse(NOW);
    const config = serveConfig({ purgeRetries: 1, destinations: { 'crm-sync': { purgeUrl: dest.url, sla: 'PT24H' } } });
    const s = await startTest({ snapshot: await writeSnapshot([consent('a01000000000001AAA', ANN, 'marketing', 'granted', '2025-01-01T00:00:00.000Z')], [], NOW), config, clock: () => t, purgeBackoffMs: 1 });
    cleanup.push(() => s.close());
    await post(`${s.url}/v1/consent/events`, { salesforceId: '003000000000001AAA', purpose: 'marketing', status: 'withdrawn' }, PUSH_TOKEN);
    await s.purges!.idle();
    expect(dest.bodies.length).toBe(2);
    expect(s.purges!.overdue()).toEqual([]);
    t += 24 * 3600_000 + 1;
    expect(s.purges!.overdue().length).toBe(1);
    expect(await metricsText(s.url)).toMatch(/lethe_serve_purges_overdue 1/);
    const file = join(s.stateDir, 'purges.jsonl');
    expect((await overduePurgesFromFile(file, () => 24 * 3600_000, t)).map((e) => e.body.destination)).toEqual(['crm-sync']);

    // The DPO's monthly report lists it (default SLA P1D without a config).
    const before = process.env.LETHE_HMAC_KEY;
    process.env.LETHE_HMAC_KEY = 'cd'.repeat(32);
    try {
      const md = await runDsrReport({ stateDir: s.stateDir, store: await mkdtemp(join(tmpdir(), 'lethe-serve-store-')), now: new Date(t).toISOString(), format: 'markdown' });
      expect(md).toMatch(/## Withdrawal purges unacknowledged past their SLA\n\n\| purge .*\n\|.*\n\| purge-[0-9a-f]{32} \| crm-sync \| marketing \| hmac:[0-9a-f]{32} \| 2026-06-01T00:00:00.000Z \| 2 \|/);
      expect(md).not.toContain('003000000000001AAA');
    } finally {
      if (before === undefined) delete process.env.LETHE_HMAC_KEY;
      else process.env.LETHE_HMAC_KEY = before;
    }
  });
});

