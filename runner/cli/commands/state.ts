/**
 * `lethe state migrate|status|export|import --config FILE`: the runner's state store (files under
 * stateDir, or PostgreSQL with `state.postgres` in the config).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadRunnerSetup } from './apply.ts';
import { fileState, openState, type StateStore } from '../../state/index.ts';
import { copyState, type CopyReport } from '../../state/copy.ts';
import { migrate, LATEST, schemaVersion } from '../../state/postgres/migrations.ts';
import { UserError } from '../errors.ts';
import { gitWorkTreeOf, realPathOf, resolveStorePath } from '../../dsr/store.ts';

type Out = (text: string) => void;

async function withState<T>(configFile: string, fn: (s: StateStore) => Promise<T>, anyVersion = false): Promise<T> {
  const setup = await loadRunnerSetup(configFile);
  const state = await openState(setup.config, { base: setup.base, anyVersion });
  try {
    return await fn(state);
  } finally {
    await state.close();
  }
}

function poolOf(state: StateStore): import('pg').Pool {
  const pool = (state as StateStore & { pool?: import('pg').Pool }).pool;
  if (!pool) throw new UserError('the config keeps the state in files (no state.postgres): there is nothing to migrate');
  return pool;
}

export async function runStateMigrate(configFile: string, opts: { grantRunner?: string }, out: Out): Promise<number> {
  return withState(
    configFile,
    async (state) => {
      const r = await migrate(poolOf(state), opts.grantRunner ? { grantRunner: opts.grantRunner } : {});
      for (const m of r.applied) out(`applied migration ${m.version}: ${m.name}\n`);
      out(`${state.location}: schema version ${r.to}${r.applied.length === 0 ? ' (already up to date)' : ` (was ${r.from})`}\n`);
      if (opts.grantRunner) out(`granted role ${opts.grantRunner}: read and write on the state, only SELECT and INSERT on lethe_audit\n`);
      return 0;
    },
    true,
  );
}

export async function runStateStatus(configFile: string, opts: { json?: boolean }, out: Out): Promise<number> {
  return withState(
    configFile,
    async (state) => {
      const version = state.kind === 'postgres' ? await schemaVersion(poolOf(state)) : null;
      if (version !== null && version !== LATEST) {
        const status = { kind: state.kind, location: state.location, schemaVersion: version, needs: LATEST };
        if (opts.json) out(`${JSON.stringify(status)}\n`);
        else out(`${state.location}: schema version ${version}, this runner needs ${LATEST}: run lethe state migrate\n`);
        return 1;
      }
      const locks = await state.heldLocks();
      const journals = [];
      for (const plan of await state.listJournals()) {
        const counts: Record<string, number> = {};
        for (const s of (await state.readJournal(plan)).values()) counts[s.state] = (counts[s.state] ?? 0) + 1;
        journals.push({ plan, counts });
      }
      const audit = [];
      for (const name of await state.listAuditLogs()) {
        const v = await state.verifyAuditLog(name);
        audit.push({ name, ok: v.ok, entries: v.entries, head: v.last?.hash ?? null, ...(v.problem ? { problem: `${v.problem.kind} at ${v.problem.line}: ${v.problem.message}` } : {}) });
      }
      const requests: Record<string, number> = {};
      for (const r of await state.listRequests()) requests[r.state] = (requests[r.state] ?? 0) + 1;
      const status = { kind: state.kind, location: state.location, ...(version !== null ? { schemaVersion: version } : {}), locks, journals, requests, audit };
      if (opts.json) {
        out(`${JSON.stringify(status, null, 2)}\n`);
      } else {
        out(`state: ${state.kind} at ${state.location}${version !== null ? ` (schema ${version})` : ''}\n`);
        out(locks.length ? 'locks held:\n' : 'locks held: none\n');
        for (const l of locks) out(`  ${l.name}  pid ${l.pid} on ${l.hostname}${l.command ? ` running "${l.command}"` : ''} since ${l.startedAt} (${l.purpose})\n`);
        out(journals.length ? 'journals:\n' : 'journals: none\n');
        for (const j of journals) out(`  ${j.plan}  ${Object.entries(j.counts).sort().map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
        const byState = Object.entries(requests).sort();
        out(`requests: ${byState.length ? byState.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}\n`);
        for (const a of audit) out(`audit log ${a.name}: ${a.ok ? 'ok' : `FAILS (${a.problem})`}, ${a.entries} entries${a.head ? `, head ${a.head}` : ''}\n`);
      }
      return audit.every((a) => a.ok) ? 0 : 1;
    },
    true,
  );
}

function printCopy(r: CopyReport, out: Out): void {
  out(`copied ${r.journals} journal(s) (${r.journalLines} lines), ${r.gdprEvents} GDPR registry event(s), ${r.requests} request(s)\n`);
  for (const a of r.auditLogs) out(`audit log ${a.name}: ${a.entries} entries, chain verified before and after, head ${a.head ?? '(empty)'}\n`);
}

/**
 * The files side of an export or import: the state folder `dir` and, for the request records, the
 * request store folder (`requests`, default the config's requestStore, where they were and where
 * the artefacts stay).
 */
export async function runStateCopy(direction: 'export' | 'import', configFile: string, dir: string, out: Out, opts: { requests?: string } = {}): Promise<number> {
  const setup = await loadRunnerSetup(configFile);
  const requestStore = opts.requests ? resolve(opts.requests) : resolveStorePath(setup.config.spec.requestStore, setup.base);
  // Request records carry personal data: never into a repository (as RequestStore.open refuses).
  if (direction === 'export' && gitWorkTreeOf(realPathOf(requestStore))) throw new UserError(`request store ${requestStore} is inside the git work tree ${gitWorkTreeOf(realPathOf(requestStore))}: requests carry personal data; pass --requests with a folder outside it`);
  return withState(configFile, async (state) => {
    const files = fileState(resolve(dir), { requestStore });
    const r = direction === 'export' ? await copyState(state, files) : await copyState(files, state);
    printCopy(r, out);
    return 0;
  });
}

export function register(program: Command): void {
  const out: Out = (t) => process.stdout.write(t);
  const state = program
    .command('state')
    .description('The runner\'s state store: files under stateDir (one runner, the default) or PostgreSQL (state.postgres in the config, several runners).');
  state
    .command('migrate')
    .description('Create or upgrade the PostgreSQL state schema (versioned migrations, each in one transaction). Runners never migrate by themselves: a runner refuses a database whose schema is not the version it needs.')
    .requiredOption('--config <file>', 'runner config with state.postgres.url')
    .option('--grant-runner <role>', 'also grant this database role what a runner needs: read/write on the state tables, only SELECT and INSERT on the audit log')
    .addHelpText('after', '\nRun it as the owner of the schema, then run the runners as a role granted with --grant-runner.\nExamples:\n  LETHE_STATE_URL=postgres://owner:…@db:5432/lethe lethe state migrate --config lethe.yaml --grant-runner lethe_runner\nExit status: 0 migrated or already up to date, 1 on an error.')
    .action(async (opts: { config: string; grantRunner?: string }) => {
      process.exitCode = await runStateMigrate(opts.config, opts, out);
    });
  state
    .command('status')
    .description('Show where the state is, who holds which lock (scheduler leadership, plan journals, request locks: which command, pid and host), each journal\'s action counts, the requests by state, and whether each audit log verifies.')
    .requiredOption('--config <file>', 'runner config')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  lethe state status --config lethe.yaml\nExit status: 0 fine, 1 an audit log does not verify or the schema needs lethe state migrate.')
    .action(async (opts: { config: string; json?: boolean }) => {
      process.exitCode = await runStateStatus(opts.config, opts, out);
    });
  state
    .command('export')
    .description('Copy the config\'s state (e.g. PostgreSQL) into an empty folder of state files, replaying every journal line, GDPR registry event and audit entry, and copying every request record (state, history; with its revision) into the request store folder; each audit chain is verified before and after and must end at the same hash.')
    .requiredOption('--config <file>', 'runner config (the source state)')
    .requiredOption('--to <dir>', 'empty state folder to write')
    .option('--requests <dir>', 'request store folder to write the request records to (default: the config\'s requestStore, where the artefacts are)')
    .addHelpText('after', '\nExample:\n  lethe state export --config lethe.yaml --to ./state-backup --requests ./requests-backup\nExit status: 0 copied, 1 the target is not empty or a chain does not verify (the message says where).')
    .action(async (opts: { config: string; to: string; requests?: string }) => {
      process.exitCode = await runStateCopy('export', opts.config, opts.to, out, opts);
    });
  state
    .command('import')
    .description('Copy a folder of state files (a runner\'s stateDir) into the config\'s state (e.g. a migrated, empty PostgreSQL), with its request records (request.json of the request store folder; the artefacts stay there), with the same checks as export.')
    .requiredOption('--config <file>', 'runner config (the target state)')
    .requiredOption('--from <dir>', 'state folder to read (stateDir of the single runner)')
    .option('--requests <dir>', 'request store folder to read the request records (request.json) from (default: the config\'s requestStore)')
    .addHelpText('after', '\nExample:\n  lethe state import --config lethe-pg.yaml --from .lethe --requests ~/.lethe/requests\nExit status: 0 copied, 1 the target is not empty or a chain does not verify.')
    .action(async (opts: { config: string; from: string; requests?: string }) => {
      process.exitCode = await runStateCopy('import', opts.config, opts.from, out, opts);
    });
}
