/** `lethe breach scope`: who and what a personal-data breach affected, and the 72-hour clock. */
import type { Command } from 'commander';
import { dsrSetup, type DsrCliOptions } from '../../dsr/context.ts';
import { runBreachScope } from '../../breach/run.ts';

type ScopeCliOptions = DsrCliOptions & { incident: string; policies: string; snapshot: string; out: string };

export function register(program: Command): void {
  const breach = program
    .command('breach')
    .description('Personal-data breaches (GDPR Art. 33/34): scope who and what was exposed, with the 72-hour notification clock.');
  breach
    .command('scope')
    .description(
      'Resolve the people an exposure affected through the erasure identity graph (shared identifiers flagged, never merged), count them by jurisdiction ' +
        '(phone country codes, address fields; "unknown" counted, never guessed), list the categories of personal data exposed (field catalog) and whether only ' +
        'masked data or keyed hashes were exposed. Writes breach.json, breach.md and breach.html (no personal data) to --out with the 72-hour deadline and a draft ' +
        'Art. 33(3) notification; the list of individuals to notify goes to the request store (<store>/breaches/<incident>/notify.json), and the incident, its ' +
        'timeline and decisions to the audit log (breach.scoped, subjects as keyed hashes only).',
    )
    .requiredOption('--incident <file>', 'incident file (YAML): incident, awareAt, timeZone, description, exposed[{system, type, destination?, when?}], window?, dpo?, measures?, timeline?, decisions?')
    .requiredOption('--policies <dir>', 'policy bundle (its ErasurePolicy identity types resolve people; its MaskingPolicies say what a masked export held)')
    .requiredOption('--snapshot <dir>', 'a complete snapshot (meta.json and every hold source; an incomplete one is refused)')
    .requiredOption('--out <dir>', 'where breach.json, breach.md and breach.html are written')
    .option('--config <file>', 'runner config (request store, state folder, keys.hmac.default)')
    .option('--store <dir>', 'request store folder (overrides the config; default ~/.lethe/requests)')
    .option('--state-dir <dir>', 'state folder holding the audit log (overrides the config; default .lethe)')
    .option('--actor <who>', 'who is acting, recorded in the audit log (default: $LETHE_ACTOR, else the OS user)')
    .option('--now <iso>', 'the time of the report (tests and replays; default now)')
    .addHelpText(
      'after',
      '\nExample incident file:\n' +
        '  incident: inc-2026-03-analytics-bucket\n  awareAt: 2026-03-28T09:30:00+01:00\n  timeZone: Europe/Berlin\n' +
        '  description: A storage bucket holding the analytics export was public for 12 days.\n' +
        '  window: {from: 2026-03-16T00:00:00Z, to: 2026-03-28T08:00:00Z}\n' +
        '  exposed:\n    - {system: salesforce, type: contact, destination: analytics-export}\n    - {system: genesys, type: conversation, when: {fields.mediaType: voice}}\n' +
        '  dpo: {name: Dana Officer, contact: dpo desk +49 30 0000 0000}\n' +
        '\nExamples:\n  lethe breach scope --incident inc.yaml --policies policies --snapshot snap --out breach --config lethe.yaml\n' +
        '  LETHE_HMAC_KEY=$(openssl rand -hex 32) lethe breach scope --incident inc.yaml --policies policies --snapshot snap --out breach --store ~/.lethe/requests\n' +
        'Exit status: 0 report written; 1 a problem (FILE:LINE:COL field: what is wrong — unknown system or type, impossible window, incomplete snapshot), nothing written.',
    )
    .action(async (opts: ScopeCliOptions) => {
      const s = await dsrSetup(opts);
      const r = await runBreachScope(opts, s.ctx);
      const k = r.report.clock;
      process.stdout.write(
        `breach ${r.report.incident.id}: ${r.report.counts.subjects} people, ${r.report.counts.records} records${r.report.maskedOnly ? ' (masked data only)' : ''}; ` +
          `notify the authority by ${k.deadlineLocal} ${k.zone} (${k.deadline} UTC)${k.overdue ? ' — OVERDUE' : `, ${k.hoursLeft} h left`}\n` +
          `${r.files.join('\n')}\npeople to notify: ${r.notifyFile}\n`,
      );
    });
}
