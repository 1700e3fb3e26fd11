/** Resolves secret references from the runner config: `{env: NAME}` or `{file: PATH}`. Values never reach logs. */
import { readFileSync, statSync } from 'node:fs';
import type { SecretRef } from '../engine/schema/index.ts';
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
