/**
 * Which state store a runner config names: `state: {postgres: {url: {env: NAME}}}` is PostgreSQL,
 * anything else the files under `stateDir` (default `.lethe` beside the config), with the request
 * records in the request store folder (`requestStore`, default `~/.lethe/requests`).
 */
import { resolve } from 'node:path';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { expandHome, resolveSecret } from '../secrets.ts';
import { fileState } from './files.ts';
import { resolveStorePath } from '../dsr/store.ts';
import { postgresState } from './postgres/store.ts';
import type { StateStore } from './types.ts';

export interface OpenStateOptions {
  /** Folder of the config file (relative paths are taken from it). */
  base: string;
  env?: NodeJS.ProcessEnv;
  /** `lethe state migrate` / `status`: open a database whatever its schema version. */
  anyVersion?: boolean;
}

export function stateDirOf(config: RunnerConfig, base: string): string {
  return resolve(base, expandHome(config.spec.stateDir ?? '.lethe'));
}

export async function openState(config: RunnerConfig, options: OpenStateOptions): Promise<StateStore> {
  const pgc = config.spec.state?.postgres;
  if (!pgc) return fileState(stateDirOf(config, options.base), { requestStore: resolveStorePath(config.spec.requestStore, options.base) });
  const url = resolveSecret(pgc.url, 'state.postgres.url', options.env ?? process.env);
  return postgresState({ url, ...(options.anyVersion ? { anyVersion: true } : {}), ...(pgc.poolSize !== undefined ? { poolSize: pgc.poolSize } : {}) });
}
