/**
 * `lethe dsr intake` through the CLI: it asks every configured system whose plugin offers intake
 * (Salesforce here), never twice for one source; a config with no such system is a clear error.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lethe, writeConfig, writeKeys } from './cli-run.ts';
import { ann, HMAC_HEX, PLAN_HEX, startWorld, type World } from './world.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

describe('lethe dsr intake (CLI)', () => {
  let w: World;
  let dir: string;
  let key: string;
  beforeAll(async () => {
    w = await startWorld([{ ...ann(Date.now()), shouldForget: true }], []);
    dir = mkdtempSync(join(tmpdir(), 'lethe-intake-cli-'));
    key = writeKeys(join(dir, 'keys')).key;
  }, HANG_GUARD_MS);
  afterAll(() => w.stop());
  afterEach(() => vi.unstubAllEnvs());
  const sub = (name: string): string => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const stubEnv = (): void => {
    for (const [k, v] of Object.entries({ ...w.sandbox.env, LETHE_HMAC_KEY: HMAC_HEX, LETHE_PLAN_KEY: PLAN_HEX })) vi.stubEnv(k, v);
  };

  it('opens one request per flagged Individual and none the second time', async () => {
    stubEnv();
    const cfg = writeConfig(sub('all'), { connectors: w.sandbox.config.spec.connectors, keys: { signing: { file: key } } });
    const first = await lethe(['dsr', 'intake', '--config', cfg, '--now', new Date().toISOString()]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^dsr-\S+ {2}opened from salesforce-individual:0PK/m);
    expect(first.out).toContain('1 request(s) opened, 0 Individual(s) already had one');
    const second = await lethe(['dsr', 'intake', '--config', cfg]);
    expect(second.code).toBe(0);
    expect(second.out).toContain('0 request(s) opened, 1 Individual(s) already had one');
  });

  it('a config with no system that offers intake: exit 1, one clear line naming what is missing, nothing opened', async () => {
    stubEnv();
    const { genesys } = w.sandbox.config.spec.connectors as Record<string, unknown>;
    const cfg = writeConfig(sub('gc'), { connectors: { genesys } as never, keys: { signing: { file: key } } });
    const res = await lethe(['dsr', 'intake', '--config', cfg]);
    expect(res.code).toBe(1);
    expect(res.err).toContain('config: intake needs spec.connectors.salesforce');
    expect(res.err).not.toMatch(/\n\s+at /);
    const list = await lethe(['dsr', 'list', '--config', cfg]);
    expect(list.code).toBe(0);
    expect(list.out).not.toContain('dsr-');
  });
});
