/** Key parsing, environment and config resolution, and that key material never reaches an error. */
import { describe, expect, it } from 'vitest';
import {
  createMaskContext,
  KeyError,
  keysFromEnv,
  parseKey,
  resolveKeys,
  UnknownKeyError,
  applyStrategy,
} from '../../engine/masking/index.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';

const HEX = 'ab'.repeat(32);
const BASE64 = Buffer.alloc(32, 7).toString('base64');
const RAW = 'correct horse battery staple 1234';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('parseKey', () => {
  it('reads hex, base64, raw and explicit prefixes', () => {
    expect(parseKey(HEX, 't')).toEqual(Buffer.alloc(32, 0xab));
    expect(parseKey(`${HEX}\n`, 't')).toEqual(Buffer.alloc(32, 0xab));
    expect(parseKey(BASE64, 't')).toEqual(Buffer.alloc(32, 7));
    expect(parseKey(`base64:${BASE64}`, 't')).toEqual(Buffer.alloc(32, 7));
    expect(parseKey(`hex:${HEX}`, 't')).toEqual(Buffer.alloc(32, 0xab));
    expect(parseKey(RAW, 't')).toEqual(Buffer.from(RAW));
    expect(parseKey(new TextEncoder().encode(HEX), 't')).toEqual(Buffer.alloc(32, 0xab));
  });

  it('refuses short keys with a clear error that never contains the key', () => {
    for (const short of ['ab'.repeat(31), Buffer.alloc(31, 1).toString('base64'), 'x'.repeat(31), 'hex:abcd', 'secretsecret']) {
      const err = errorOf(() => parseKey(short, 'environment variable LETHE_HMAC_KEY'));
      expect(err).toBeInstanceOf(KeyError);
      expect(err.message).toMatch(/LETHE_HMAC_KEY is too short: \d+ bytes .*at least 32 bytes/);
      expect(err.message).not.toContain(short.replace(/^hex:/, ''));
    }
    const bad = errorOf(() => parseKey('hex:zz'.padEnd(70, 'z'), 'file k'));
    expect(bad.message).toMatch(/marked hex: but is not valid hex/);
    expect(bad.message).not.toContain('zzzz');
  });
});

describe('keysFromEnv', () => {
  it('maps LETHE_HMAC_KEY to default and LETHE_HMAC_KEY_<NAME> to <name>', () => {
    const keys = keysFromEnv({ LETHE_HMAC_KEY: HEX, LETHE_HMAC_KEY_CRM_V2: BASE64, PATH: '/bin', LETHE_OTHER: 'x', LETHE_HMAC_KEY_EMPTY: '' });
    expect([...keys.keys()].sort()).toEqual(['crm-v2', 'default']);
    expect(keys.get('crm-v2')).toEqual(Buffer.alloc(32, 7));
  });

  it('refuses a short key naming the variable, and conflicting duplicates', () => {
    expect(errorOf(() => keysFromEnv({ LETHE_HMAC_KEY_CRM: 'short-key' })).message).toMatch(/LETHE_HMAC_KEY_CRM is too short/);
    expect(errorOf(() => keysFromEnv({ LETHE_HMAC_KEY: HEX, LETHE_HMAC_KEY_DEFAULT: BASE64 })).message).toMatch(/"default" is set twice/);
    expect(keysFromEnv({ LETHE_HMAC_KEY: HEX, LETHE_HMAC_KEY_DEFAULT: `hex:${HEX}` }).get('default')).toEqual(Buffer.alloc(32, 0xab));
  });
});

describe('resolveKeys', () => {
  const config = (hmac: Record<string, { env: string } | { file: string }>): RunnerConfig => ({
    apiVersion: 'lethe.dev/v1',
    kind: 'RunnerConfig',
    metadata: { name: 'runner', version: '1.0.0', owner: 'ops', description: 'test' },
    spec: { connectors: {}, keys: { hmac } },
  });

  it('resolves env and file references, config over plain env', () => {
    const files: Record<string, string> = { '/keys/analytics': `${RAW}\n` };
    const keys = resolveKeys(config({ default: { env: 'MY_KEY' }, analytics: { file: '/keys/analytics' } }), { MY_KEY: BASE64, LETHE_HMAC_KEY: HEX }, (p) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return v;
    });
    expect(keys.get('default')).toEqual(Buffer.alloc(32, 7));
    expect(keys.get('analytics')).toEqual(Buffer.from(RAW));
    expect(resolveKeys(undefined, { LETHE_HMAC_KEY: HEX }, () => '').get('default')).toEqual(Buffer.alloc(32, 0xab));
    expect(resolveKeys(config({ a: { env: 'A' } }).spec, { A: HEX }, () => '').get('a')).toEqual(Buffer.alloc(32, 0xab));
  });

  it('names a missing variable or unreadable file, never a value', () => {
    expect(errorOf(() => resolveKeys(config({ crm: { env: 'CRM_KEY' } }), {}, () => '')).message).toBe(
      'keys.hmac.crm: environment variable CRM_KEY is not set',
    );
    const err = errorOf(() =>
      resolveKeys(config({ crm: { file: '/etc/lethe/crm.key' } }), {}, () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      }),
    );
    expect(err.message).toBe('keys.hmac.crm: cannot read key file /etc/lethe/crm.key (EACCES)');
    const short = errorOf(() => resolveKeys(config({ crm: { file: '/k' } }), {}, () => 'tiny-secret'));
    expect(short.message).toMatch(/file \/k \(keys.hmac.crm\) is too short/);
    expect(short.message).not.toContain('tiny-secret');
  });
});

describe('MaskContext keys', () => {
  it('throws a clear error for an unknown key name', () => {
    const ctx = createMaskContext(new Map([['default', Buffer.alloc(32, 1)]]));
    const err = errorOf(() => applyStrategy({ strategy: 'hmac-sha256', key: 'crm-v2' }, 'x', ctx));
    expect(err).toBeInstanceOf(UnknownKeyError);
    expect(err.message).toMatch(/HMAC key "crm-v2" is not configured: set LETHE_HMAC_KEY_CRM_V2 or keys.hmac.crm-v2/);
    expect(errorOf(() => createMaskContext(new Map()).hmacKey('default')).message).toMatch(/set LETHE_HMAC_KEY or/);
  });
});
