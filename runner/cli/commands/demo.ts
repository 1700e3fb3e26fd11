/** `lethe demo`: the README's main command on the embedded default. */
import type { Command } from 'commander';
import { formatProblem, hasErrors, loadPolicyDir } from '../../../engine/load/index.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the demo end to end on the embedded default: validate the example policies in policies/ and summarise the bundle.')
    .option('--policies <dir>', 'policy folder', 'policies')
    .action(async (opts: { policies: string }) => {
      const r = await loadPolicyDir(opts.policies, { now: new Date().toISOString() });
      for (const p of r.problems) process.stderr.write(`${formatProblem(p)}\n`);
      if (hasErrors(r.problems) || !r.bundle) {
        process.exitCode = 1;
        return;
      }
      const b = r.bundle;
      const out = process.stdout;
      out.write(`Lethe demo — policy bundle ${b.hash}\n\n`);
      for (const p of b.retention) out.write(`  retention  ${p.metadata.name}: ${p.spec.appliesTo.system}/${p.spec.appliesTo.type} kept ${p.spec.retainFor}, then ${p.spec.then}\n`);
      for (const p of b.masking) out.write(`  masking    ${p.metadata.name}: destination ${p.spec.destination}, ${Object.keys(p.spec.fields).length} field rules\n`);
      for (const p of b.consent) out.write(`  consent    ${p.metadata.name}: ${p.spec.purpose} gates ${p.spec.destinations.join(', ')}${p.spec.onWithdrawal ? `, purge within ${p.spec.onWithdrawal.within}` : ''}\n`);
      for (const p of b.erasure) out.write(`  erasure    ${p.metadata.name}: ${p.spec.scope.length} scope entries, ${p.spec.exceptions?.length ?? 0} exceptions, deadline ${p.spec.deadline ?? 'P30D'}\n`);
      for (const p of b.holds) out.write(`  legal hold ${p.metadata.name}: case ${p.spec.caseRef}${p.spec.expires ? `, expires ${p.spec.expires}` : ''}\n`);
    });
}
