/**
 * `lethe hash`, run as a user runs it (the built CLI in a child process, identifiers on standard
 * input or as arguments): the hash it prints, put in a LegalHold's identifierHashes, holds the
 * records carrying that identifier in a plan made under the same key, whatever case the address
 * was typed in; under another key it holds nothing. The identifier never appears in its output or
 * errors, and a bad line anywhere means nothing is printed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../engine/plan/build.ts';
import { keysFromEnv } from '../../engine/masking/keys.ts';
import { bundle, hold, NOW, rec, retention } from './fixtures.ts';
import { letheBin } from '../lethe-bin.ts';

const HEX = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);
const OLD = '2015-01-01T00:00:00.000Z';

function lethe(args: string[], input: string, env: Record<string, string | undefined> = { LETHE_HMAC_KEY: HEX }): { code: number; out: string; err: string } {
  const { LETHE_HMAC_KEY: _drop, ...rest } = process.env;
  const r = spawnSync(process.execPath, [letheBin(), 'hash', ...args], { input, encoding: 'utf8', env: { ...rest, ...env } as NodeJS.ProcessEnv });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Which of the world's records a hold with these hashes protects, in a plan keyed by `hex`. */
async function heldBy(hashes: string[], hex: string): Promise<string[]> {
  const key = keysFromEnv({ LETHE_HMAC_KEY: hex }).get('default')!;
  const records = [
    rec('salesforce', 'task', 't-bob', OLD, { ids: ['email:bob@example.com'] }),
    rec('salesforce', 'task', 't-ann', OLD, { ids: ['email:ann@example.com'] }),
    rec('genesys', 'conversation', 'c-phone', OLD, { ids: ['phone:+441632960001'] }),
  ];
  const plan = await buildPlan({
    bundle: bundle({ retention: [retention('sf-task', 'salesforce', 'task', 'P1Y'), retention('gc-conv', 'genesys', 'conversation', 'P1Y')], holds: [hold('h', { identifierHashes: hashes })] }),
    records,
    now: NOW,
    hmacKey: key,
    snapshotHash: 's',
    defaults: { maxPercent: 100 },
  });
  return plan.protected.map((p) => p.target.id).sort();
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-hash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lethe hash', () => {
  it('prints, from standard input, hashes that hold exactly those subjects in a plan under the same key', async () => {
    const r = lethe(['--kind', 'email'], 'Bob@Example.COM\n\n  bob@example.com  \n');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^hmac:[0-9a-f]{32}$/);
    expect(lines[1]).toBe(lines[0]);
    expect(r.out.toLowerCase()).not.toContain('bob');
    expect(await heldBy([lines[0]!], HEX)).toEqual(['t-bob']);
    expect(await heldBy([lines[0]!], OTHER)).toEqual([]);
  });

  it('takes kind:value arguments; a phone number in any common form hashes as its E.164 form', async () => {
    const a = lethe(['phone:+44 1632 960001', 'email:ann@example.com'], '');
    expect(a.code).toBe(0);
    const [phone, ann] = a.out.trimEnd().split('\n');
    expect(lethe(['--kind', 'phone', '00441632960001'], '').out.trim()).toBe(phone);
    expect(await heldBy([phone!, ann!], HEX)).toEqual(['c-phone', 't-ann']);
  });

  it('reads the key from the runner config (keys.hmac.default)', async () => {
    const config = join(dir, 'lethe.yaml');
    await writeFile(
      config,
      'apiVersion: lethe.dev/v1\nkind: RunnerConfig\nmetadata: {name: t, version: 1.0.0, owner: t@example.com, description: test}\nspec:\n  connectors: {}\n  keys:\n    hmac:\n      default: {env: HASH_TEST_KEY}\n',
    );
    const viaConfig = lethe(['--config', config, 'email:ann@example.com'], '', { HASH_TEST_KEY: OTHER });
    expect(viaConfig.err).toBe('');
    expect(viaConfig.code).toBe(0);
    expect(await heldBy([viaConfig.out.trim()], OTHER)).toEqual(['t-ann']);
    expect(await heldBy([viaConfig.out.trim()], HEX)).toEqual([]);
    const unset = lethe(['--config', config, 'email:ann@example.com'], '', {});
    expect(unset.code).toBe(1);
    expect(unset.err).toContain('HASH_TEST_KEY is not set');
  });

  it('refuses, by position and without echoing it, an identifier it cannot hash; prints nothing then', () => {
    const bad = lethe(['--kind', 'email'], 'ann@example.com\nnot-an-address-zq\n');
    expect(bad.code).toBe(1);
    expect(bad.out).toBe('');
    expect(bad.err).toContain('line 2 of standard input: not an e-mail address');
    expect(bad.err).not.toContain('zq');
    const phone = lethe(['--kind', 'phone'], '555-CALL-ME\n');
    expect(phone.code).toBe(1);
    expect(phone.err).toContain('line 1 of standard input: not a phone number');
    expect(phone.err).not.toContain('CALL');
    const plain = lethe(['ann@example.com'], '');
    expect(plain.code).toBe(1);
    expect(plain.err).toContain('argument 1: an identifier is kind:value');
    expect(plain.err).toContain('--kind email');
    expect(plain.err).not.toContain('ann@');
    expect(lethe([], '\n\n').err).toContain('no identifier given');
    const noKey = lethe(['email:ann@example.com'], '', {});
    expect(noKey.code).toBe(1);
    expect(noKey.err).toMatch(/no HMAC key/);
    expect(noKey.out).toBe('');
  });
});
