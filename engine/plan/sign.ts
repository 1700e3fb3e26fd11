/**
 * Plan provenance (DESIGN §5): `lethe plan` signs the plan it writes with a keyed MAC, and
 * `lethe apply` (and `lethe diff`, when it has the key) refuses a plan whose signature does not
 * verify. The plan key is the runner's own secret, distinct from the subject-hash key: someone who
 * can compute subject hashes (or recompute a sha256) still cannot make a plan `apply` accepts.
 *
 * - Key: `keys.plan` in the runner config (`{env}` or `{file}`), else `LETHE_PLAN_KEY`; at least 32
 *   bytes, in the encodings `parseKey` reads (`hex:`, `base64:`, plain hex…). Never in the plan.
 * - `signature: {alg: "HMAC-SHA256", keyId, value}`, a top-level member *outside* the hashed
 *   content: `value` is HMAC-SHA256(key, "lethe/plan-signature/v1\n" + hash) in hex, and `hash`
 *   (unchanged: sha256 of every member but `hash` and `signature`) covers every other byte. So a
 *   plan's hash, and the approvals that name it, do not depend on the key.
 * - `keyId`: `plankey:` and 16 hex digits of sha256("lethe/plan-key-id/v1\n" + key): names the
 *   key in a refusal ("signed with another key") without revealing it.
 * Pure: no I/O (key files are read through the injected `readFile`), no clock.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RunnerConfig, SecretRef } from '../schema/config.ts';
import { KeyError, parseKey, type ReadKeyFile } from '../masking/keys.ts';
import type { Plan, PlanSignature } from './types.ts';

export const PLAN_SIGNATURE_ALG = 'HMAC-SHA256';
export const PLAN_KEY_ENV = 'LETHE_PLAN_KEY';
const SIGNATURE_TAG = 'lethe/plan-signature/v1\n';
const KEY_ID_TAG = 'lethe/plan-key-id/v1\n';

/** A fixed, public plan key for `--insecure-demo-key` only; apply refuses plans signed with it. */
export const DEMO_PLAN_KEY = Buffer.from('lethe-insecure-demo-plan-key-never-applied-anywhere!', 'utf8');

/** The public name of a plan key (never the key). */
export function planKeyId(key: Uint8Array): string {
  return `plankey:${createHash('sha256').update(KEY_ID_TAG).update(key).digest('hex').slice(0, 16)}`;
}

export const DEMO_PLAN_KEY_ID = planKeyId(DEMO_PLAN_KEY);

function mac(hash: string, key: Uint8Array): string {
  return createHmac('sha256', key).update(SIGNATURE_TAG).update(hash, 'utf8').digest('hex');
}

/** The signature of a plan whose `hash` is already correct. */
export function planSignature(hash: string, key: Uint8Array): PlanSignature {
  return { alg: PLAN_SIGNATURE_ALG, keyId: planKeyId(key), value: mac(hash, key) };
}

/**
 * Signs the plan in place (and returns it): sets `signature`. Only the hash is read, so a plan
 * whose actions are still text (assemble.ts) is not materialised.
 */
export function signPlan<T extends Plan>(plan: T, key: Uint8Array): T {
  plan.signature = planSignature(plan.hash, key);
  return plan;
}

/**
 * Why the plan's signature does not verify under `key`, or null when it does. The caller checks
 * the hash against the content separately (verify.ts): the signature vouches for the hash only.
 */
export function planSignatureProblem(plan: Pick<Plan, 'hash' | 'signature'>, key: Uint8Array): string | null {
  const s = plan.signature;
  if (s === undefined) {
    return 'the plan is not signed: it was made by a Lethe older than plan signing, or its signature was removed. Re-plan with `lethe plan` (plan key in LETHE_PLAN_KEY or keys.plan)';
  }
  if (s.alg !== PLAN_SIGNATURE_ALG) return `unknown signature algorithm ${JSON.stringify(String(s.alg).slice(0, 40))} (expected ${PLAN_SIGNATURE_ALG}); re-plan with \`lethe plan\``;
  if (s.keyId === DEMO_PLAN_KEY_ID) return 'the plan is signed with the public demo key (--insecure-demo-key): a demo plan is never applied; re-plan with a real plan key';
  const mine = planKeyId(key);
  if (s.keyId !== mine) return `the plan is signed with another key (${String(s.keyId).slice(0, 40)}; this plan key is ${mine}): re-plan with the runner's plan key`;
  const expected = Buffer.from(mac(plan.hash, key), 'hex');
  const given = /^[0-9a-f]{64}$/.test(s.value) ? Buffer.from(s.value, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'the plan\'s signature does not verify: the plan was changed after it was signed, or signed without the plan key';
  }
  return null;
}

type ConfigLike = RunnerConfig | RunnerConfig['spec'] | undefined | null;

/**
 * The plan key: the config's `keys.plan` (`{env}` or `{file}`) when set, else `LETHE_PLAN_KEY`;
 * undefined when neither is. A reference that cannot be resolved, or a key too short, is a
 * `KeyError` naming where it came from (never the value).
 */
export function resolvePlanKey(config: ConfigLike, env: Readonly<Record<string, string | undefined>>, readFile: ReadKeyFile): Buffer | undefined {
  const spec = config && 'spec' in config ? config.spec : config;
  const ref: SecretRef | undefined = spec?.keys?.plan;
  if (ref) {
    if ('env' in ref) {
      const value = env[ref.env];
      if (value === undefined || value === '') throw new KeyError(`keys.plan: environment variable ${ref.env} is not set`);
      return parseKey(value, `environment variable ${ref.env} (keys.plan)`);
    }
    let content: string | Uint8Array;
    try {
      content = readFile(ref.file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      // A reader's own refusal (e.g. a file readable by others) is passed on as it is.
      if (!code && err instanceof Error) throw new KeyError(err.message);
      throw new KeyError(`keys.plan: cannot read key file ${ref.file}${code ? ` (${code})` : ''}`);
    }
    return parseKey(content, `file ${ref.file} (keys.plan)`);
  }
  const value = env[PLAN_KEY_ENV];
  if (value === undefined || value === '') return undefined;
  return parseKey(value, `environment variable ${PLAN_KEY_ENV}`);
}

/** The message for "no plan key" (plan, apply and the request workflow say the same). */
export const NO_PLAN_KEY =
  'no plan key: plans are signed by `lethe plan` and verified by `lethe apply`. Set LETHE_PLAN_KEY ' +
  '(e.g. `export LETHE_PLAN_KEY=$(openssl rand -hex 32)`, a secret of the runner, distinct from LETHE_HMAC_KEY) ' +
  'or keys.plan in the runner config';
