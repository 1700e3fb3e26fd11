/** `lethe audit verify FILE` and `lethe audit show FILE [--type T]`: check and read the audit log. */
import { Command } from 'commander';
import { readAuditEntries } from '../../audit/read.ts';
import { verifyAuditLog } from '../../audit/verify.ts';
import { UserError } from '../errors.ts';

type Out = (text: string) => void;
const stdout: Out = (t) => process.stdout.write(t);
const stderr: Out = (t) => process.stderr.write(t);

/** Returns the exit code: 0 when the log verifies, 1 with `FILE:LINE: what is wrong` otherwise. */
export async function runAuditVerify(file: string, io: { out?: Out; err?: Out } = {}): Promise<number> {
  const out = io.out ?? stdout;
  const err = io.err ?? stderr;
  const result = await verifyAuditLog(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new UserError(`${file}: no such audit log`);
    throw e;
  });
  for (const note of result.notes) err(`${file}: note: ${note}\n`);
  if (result.ok) {
    out(`${file}: ok, ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}${result.last ? `, head seq ${result.last.seq} ${result.last.hash}` : ''}\n`);
    return 0;
  }
  const p = result.problem!;
  err(`${p.file ?? file}:${p.line}: ${p.kind}: ${p.message}\n`);
  return 1;
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
    .argument('<file>', 'audit log (JSON lines)')
    .action(async (file: string) => {
      process.exitCode = await runAuditVerify(file);
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
