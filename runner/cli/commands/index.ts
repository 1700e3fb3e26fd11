/**
 * Every CLI command, by module. A command's module (and the libraries behind it: jsforce, got,
 * ajv…) is imported only when that command runs, so `lethe --help` and `lethe <cmd> --help` start
 * fast from the published package. `summary` is the one-line text the top-level help lists; each
 * module's own `.description()` is the full text of `lethe <cmd> --help`. A test checks that the
 * names here are exactly the commands each module registers. Add new commands here.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export interface CommandModule {
  /** Top-level command names the module registers, with the one-line summary of each. */
  commands: Readonly<Record<string, string>>;
  load: () => Promise<RegisterCommand>;
}

export const COMMAND_MODULES: readonly CommandModule[] = [
  { commands: { demo: 'run the whole path on emulated systems with seeded data; changes nothing' }, load: async () => (await import('./demo.ts')).register },
  { commands: { sandbox: 'start the emulated Genesys Cloud and Salesforce APIs with seeded data' }, load: async () => (await import('./sandbox.ts')).register },
  { commands: { validate: 'validate a policy folder (and optionally a request store and runner config)' }, load: async () => (await import('./validate.ts')).register },
  { commands: { policies: 'list the documents of a policy bundle and its hash' }, load: async () => (await import('./policies.ts')).register },
  { commands: { schemas: 'print or write the JSON Schemas of every document kind' }, load: async () => (await import('./schemas.ts')).register },
  { commands: { generate: 'write a synthetic snapshot (people, households, history) for tests and benchmarks' }, load: async () => (await import('./generate.ts')).register },
  { commands: { snapshot: 'read the systems through their connectors into a snapshot folder' }, load: async () => (await import('./snapshot.ts')).register },
  { commands: { plan: 'compute what the policies would do to a snapshot: a deterministic plan' }, load: async () => (await import('./plan.ts')).register },
  { commands: { diff: 'compare two plans (Markdown for a pull request, or JSON)' }, load: async () => (await import('./diff.ts')).register },
  { commands: { apply: 'apply an approved plan safely: verify, re-check, journal, resume' }, load: async () => (await import('./apply.ts')).register },
  { commands: { holds: 'mirror legal holds into the systems\' own deletion protection' }, load: async () => (await import('./holds.ts')).register },
  { commands: { dsr: 'data subject requests: open, verify, discover, approve, execute, export, close' }, load: async () => (await import('./dsr.ts')).register },
  { commands: { ci: 'checks for continuous integration (the policy pull-request check)' }, load: async () => (await import('./ci.ts')).register },
  { commands: { report: 'self-contained HTML reports (plan, diff, DSR)' }, load: async () => (await import('./report.ts')).register },
  { commands: { forecast: 'what retention will delete month by month' }, load: async () => (await import('./forecast.ts')).register },
  { commands: { test: 'run the policy tests (*.test.yaml) of a policy folder' }, load: async () => (await import('./test.ts')).register },
  { commands: { gate: 'filter NDJSON records to those whose consent allows a destination' }, load: async () => (await import('./gate.ts')).register },
  { commands: { mask: 'mask NDJSON records as a destination\'s masking policy says' }, load: async () => (await import('./mask.ts')).register },
  { commands: { audit: 'verify and read the hash-chained audit log; sign checkpoints of it; list every event about one subject' }, load: async () => (await import('./audit.ts')).register },
  { commands: { breach: 'scope a personal-data breach: affected people, jurisdictions, categories, the 72-hour clock' }, load: async () => (await import('./breach.ts')).register },
  { commands: { ropa: 'generate the Art. 30 record of processing from the policy bundle (Markdown, HTML, CSV)' }, load: async () => (await import('./ropa.ts')).register },
  { commands: { certificate: 'verify erasure certificates', keys: 'generate signing keys' }, load: async () => (await import('./certificate.ts')).register },
  { commands: { state: 'the runner\'s state store: migrate PostgreSQL, show locks and journals, export and import' }, load: async () => (await import('./state.ts')).register },
  { commands: { schedule: 'run the runner config\'s cron jobs (snapshot, plan, apply, dsr-poll, hold-sync)' }, load: async () => (await import('./schedule.ts')).register },
  { commands: { init: 'scaffold a policy repository (example bundle, tests, config, workflows)' }, load: async () => (await import('./init.ts')).register },
  { commands: { hash: 'print the keyed hash of an identifier for a legal hold\'s identifierHashes' }, load: async () => (await import('./hash.ts')).register },
  { commands: { serve: 'serve consent checks, gating and masking over HTTP at query time, with live consent' }, load: async () => (await import('./serve.ts')).register },
];

/** Every command module's register function (imports them all: for tests and whole-tree walks). */
export async function loadAllCommands(): Promise<RegisterCommand[]> {
  return Promise.all(COMMAND_MODULES.map((m) => m.load()));
}

/** The module that registers a top-level command name, if any. */
export function moduleOf(name: string): CommandModule | undefined {
  return COMMAND_MODULES.find((m) => Object.hasOwn(m.commands, name));
}
