/**
 * Builds a DsrContext for the CLI from the runner config: the request store (`requestStore`,
 * default `~/.lethe/requests`), the state folder with the audit log (`stateDir`, default `.lethe`
 * beside the config), the HMAC key for subject hashes (`LETHE_HMAC_KEY` or `keys.hmac.default`)
 * and, when needed, the Ed25519 signing key for certificates (`keys.signing`).
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { formatProblem, loadConfigFile } from '../../engine/load/index.ts';
import { KeyError, resolveKeys } from '../../engine/masking/keys.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { UserError } from '../cli/errors.ts';
import { planKeyFrom, resolveSecret } from '../secrets.ts';
import type { DsrContext } from './lifecycle.ts';
import { RequestStore, resolveStorePath } from './store.ts';
import { parseInstant } from '../cli/instant.ts';

export interface DsrCliOptions {
  config?: string;
  store?: string;
  stateDir?: string;
  actor?: string;
  now?: string;
}

export interface DsrSetup {
  ctx: DsrContext;
  config: RunnerConfig | null;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}

export function defaultActor(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export async function loadConfig(file: string): Promise<RunnerConfig> {
  const c = await loadConfigFile(file);
  if (!c.config) {
    const errors = c.problems.filter((p) => p.severity === 'error');
    throw new UserError(`config ${file} has ${errors.length} error(s):\n${errors.map(formatProblem).join('\n')}`);
  }
  return c.config;
}

export function hmacKeyFrom(config: RunnerConfig | null, env: NodeJS.ProcessEnv): Buffer {
  try {
    const key = resolveKeys(config, env, (p) => readFileSync(p)).get('default');
    if (key) return key;
  } catch (err) {
    if (err instanceof KeyError) throw new UserError(err.message);
    throw err;
  }
  throw new UserError('no HMAC key: requests are audited and closed with keyed subject hashes. Set LETHE_HMAC_KEY (e.g. `export LETHE_HMAC_KEY=$(openssl rand -hex 32)`) or keys.hmac.default in the runner config');
}

/** The Ed25519 private key (PEM) named by `keys.signing`; never logged. */
export function signingKeyFrom(config: RunnerConfig | null, env: NodeJS.ProcessEnv): string {
  const ref = config?.spec.keys?.signing;
  if (!ref) throw new UserError('no signing key: set keys.signing in the runner config to the Ed25519 private key from `lethe keys generate --out DIR` (a {file: …} with mode 600, or an {env: …})');
  return resolveSecret(ref, 'keys.signing', env);
}

export function parseNowOption(now: string | undefined): () => Date {
  if (now === undefined) return () => new Date();
  const t = Date.parse(parseInstant(now, '--now'));
  return () => new Date(t);
}

export async function dsrSetup(opts: DsrCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<DsrSetup> {
  const config = opts.config ? await loadConfig(opts.config) : null;
  const base = opts.config ? dirname(resolve(opts.config)) : process.cwd();
  const storePath = opts.store ? resolveStorePath(opts.store) : resolveStorePath(config?.spec.requestStore, base);
  const stateDir = opts.stateDir ? resolve(opts.stateDir) : resolve(base, config?.spec.stateDir ?? '.lethe');
  const store = await RequestStore.open(storePath);
  const planKey = planKeyFrom(config, env);
  const ctx: DsrContext = {
    store,
    hmacKey: hmacKeyFrom(config, env),
    ...(planKey ? { planKey } : {}),
    auditFile: join(stateDir, 'audit.jsonl'),
    actor: opts.actor ?? defaultActor(),
    now: parseNowOption(opts.now),
  };
  return { ctx, config, stateDir, env };
}
