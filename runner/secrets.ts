/**
 * Resolves secret references from the runner config: `{env: NAME}` or `{file: PATH}`. Values never
 * reach logs. A file path may start with `~/` (the home folder), everywhere keys and secrets are
 * read (`expandHome`, `readKeyFile`).
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RunnerConfig, SecretRef } from '../engine/schema/index.ts';
import { KeyError } from '../engine/masking/keys.ts';
import { resolvePlanKey } from '../engine/plan/sign.ts';
import { UserError } from './cli/errors.ts';

/** `~` and `~/…` -> the home folder; anything else unchanged. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}

/** Reads a key file named in the config (`~` expanded); the reader passed to resolveKeys. */
export function readKeyFile(path: string): Buffer {
  return readFileSync(expandHome(path));
}

export function resolveSecret(ref: SecretRef, what: string, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined || v === '') throw new UserError(`${what}: environment variable ${ref.env} is not set`);
    return v;
  }
  const file = expandHome(ref.file);
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    throw new UserError(`${what}: secret file ${ref.file} cannot be read`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new UserError(`${what}: secret file ${ref.file} is readable by other users (chmod 600 it)`);
  }
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new UserError(`${what}: secret file ${ref.file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
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
