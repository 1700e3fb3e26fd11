/**
 * A child runner for the postgres shared-apply test: `applyPlan` on the shared PostgreSQL state,
 * as `lethe apply --config … --requests …` does it, but with small batches (argv) so that one plan
 * gives many batches to claim and many points to be killed at. Exit 0 when the plan ran without a
 * failed action, 1 otherwise (the test kills it with SIGKILL at points of its choosing).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { Plan } from '../../engine/plan/types.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { loadPolicyDir } from '../../engine/load/index.ts';
import { applyPlan } from '../../runner/apply/index.ts';
import { subjectsFromRequestFiles } from '../../runner/cli/commands/apply.ts';
import { postgresState } from '../../runner/state/postgres/store.ts';

const [configFile, planFile, requestsDir, url, batch] = process.argv.slice(2);
const config = parse(await readFile(configFile!, 'utf8')) as RunnerConfig;
const plan = JSON.parse(await readFile(planFile!, 'utf8')) as Plan;
const bundle = (await loadPolicyDir(config.spec.policies!)).bundle!;
const state = await postgresState({ url: url! });
const size = Number(batch);
try {
  const r = await applyPlan(plan, {
    config,
    stateDir: config.spec.stateDir!,
    state,
    bundle,
    env: process.env,
    resolveSubject: await subjectsFromRequestFiles(requestsDir!),
    batchSizes: { genesys: size, salesforce: size },
  });
  if (r.failed.length) {
    process.stderr.write(`failed: ${r.failed.map((f) => f.reason).join('; ')}\n`);
    process.exitCode = 1;
  }
} finally {
  await state.close();
}
