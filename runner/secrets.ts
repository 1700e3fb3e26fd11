/** Resolves secret references from the runner config: `{env: NAME}` or `{file: PATH}`. Values never reach logs. */
import { readFileSync, statSync } from 'node:fs';
import type { RunnerConfig, SecretRef } from '../engine/schema/index.ts';
import { KeyError } from '../engine/masking/keys.ts';
import { resolvePlanKey } from '../engine/plan/sign.ts';
import { UserError } from './cli/errors.ts';

export function resolveSecret(ref: SecretRef, what: string, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined || v === '') throw new UserError(`${what}: environment variable ${ref.env} is not set`);
    return v;
  }
  let mode: number;
  try {
    mode = statSync(ref.file).mode;
  } catch {
    throw new UserError(`${what}: secret file ${ref.file} cannot be read`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new UserError(`${what}: secret file ${ref.file} is readable by other users (chmod 600 it)`);
  }
  return readFileSync(ref.file, 'utf8').trim();
}

/**
 * The plan key (engine/plan/sign.ts): the config's keys.plan, else LETHE_PLAN_KEY; undefined when
 * neither is set. A key file must be readable by its owner only, like every secret file.
 */
export function planKeyFrom(config: RunnerConfig | RunnerConfig['spec'] | null | undefined, env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  try {
    return resolvePlanKey(config, env, (p) => resolveSecret({ file: p }, 'keys.plan', env));
  } catch (err) {
    if (err instanceof KeyError) throw new UserError(err.message);
    throw err;
  }
}
