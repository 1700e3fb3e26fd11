/** What the system-facing DSR commands need from the config: connectors and the approved policy bundle. */
import { dirname, resolve } from 'node:path';
import type { RateBudget } from '../../connectors/budget.ts';
import type { Connector } from '../../connectors/types.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { formatProblem, loadPolicyDir } from '../../engine/load/index.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { UserError } from '../cli/errors.ts';
import { connectorsFromConfig } from '../connections.ts';

export async function bundleFor(config: RunnerConfig, configFile: string): Promise<Bundle> {
  const dir = resolve(dirname(resolve(configFile)), config.spec.policies ?? 'policies');
  const loaded = await loadPolicyDir(dir);
  if (!loaded.bundle) {
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    throw new UserError(`policies in ${dir} have ${errors.length} error(s):\n${errors.map(formatProblem).join('\n')}`);
  }
  return loaded.bundle;
}

/**
 * Runs `fn` with live connectors from the config, closing them afterwards. `budget`: the org rate
 * budget of the state store (PostgreSQL shares it with every runner); in-process when absent.
 */
export async function withConnectors<T>(config: RunnerConfig, env: NodeJS.ProcessEnv, fn: (c: Connector[]) => Promise<T>, budget?: RateBudget): Promise<T> {
  const connectors = connectorsFromConfig(config, env, budget);
  try {
    return await fn(connectors);
  } finally {
    await Promise.all(connectors.map((c) => c.close()));
  }
}
