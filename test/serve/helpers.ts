/** Fixtures for the lethe serve tests: a hand-made snapshot, a config with hashed tokens, a started service. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import type { ServeSpec } from '../../engine/schema/config.ts';
import { createLogger } from '../../runner/log.ts';
import { sha256Hex } from '../../runner/serve/auth.ts';
import { startServe, type RunningServe, type ServeOptions } from '../../runner/serve/server.ts';

export const POLICIES = resolve(import.meta.dirname, '../../policies');
export const NOW = '2026-06-01T00:00:00.000Z';
export const TOKEN = 'test-token-crm-and-analytics';
export const PUSH_TOKEN = 'test-token-push';
export const NARROW_TOKEN = 'test-token-analytics-only';
export const METRICS_TOKEN = 'test-token-metrics';
export const HMAC_HEX = 'ab'.repeat(32);

export interface Rec {
  system: string;
  type: string;
  id: string;
  createdAt: string;
  identifiers: string[];
  links: [];
  fields: Record<string, unknown>;
}

export function consent(id: string, identifiers: string[], purpose: string, status: 'granted' | 'withdrawn', at: string): Rec {
  return { system: 'salesforce', type: 'consent', id, createdAt: at, identifiers, links: [], fields: { purpose, status, at } };
}

export function contact(id: string, identifiers: string[], fields: Record<string, unknown> = {}): Rec {
  return { system: 'salesforce', type: 'contact', id, createdAt: '2024-01-01T00:00:00.000Z', identifiers, links: [], fields: { FirstName: 'Ann', LastName: 'Lee', Email: 'ann@example.com', ...fields } };
}

/** A snapshot directory holding consent events and identity (contact) records. */
export async function writeSnapshot(events: readonly Rec[], contacts: readonly Rec[] = [], createdAt?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lethe-serve-snap-'));
  await mkdir(join(dir, 'salesforce'), { recursive: true });
  const nd = (rs: readonly Rec[]): string => rs.map((r) => JSON.stringify(r)).join('\n') + (rs.length ? '\n' : '');
  await writeFile(join(dir, 'salesforce', 'consent.ndjson'), nd(events));
  await writeFile(join(dir, 'salesforce', 'contact.ndjson'), nd(contacts));
  if (createdAt) await writeFile(join(dir, 'meta.json'), JSON.stringify({ createdAt, source: 'test', counts: { salesforce: { consent: events.length, contact: contacts.length } } }));
  return dir;
}

export function serveConfig(serve: Partial<ServeSpec> = {}, connectors: RunnerConfig['spec']['connectors'] = {}): RunnerConfig {
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'RunnerConfig',
    metadata: { name: 'serve-test', version: '1.0.0', owner: 'test', description: 'test' },
    spec: {
      connectors,
      keys: { hmac: { default: { env: 'TEST_SERVE_HMAC' } } },
      serve: {
        port: 0,
        tokens: [
          { name: 'pipeline', sha256: sha256Hex(TOKEN), destinations: ['crm-sync', 'analytics-export'] },
          { name: 'flow', sha256: sha256Hex(PUSH_TOKEN), destinations: ['*'], push: true },
          { name: 'narrow', sha256: sha256Hex(NARROW_TOKEN), destinations: ['analytics-export'] },
          { name: 'monitor', sha256: sha256Hex(METRICS_TOKEN), destinations: ['crm-sync'], metrics: true },
        ],
        ...serve,
      },
    },
  };
}

/** GET /metrics with the metrics-scoped token (text). */
export async function metricsText(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
}

/** Log lines written by the service, for leak checks. */
export function memoryLog(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination: destination as never, pretty: false }) };
}

export async function startTest(options: Partial<ServeOptions> & { snapshot: string; config?: RunnerConfig }): Promise<RunningServe> {
  const dir = await mkdtemp(join(tmpdir(), 'lethe-serve-state-'));
  return startServe({
    configDir: dir,
    policies: POLICIES,
    clock: () => Date.parse(NOW),
    feed: 'manual',
    logger: memoryLog().logger,
    ...options,
    config: options.config ?? serveConfig(),
    env: { TEST_SERVE_HMAC: HMAC_HEX, ...options.env },
  });
}

export async function post(url: string, body: unknown, token: string | null = TOKEN, type = 'application/json'): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* NDJSON or text */
  }
  return { status: res.status, json, headers: res.headers };
}
