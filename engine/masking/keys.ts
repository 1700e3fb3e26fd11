/**
 * HMAC keys: where they come from (environment, runner config references) and the one function
 * that turns a subject identifier into a keyed hash. Key material is never printed: errors name
 * the key and where it came from, never its value.
 *
 * Key text encodings, tried in this order (whitespace around the text is ignored):
 * - `hex:<hex>` or `base64:<base64>`: explicit, recommended;
 * - only hex digits, even length: hex;
 * - base64 alphabet with `=` padding to a multiple of 4 characters, at least 44 characters: base64;
 * - anything else: the raw UTF-8 bytes.
 * After decoding a key must be at least 32 bytes.
 */
import { createHmac } from 'node:crypto';
import { normalizeIdentifierKey } from '../../connectors/normalize.ts';
import type { RunnerConfig, SecretRef } from '../schema/config.ts';

export const MIN_KEY_BYTES = 32;
export const DEFAULT_KEY = 'default';
export const ENV_PREFIX = 'LETHE_HMAC_KEY';
const KEY_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** The environment variable holding key `name`: `default` -> LETHE_HMAC_KEY, `crm-v2` -> LETHE_HMAC_KEY_CRM_V2. */
export function hmacEnvName(name: string): string {
  return name === DEFAULT_KEY ? ENV_PREFIX : `${ENV_PREFIX}_${name.toUpperCase().replace(/-/g, '_')}`;
}

/** Decodes key text (see the file comment); `source` names where it came from, for errors only. */
export function parseKey(text: string | Uint8Array, source: string): Buffer {
  const raw = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  const t = raw.trim();
  let key: Buffer;
  let kind: string;
  if (t.startsWith('hex:')) {
    const h = t.slice(4);
    if (!/^([0-9a-fA-F]{2})+$/.test(h)) throw new KeyError(`HMAC key from ${source} is marked hex: but is not valid hex`);
    key = Buffer.from(h, 'hex');
    kind = 'hex';
  } else if (t.startsWith('base64:')) {
    const b = t.slice(7);
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(b)) throw new KeyError(`HMAC key from ${source} is marked base64: but is not valid base64`);
    key = Buffer.from(b, 'base64');
    kind = 'base64';
  } else if (/^([0-9a-fA-F]{2})+$/.test(t)) {
    key = Buffer.from(t, 'hex');
    kind = 'hex';
  } else if (t.length >= 44 && t.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t)) {
    key = Buffer.from(t, 'base64');
    kind = 'base64';
  } else {
    key = Buffer.from(t, 'utf8');
    kind = 'raw';
  }
  if (key.length < MIN_KEY_BYTES) {
    throw new KeyError(
      `HMAC key from ${source} is too short: ${key.length} bytes (${kind}); at least ${MIN_KEY_BYTES} bytes are required ` +
        `(64 hex characters, 44 base64 characters or 32 raw characters; e.g. \`openssl rand -hex 32\`)`,
    );
  }
  return key;
}

/** Keys from `LETHE_HMAC_KEY` (named `default`) and `LETHE_HMAC_KEY_<NAME>` (named `<name>`, `_` read as `-`). */
export function keysFromEnv(env: Readonly<Record<string, string | undefined>>): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  const from = new Map<string, string>();
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    let name: string;
    if (variable === ENV_PREFIX) name = DEFAULT_KEY;
    else if (variable.startsWith(`${ENV_PREFIX}_`)) name = variable.slice(ENV_PREFIX.length + 1).toLowerCase().replace(/_/g, '-');
    else continue;
    if (!KEY_NAME.test(name)) throw new KeyError(`environment variable ${variable} does not name a valid HMAC key (letters, digits, _)`);
    const key = parseKey(value, `environment variable ${variable}`);
    const previous = keys.get(name);
    if (previous && !previous.equals(key)) {
      throw new KeyError(`HMAC key "${name}" is set twice with different values (${from.get(name)} and ${variable})`);
    }
    keys.set(name, key);
    from.set(name, variable);
  }
  return keys;
}

/** Reads a file's content; injected so the engine does no I/O itself. */
export type ReadKeyFile = (path: string) => string | Uint8Array;

type ConfigLike = RunnerConfig | RunnerConfig['spec'] | undefined | null;

/**
 * The runner's HMAC keys: those from the environment (`keysFromEnv`), then every entry of the
 * config's `keys.hmac` (`{env}` or `{file}`), which takes precedence for its name. A reference to a
 * missing variable or unreadable file is an error naming it.
 */
export function resolveKeys(config: ConfigLike, env: Readonly<Record<string, string | undefined>>, readFile: ReadKeyFile): Map<string, Buffer> {
  const keys = keysFromEnv(env);
  const spec = config && 'spec' in config ? config.spec : config;
  const refs: Record<string, SecretRef> = spec?.keys?.hmac ?? {};
  for (const name of Object.keys(refs).sort()) {
    const ref = refs[name]!;
    if (!KEY_NAME.test(name)) throw new KeyError(`keys.hmac: "${name}" is not a valid key name`);
    if ('env' in ref) {
      const value = env[ref.env];
      if (value === undefined || value === '') {
        throw new KeyError(`keys.hmac.${name}: environment variable ${ref.env} is not set`);
      }
      keys.set(name, parseKey(value, `environment variable ${ref.env} (keys.hmac.${name})`));
    } else {
      let content: string | Uint8Array;
      try {
        content = readFile(ref.file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        throw new KeyError(`keys.hmac.${name}: cannot read key file ${ref.file}${code ? ` (${code})` : ''}`);
      }
      keys.set(name, parseKey(content, `file ${ref.file} (keys.hmac.${name})`));
    }
  }
  return keys;
}

/** Tag mixed into subject hashes so they never equal a masking `hmac-sha256` output under the same key. */
const SUBJECT_TAG = 'lethe/subject/v1\n';
export const SUBJECT_HASH_HEX = 32;

/**
 * The keyed hash of a subject identifier, `hmac:<32 lower-case hex>`: the single function used by
 * plans, the audit log, certificates and holds (`identifierHashes`). The identifier is normalised
 * first (`email:Ann@X.com` and `email:ann@x.com` hash alike); one that cannot be normalised is
 * hashed as given, trimmed.
 */
export function subjectHash(identifier: string, key: Uint8Array): string {
  if (key.length < MIN_KEY_BYTES) throw new KeyError(`subject hash key is too short: ${key.length} bytes; at least ${MIN_KEY_BYTES} required`);
  const normal = normalizeIdentifierKey(identifier) ?? identifier.trim();
  const hex = createHmac('sha256', key).update(SUBJECT_TAG).update(normal, 'utf8').digest('hex');
  return `hmac:${hex.slice(0, SUBJECT_HASH_HEX)}`;
}
