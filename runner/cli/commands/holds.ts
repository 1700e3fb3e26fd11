/** `lethe holds sync`: mirror legal holds on conversations as Genesys deletion protection. */
import type { Command } from 'commander';
import { formatProblem, loadPolicyDir } from '../../../engine/load/index.ts';
import { connectorsFromConfig } from '../../connections.ts';
import { mirrorConnector, mirrorSystem, syncHoldMirrors } from '../../hold-mirror.ts';
import { UserError } from '../errors.ts';
import { loadRunnerSetup } from './apply.ts';

export function register(program: Command): void {
  const holds = program.command('holds').description('Legal holds beyond Lethe: mirror them into the systems\' own protection.');
  holds
    .command('sync')
    .description(
      'Protect from deletion in Genesys (recording deletion protection) every conversation an active LegalHold names, and lift the protection Lethe placed once its hold ends. Protection placed by others is never lifted. Checks the org-wide cap of protected conversations first and warns from 90 % of it.',
    )
    .requiredOption('--config <file>', 'runner config (Genesys connector, state directory, policies)')
    .option('--dry-run', 'show what would be protected and lifted')
    .option('--cap <n>', 'the org\'s cap on protected conversations', '1000')
    .action(async (opts: { config: string; dryRun?: boolean; cap: string }) => {
      const s = await loadRunnerSetup(opts.config);
      const policies = await loadPolicyDir(s.policiesDir);
      if (!policies.bundle) throw new UserError(`policies in ${s.policiesDir} are not valid:\n${policies.problems.map(formatProblem).join('\n')}`);
      const connector = mirrorConnector(connectorsFromConfig(s.config));
      if (!connector) throw new UserError(`the config has no ${mirrorSystem() ?? 'conversation'} connector`);
      try {
        const r = await syncHoldMirrors({ bundle: policies.bundle, connector, stateDir: s.stateDir, now: new Date(), cap: Number(opts.cap), ...(opts.dryRun ? { dryRun: true } : {}) });
        process.stdout.write(`${opts.dryRun ? 'would protect' : 'protected'} ${r.protect.length}, ${opts.dryRun ? 'would lift' : 'lifted'} ${r.unprotect.length}; ${r.alreadyProtected} of ${r.desired} held conversations were already protected; ${r.protectedAfter} of ${r.cap} in use\n`);
        for (const w of r.warnings) process.stdout.write(`warning: ${w}\n`);
        for (const f of r.failed) process.stdout.write(`failed: conversation ${f.conversation}: ${f.reason}\n`);
        if (r.failed.length || r.protectedAfter > r.cap) process.exitCode = 1;
      } finally {
        await connector.close();
      }
    });
}
