/**
 * Who is acting: every command that changes something records its actor in the audit log.
 *
 * Where the actor comes from is the runner config's `actor.source`:
 * - unset (default): `--actor`, else the variable `actor.env` (default `LETHE_ACTOR`), else
 *   `GITHUB_ACTOR` (CI), else the OS user (`os.userInfo`);
 * - `os-user`: the OS user only; `--actor` is refused (four eyes mean something only when the
 *   actor is not free text);
 * - `env`: the variable `actor.env` (default `LETHE_ACTOR`) only, for CI, which sets it from its
 *   own authenticated user; `--actor` is refused, an unset variable is an error;
 * - `flag`: `--actor` is required.
 */
import { userInfo } from 'node:os';
import type { RunnerConfig } from '../engine/schema/index.ts';
import { UserError } from './cli/errors.ts';

export const ACTOR_ENV = 'LETHE_ACTOR';
export type ActorConfig = NonNullable<RunnerConfig['spec']['actor']>;

export function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

function checked(actor: string, from: string): string {
  const a = actor.trim();
  if (a.length === 0 || a.length > 128 || /[\u0000-\u001f\u007f]/.test(a)) {
    throw new UserError(`the actor from ${from} must be 1 to 128 printable characters`);
  }
  return a;
}

export interface ActorInput {
  /** `--actor` as given. */
  flag?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  config?: ActorConfig | undefined;
  /** The OS user (injectable for tests). */
  os?: () => string;
}

/** The actor of this command, from the source the config chooses (see the file comment). */
export function resolveActor(input: ActorInput): string {
  const source = input.config?.source;
  const variable = input.config?.env ?? ACTOR_ENV;
  const fromEnv = input.env[variable];
  const os = input.os ?? osUser;
  if (source !== undefined && source !== 'flag' && input.flag !== undefined) {
    throw new UserError(`--actor is not accepted: the runner config takes the actor from ${source === 'env' ? `the environment variable ${variable}` : 'the OS user'} (actor.source: ${source})`);
  }
  switch (source) {
    case 'os-user':
      return checked(os(), 'the OS user');
    case 'env':
      if (fromEnv === undefined || fromEnv.trim() === '') throw new UserError(`the runner config takes the actor from the environment variable ${variable} (actor.source: env), which is not set`);
      return checked(fromEnv, `environment variable ${variable}`);
    case 'flag':
      if (input.flag === undefined) throw new UserError('the runner config requires --actor (actor.source: flag): say who is acting');
      return checked(input.flag, '--actor');
    default:
      if (input.flag !== undefined) return checked(input.flag, '--actor');
      if (fromEnv !== undefined && fromEnv.trim() !== '') return checked(fromEnv, `environment variable ${variable}`);
      if (input.env.GITHUB_ACTOR) return checked(input.env.GITHUB_ACTOR, 'environment variable GITHUB_ACTOR');
      return checked(os(), 'the OS user');
  }
}
