/**
 * `lethe demo` (the README's main command): the whole path on the embedded default — start both
 * emulators with a seeded data set, snapshot them through the real connectors over HTTP, plan with
 * the example policies, print a readable summary and write the plan files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { canonicalFile } from '../../../engine/canonical.ts';
import { planMarkdown } from '../../../engine/plan/markdown.ts';
import type { Plan } from '../../../engine/plan/types.ts';
import { REGISTRY } from '../../../connectors/registry.ts';
import { connectorsFromConfig } from '../../connections.ts';
import { startSandbox } from '../../sandbox.ts';
import { takeSnapshot } from '../../take-snapshot.ts';
import { UserError } from '../errors.ts';
import { packageRoot } from './init.ts';
import { parseNow, runPlan } from './plan.ts';

export interface DemoOptions {
  seed: string;
  records: string;
  now?: string;
  out: string;
  policies: string;
}

function positive(name: string, v: string, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UserError(`--${name} must be a whole number from 1 to ${max} (got ${JSON.stringify(v)})`);
  return n;
}

export async function runDemo(opts: DemoOptions, print: (s: string) => void): Promise<Plan> {
  const seed = positive('seed', opts.seed, 2 ** 31);
  const records = positive('records', opts.records, 200_000);
  const now = parseNow(opts.now ?? `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
  const t0 = Date.now();
  print(`1. Starting emulated ${REGISTRY.map((f) => f.label).join(', ')} with a seeded org (seed ${seed}, ~${records} records, now ${now})…\n`);
  const sandbox = await startSandbox({ seed, records, now });
  try {
    print(`   ${sandbox.people} people; ${REGISTRY.filter((f) => sandbox.emulators[f.name]).map((f) => `${f.label} at ${(sandbox.emulators[f.name]!.handle as { url: string }).url}`).join(', ')}\n`);
    const snapDir = join(opts.out, 'snapshot');
    print(`2. Snapshot through the connectors over HTTP -> ${snapDir}\n`);
    const connectors = connectorsFromConfig(sandbox.config, { ...process.env, ...sandbox.env });
    const snap = await takeSnapshot(connectors, snapDir, { createdAt: now });
    await Promise.all(connectors.map((c) => c.close()));
    for (const [k, n] of Object.entries(snap.counts)) if (n) print(`   ${k.padEnd(28)} ${String(n).padStart(7)}\n`);
    print(`   ${'total'.padEnd(28)} ${String(snap.total).padStart(7)}\n`);
    print(`3. Plan with the policies in ${opts.policies}/\n`);
    const plan = await runPlan({ policies: opts.policies, snapshot: snapDir, now, format: 'json', insecureDemoKey: true });
    await mkdir(opts.out, { recursive: true });
    await writeFile(join(opts.out, 'plan.json'), canonicalFile(plan));
    await writeFile(join(opts.out, 'plan.md'), planMarkdown(plan));
    print(summary(plan));
    print(`\nWrote ${join(opts.out, 'plan.json')} and ${join(opts.out, 'plan.md')} in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`);
    print('Nothing was changed: a plan is applied only by `lethe apply` after approval.\n');
    return plan;
  } finally {
    await sandbox.stop();
  }
}

export function summary(plan: Plan): string {
  const lines = [`   plan ${plan.hash}`, `   ${plan.summary.actions} actions, ${plan.summary.protected} protected records${plan.needsApproval ? ' — NEEDS APPROVAL (a blast-radius limit was crossed)' : ''}`];
  for (const [p, n] of Object.entries(plan.summary.byPolicy).sort()) lines.push(`     ${p.padEnd(44)} ${String(n).padStart(6)}`);
  const reasons: Record<string, number> = {};
  for (const p of plan.protected) {
    const k = p.why.kind === 'hold' ? `hold ${p.why.caseRef}` : p.why.kind === 'consent' ? `consent ${p.why.purpose}` : p.why.kind === 'exception' ? `exception ${p.why.exception}` : 'shared identifier (DPO review)';
    reasons[k] = (reasons[k] ?? 0) + 1;
  }
  if (Object.keys(reasons).length) {
    lines.push('   protected by:');
    for (const [k, n] of Object.entries(reasons).sort()) lines.push(`     ${k.padEnd(44)} ${String(n).padStart(6)}`);
  }
  for (const l of plan.summary.limits.filter((x) => x.exceeded)) lines.push(`   limit crossed: ${l.policy} plans ${l.actions} of ${l.matched} matched (max ${l.maxActions} / ${l.maxPercent}%)`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the demo end to end on the embedded default: emulated Genesys + Salesforce with a seeded data set, snapshot over HTTP, plan with policies/, summary and plan files. Changes nothing.')
    .option('--seed <n>', 'data set seed', '42')
    .option('--records <n>', 'approximate number of records in the seeded org', '3000')
    .option('--now <iso>', 'the plan\'s now (default: today 00:00 UTC)')
    .option('--out <dir>', 'where the snapshot and plan files go', 'out/demo')
    .option('--policies <dir>', 'policy folder (default: ./policies, or the example bundle shipped with Lethe when there is none)')
    .addHelpText('after', '\nExamples:\n  npx lethe demo\n  npx lethe demo --records 20000 --seed 7 --out /tmp/demo\n\nExit status: 0 when the demo ran (it changes nothing), 1 on error.\nEnvironment: none (the emulators use fixed test credentials).')
    .action(async (opts: Omit<DemoOptions, 'policies'> & { policies?: string }) => {
      const policies = opts.policies ?? (existsSync('policies') ? 'policies' : join(packageRoot(), 'policies'));
      await runDemo({ ...opts, policies }, (s) => process.stdout.write(s));
    });
}
