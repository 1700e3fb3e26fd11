/**
 * `lethe audit verify FILE`, `lethe audit show FILE [--type T]` and `lethe audit checkpoint`:
 * check and read the audit log, and sign its head into the checkpoints folder.
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { checkAgainstCheckpoints, readCheckpoints, writeCheckpoint } from '../../audit/checkpoint.ts';
import { readAuditEntries } from '../../audit/read.ts';
import { verifyAuditLog } from '../../audit/verify.ts';
import { checkpointsDirFor, checkSigningKey, hmacKeyFrom, loadConfig } from '../../dsr/context.ts';
import { subjectEvents, SubjectQueryError } from '../../audit/subject.ts';
import { readIdentifierLines } from './hash.ts';
import { expandHome } from '../../secrets.ts';
import { UserError } from '../errors.ts';
import { openState, type StateStore } from '../../state/index.ts';

type Out = (text: string) => void;
const stdout: Out = (t) => process.stdout.write(t);
const stderr: Out = (t) => process.stderr.write(t);

/** Where the checkpoints of a log are looked for when no folder is given: `audit-checkpoints` beside it. */
export function defaultCheckpointsDir(logFile: string): string {
  return join(dirname(resolve(logFile)), 'audit-checkpoints');
}

export interface VerifyCommandOptions {
  /** Folder of the signed checkpoints (default `audit-checkpoints` beside the log). */
  checkpoints?: string;
  /** Public key (PEM text) the checkpoints must be signed with. */
  publicPem?: string;
}

/**
 * Returns the exit code: 0 when the log verifies (chain, head file and every signed checkpoint),
 * 1 with `FILE:LINE: what is wrong` otherwise.
 */
export async function runAuditVerify(file: string, io: { out?: Out; err?: Out } = {}, options: VerifyCommandOptions = {}): Promise<number> {
  const out = io.out ?? stdout;
  const err = io.err ?? stderr;
  const result = await verifyAuditLog(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new UserError(`${file}: no such audit log`);
    throw e;
  });
  for (const note of result.notes) err(`${file}: note: ${note}\n`);
  if (result.ok) {
    const cps = await readCheckpoints(options.checkpoints ?? defaultCheckpointsDir(file), file);
    const verdict = checkAgainstCheckpoints(file, result, cps, options.publicPem);
    for (const note of verdict.notes) err(`${file}: note: ${note}\n`);
    if (verdict.problems.length > 0) {
      for (const p of verdict.problems) err(`${p}\n`);
      return 1;
    }
    out(`${file}: ok, ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}${result.last ? `, head seq ${result.last.seq} ${result.last.hash}` : ''}\n`);
    return 0;
  }
  const p = result.problem!;
  err(`${p.file ?? file}:${p.line}: ${p.kind}: ${p.message}\n`);
  return 1;
}

/** `lethe audit verify --config`: the state store's log (files or PostgreSQL) and its checkpoints. */
export async function runStateAuditVerify(state: StateStore, name: string, io: { out?: Out; err?: Out } = {}, options: VerifyCommandOptions = {}): Promise<number> {
  if (state.kind === 'files') return runAuditVerify(join(state.location, name), io, options);
  const out = io.out ?? stdout;
  const err = io.err ?? stderr;
  const where = `${state.location} ${name}`;
  const result = await state.verifyAuditLog(name);
  for (const note of result.notes) err(`${where}: note: ${note}\n`);
  if (!result.ok) {
    const p = result.problem!;
    err(`${where}: seq ${p.line}: ${p.kind}: ${p.message}\n`);
    return 1;
  }
  if (options.checkpoints) {
    const verdict = checkAgainstCheckpoints(where, result, await readCheckpoints(options.checkpoints, name), options.publicPem);
    for (const note of verdict.notes) err(`${where}: note: ${note}\n`);
    if (verdict.problems.length > 0) {
      for (const p of verdict.problems) err(`${p}\n`);
      return 1;
    }
  }
  out(`${where}: ok, ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}${result.last ? `, head seq ${result.last.seq} ${result.last.hash}` : ''}\n`);
  return 0;
}

export async function runAuditShow(file: string, options: { type?: string; json?: boolean }, io: { out?: Out; err?: Out } = {}): Promise<number> {
  const out = io.out ?? stdout;
  const err = io.err ?? stderr;
  const read = await readAuditEntries(file, options.type ? { type: options.type } : {}).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new UserError(`${file}: no such audit log`);
    throw e;
  });
  for (const { entry } of read.entries) {
    if (options.json) out(`${JSON.stringify(entry)}\n`);
    else {
      const who = entry.actor ? ` by ${entry.actor}` : '';
      const subject = entry.subject ? ` subject=${entry.subject.join(',')}` : '';
      out(`${String(entry.seq).padStart(6)}  ${entry.at}  ${entry.type}${who}${subject}  ${JSON.stringify(entry.data)}\n`);
    }
  }
  for (const u of read.unreadable) err(`${file}:${u.line}: unreadable: ${u.message}\n`);
  err('(not verified: run lethe audit verify to check the chain)\n');
  return 0;
}

export function register(program: Command): void {
  const audit = program
    .command('audit')
    .description('Check and read the hash-chained audit log the runner writes (every applied action, approval, request transition and certificate).');
  audit
    .command('verify')
    .description(
      'Verify the hash chain of an audit log and its head file (<file>.head): finds any edited, deleted, reordered or cut-off entry. Exit 0 when intact, 1 with FILE:LINE: what is wrong.',
    )
    .argument('[file]', 'audit log (JSON lines); without it, the audit log of the --config state (files or PostgreSQL)')
    .option('--checkpoints <dir>', 'folder of the signed checkpoints (default: auditCheckpoints of --config, else audit-checkpoints beside the log)')
    .option('--public-key <file>', 'Ed25519 public key (signing.pub) the checkpoints must be signed with')
    .option('--config <file>', 'runner config: its auditCheckpoints folder and the public half of keys.signing')
    .option('--sink', 'compare the config\'s audit log with the append-only sink (auditSink in the config): the sink\'s chain must verify and match the local one')
    .addHelpText(
      'after',
      '\nThe log is also checked against its signed checkpoints (lethe audit checkpoint; dsr and apply write one after each run):\n' +
        'a log cut short with its head file rewritten to match fails as truncated past the last checkpoint.\n' +
        'Without FILE, the log of the config\'s state store is verified: the file under stateDir or the insert-only table in PostgreSQL.\n' +
        'Examples:\n  lethe audit verify --config lethe.yaml\n  lethe audit verify .lethe/audit.jsonl\n  lethe audit verify .lethe/audit.jsonl --config lethe.yaml\n  lethe audit verify audit.jsonl --checkpoints /mnt/anchors --public-key signing.pub\n' +
        'Exit status: 0 intact, 1 a problem (FILE:LINE: kind: message).',
    )
    .action(async (file: string | undefined, opts: { checkpoints?: string; publicKey?: string; config?: string; sink?: boolean }) => {
      if (opts.sink) {
        if (!opts.config || file !== undefined) throw new UserError('--sink compares the audit log of --config with its sink: give --config and no FILE');
        const { runAuditVerifySink } = await import('./audit-sink.ts');
        process.exitCode = await runAuditVerifySink(opts.config, stdout, stderr);
        return;
      }
      if (file === undefined) {
        if (!opts.config) throw new UserError('give the audit log FILE, or --config to verify the audit log of the runner\'s state');
        const state = await openState(await loadConfig(opts.config), { base: dirname(resolve(opts.config)) });
        try {
          process.exitCode = await runStateAuditVerify(state, 'audit.jsonl', {}, await verifyOptions(opts));
        } finally {
          await state.close();
        }
        return;
      }
      process.exitCode = await runAuditVerify(file, {}, await verifyOptions(opts));
    });
  audit
    .command('checkpoint')
    .description('Sign the audit log\'s current head (seq and hash) with keys.signing and append it to the checkpoints folder, kept apart from the log.')
    .requiredOption('--config <file>', 'runner config: stateDir (the log), keys.signing, auditCheckpoints')
    .option('--log <file>', 'audit log (default <stateDir>/audit.jsonl)')
    .option('--checkpoints <dir>', 'checkpoints folder (default auditCheckpoints, else <stateDir>/audit-checkpoints)')
    .addHelpText('after', '\nExample:\n  lethe audit checkpoint --config lethe.yaml\nExit status: 0 written (or nothing to sign in an empty log), 1 on an error (no signing key, a log that does not verify).')
    .action(async (opts: { config: string; log?: string; checkpoints?: string }) => {
      const { config, log, dir } = await checkpointTarget(opts);
      if (!existsSync(log)) throw new UserError(`${log}: no such audit log`);
      const cp = await writeCheckpoint(log, dir, checkSigningKey(config, process.env));
      process.stdout.write(cp ? `${log}: checkpoint seq ${cp.body.seq} ${cp.body.hash} signed by ${cp.signature.keyId} in ${dir}\n` : `${log}: empty, nothing to sign\n`);
    });
  audit
    .command('subject')
    .description(
      'Every audit event about one data subject (for an access request about the audit trail itself): each identifier is normalised and hashed with the HMAC key ' +
        '(LETHE_HMAC_KEY or keys.hmac.default, the key every event was written with) and looked up in the entries\' subjects and data. The plain identifier is never written or printed.',
    )
    .option('--identifier <kind:value>', 'an identifier of the subject: email:…, phone:+…, sf:…, gc:… (a bare e-mail or +phone also works); repeatable. Without it, identifiers are read from standard input, one per line (kept out of shell history)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--log <file>', 'audit log (default <stateDir>/audit.jsonl of --config, else .lethe/audit.jsonl)')
    .option('--config <file>', 'runner config: stateDir and keys.hmac.default')
    .option('--json', 'print the matching entries as JSON lines')
    .addHelpText(
      'after',
      '\nExamples:\n  lethe audit subject --identifier email:ann@example.com --config lethe.yaml\n  lethe audit subject --config lethe.yaml < identifiers.txt\n  LETHE_HMAC_KEY=… lethe audit subject --identifier +4915112345678 --identifier sf:003000000000001AAA --log .lethe/audit.jsonl --json\n' +
        'Exit status: 0 the events were listed and the log verifies; 1 the log does not verify (events still listed, marked untrustworthy), no key, or an identifier that cannot be normalised.',
    )
    .action(async (opts: { identifier?: string[]; log?: string; config?: string; json?: boolean }) => {
      const config = opts.config ? await loadConfig(opts.config) : null;
      const log = opts.log ? resolve(opts.log) : opts.config ? (await checkpointTarget({ config: opts.config })).log : resolve('.lethe', 'audit.jsonl');
      let identifiers = opts.identifier ?? [];
      if (identifiers.length === 0) {
        if (process.stdin.isTTY) process.stderr.write('lethe: reading identifiers from standard input, one per line; end with Ctrl-D\n');
        identifiers = (await readIdentifierLines(process.stdin)).map((i) => i.text.trim());
      }
      process.exitCode = await runAuditSubject(log, identifiers, hmacKeyFrom(config, process.env), opts.json ? { json: true } : {});
      });
  audit
    .command('ship')
    .description('Ship the audit log\'s entries the sink does not hold yet, in order and exactly once, then the signed checkpoints, to the append-only sink (auditSink.postgres in the config, a database prepared with lethe state migrate). While the sink is down the entries wait in the local log (itself durable) and go with the next shipment; nothing is dropped.')
    .requiredOption('--config <file>', 'runner config with auditSink.postgres.url')
    .addHelpText('after', '\nlethe apply and the scheduler\'s apply job ship by themselves after each run when auditSink is configured; run this by hand to catch up after an outage.\nExamples:\n  lethe audit ship --config lethe.yaml\n  lethe audit verify --sink --config lethe.yaml\nExit status: 0 the sink holds every entry, 1 some still wait (sink unreachable: the message says why) or an error.')
    .action(async (opts: { config: string }) => {
      const { runAuditShip } = await import('./audit-sink.ts');
      process.exitCode = await runAuditShip(opts.config, stdout, stderr);
    });
  audit
    .command('show')
    .description('Print the entries of an audit log, oldest first (does not verify it).')
    .argument('<file>', 'audit log (JSON lines)')
    .option('-t, --type <type>', 'only entries of this type, e.g. action.done or approval.used')
    .option('--json', 'print the raw entries as JSON lines')
    .action(async (file: string, opts: { type?: string; json?: boolean }) => {
      process.exitCode = await runAuditShow(file, opts);
    });
}

/** `lethe audit subject`: every event about one subject, by keyed hash; exit 0 when the log verifies. */
export async function runAuditSubject(file: string, identifiers: readonly string[], key: Uint8Array, options: { json?: boolean }, io: { out?: Out; err?: Out } = {}): Promise<number> {
  const out = io.out ?? stdout;
  const err = io.err ?? stderr;
  if (identifiers.length === 0) throw new UserError('give at least one --identifier');
  const verdict = await verifyAuditLog(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new UserError(`${file}: no such audit log`);
    throw e;
  });
  let found;
  try {
    found = await subjectEvents(file, identifiers, key);
  } catch (e) {
    if (e instanceof SubjectQueryError) throw new UserError(e.message);
    throw e;
  }
  for (const { entry } of found.entries) {
    if (options.json) out(`${JSON.stringify(entry)}\n`);
    else out(`${String(entry.seq).padStart(6)}  ${entry.at}  ${entry.type}${entry.actor ? ` by ${entry.actor}` : ''}  ${JSON.stringify(entry.data)}\n`);
  }
  for (const u of found.unreadable) err(`${file}:${u.line}: unreadable: ${u.message}\n`);
  err(`${found.entries.length} event(s) about the subject (keyed hashes ${found.hashes.join(', ')})\n`);
  if (!verdict.ok) {
    const p = verdict.problem!;
    err(`${p.file ?? file}:${p.line}: ${p.kind}: ${p.message} (the log does not verify: these events cannot be trusted)\n`);
    return 1;
  }
  return 0;
}

async function checkpointTarget(opts: { config: string; log?: string; checkpoints?: string }): Promise<{ config: Awaited<ReturnType<typeof loadConfig>>; log: string; dir: string }> {
  const config = await loadConfig(opts.config);
  const base = dirname(resolve(opts.config));
  const stateDir = resolve(base, expandHome(config.spec.stateDir ?? '.lethe'));
  return {
    config,
    log: opts.log ? resolve(opts.log) : join(stateDir, 'audit.jsonl'),
    dir: opts.checkpoints ? resolve(opts.checkpoints) : checkpointsDirFor(config, base, stateDir),
  };
}

async function verifyOptions(opts: { checkpoints?: string; publicKey?: string; config?: string }): Promise<VerifyCommandOptions> {
  const out: VerifyCommandOptions = {};
  if (opts.config) {
    const t = await checkpointTarget({ config: opts.config });
    out.checkpoints = t.dir;
    if (t.config.spec.keys?.signing) out.publicPem = createPublicKey(checkSigningKey(t.config, process.env)).export({ type: 'spki', format: 'pem' }).toString();
  }
  if (opts.checkpoints) out.checkpoints = resolve(opts.checkpoints);
  if (opts.publicKey) {
    try {
      out.publicPem = readFileSync(expandHome(opts.publicKey), 'utf8');
    } catch {
      throw new UserError(`--public-key ${opts.publicKey} cannot be read`);
    }
  }
  return out;
}
