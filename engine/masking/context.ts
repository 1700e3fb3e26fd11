/**
 * What a masking strategy may use besides its value and parameters: named HMAC keys and a source
 * of random bytes (injectable so tests are deterministic). Keys never appear in errors or logs.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { hmacEnvName } from './keys.ts';

export interface MaskContext {
  /** The HMAC key called `name` (`default` unless a strategy names another); throws when unknown. */
  hmacKey(name: string): Buffer;
  /** `n` random bytes. */
  randomBytes(n: number): Buffer;
}

/** Named HMAC keys, e.g. from `keysFromEnv` or `resolveKeys`. */
export type HmacKeys = ReadonlyMap<string, Buffer>;

export class UnknownKeyError extends Error {
  readonly keyName: string;
  constructor(name: string) {
    super(
      `HMAC key "${name}" is not configured: set ${hmacEnvName(name)} or keys.hmac.${name} in the runner config (at least 32 bytes)`,
    );
    this.name = 'UnknownKeyError';
    this.keyName = name;
  }
}

export interface MaskContextOptions {
  /** Replaces crypto.randomBytes (tests). */
  randomBytes?: (n: number) => Buffer;
}

export function createMaskContext(keys: HmacKeys, options: MaskContextOptions = {}): MaskContext {
  const random = options.randomBytes ?? ((n: number) => cryptoRandomBytes(n));
  return {
    hmacKey(name: string): Buffer {
      const key = keys.get(name);
      if (!key) throw new UnknownKeyError(name);
      return key;
    },
    randomBytes(n: number): Buffer {
      const b = random(n);
      if (b.length < n) throw new Error(`random source returned ${b.length} bytes, ${n} requested`);
      return b;
    },
  };
}
