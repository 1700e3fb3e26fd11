/**
 * Builds a DsrContext for the CLI from the runner config: the request store (`requestStore`,
 * default `~/.lethe/requests`), the state folder with the audit log (`stateDir`, default `.lethe`
 * beside the config), the HMAC key for subject hashes (`LETHE_HMAC_KEY` or `keys.hmac.default`)
 * and, when needed, the Ed25519 signing key for certificates (`keys.signing`). The actor comes from
 * the source the config chooses (runner/actor.ts).
 */
import { createPrivateKey } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { formatProblem, loadConfigFile } from '../../engine/load/index.ts';
import { KeyError, resolveKeys } from '../../engine/masking/keys.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { UserError } from '../cli/errors.ts';
import { osUser, resolveActor } from '../actor.ts';
import { expandHome, planKeyFrom, readKeyFile, resolveSecret } from '../secrets.ts';
import type { DsrContext } from './lifecycle.ts';
import { RequestStore, resolveStorePath } from './store.ts';
import { parseInstant } from '../cli/instant.ts';
import { openState } from '../state/open.ts';
import type { StateStore } from '../state/types.ts';
import type { OpenAuditOptions } from '../audit/writer.ts';

export interface DsrCliOptions {
  config?: string;
  store?: string;
  stateDir?: string;
  actor?: string;
  now?: string;
  /** The actor of an automatic step (`scheduler:<name>`), instead of the configured source; never from the command line. */
  systemActor?: string;
}

export interface DsrSetup {
  ctx: DsrContext;
  config: RunnerConfig | null;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  /** Where the signed audit checkpoints go. */
  checkpointsDir: string;
  /** The PostgreSQL state (request records, locks, audit log, journals), or null with files. */
  state: StateStore | null;
  /** Closes the state database the request records are in (none with files); safe to call twice. */
  close(): Promise<void>;
}

export function defaultActor(): string {
  return osUser();
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
    const key = resolveKeys(config, env, readKeyFile).get('default');
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
  const how = 'the Ed25519 private key from `lethe keys generate --out DIR` (a {file: …} with mode 600, or an {env: …})';
  if (!ref) throw new UserError(config ? `no signing key: set keys.signing in the runner config to ${how}` : `no signing key: pass --config FILE, a runner config whose keys.signing names ${how}`);
  return resolveSecret(ref, 'keys.signing', env);
}

/**
 * Checks that the signing key exists, is readable and is an Ed25519 private key: done at `dsr open`
 * and `dsr approve`, so a request never runs its deletions only to fail at its certificate.
 */
export function checkSigningKey(config: RunnerConfig | null, env: NodeJS.ProcessEnv): string {
  const pem = signingKeyFrom(config, env);
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    throw new UserError('keys.signing is not a private key in PEM form: use the signing.key written by `lethe keys generate --out DIR`');
  }
  if (type !== 'ed25519') throw new UserError(`keys.signing is a ${type ?? 'unknown'} key, not an Ed25519 private key: use the signing.key written by \`lethe keys generate --out DIR\``);
  return pem;
}

/** Folder of the signed audit checkpoints: `auditCheckpoints` (relative to the config) or `<stateDir>/audit-checkpoints`. */
export function checkpointsDirFor(config: RunnerConfig | null, base: string, stateDir: string): string {
  const c = config?.spec.auditCheckpoints;
  return c ? resolve(base, expandHome(c)) : join(stateDir, 'audit-checkpoints');
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
  const actor = opts.systemActor ?? resolveActor({ flag: opts.actor, env, config: config?.spec.actor });
  const planKey = planKeyFrom(config, env);
  const hmacKey = hmacKeyFrom(config, env);
  // With state.postgres the request records (and request locks) are in the state database; the
  // folder keeps the artefacts. Without it, request.json files in the folder as always.
  const state = config?.spec.state?.postgres ? await openState(config, { base, env }) : null;
  let store: RequestStore;
  try {
    store = await RequestStore.open(storePath, state ?? undefined);
  } catch (err) {
    await state?.close();
    throw err;
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await state?.close();
  };
  const ctx: DsrContext = {
    store,
    hmacKey,
    ...(planKey ? { planKey } : {}),
    auditFile: join(stateDir, 'audit.jsonl'),
    // With PostgreSQL state every DPO's machine appends to the one audit log in the database.
    ...(state ? { openAudit: (o: OpenAuditOptions) => state.openAuditLog('audit.jsonl', o) } : {}),
    actor,
    now: parseNowOption(opts.now),
    ...(config?.spec.allowSelfApproval ? { allowSelfApproval: true } : {}),
  };
  return { ctx, config, stateDir, env, checkpointsDir: checkpointsDirFor(config, base, stateDir), state, close };
}
