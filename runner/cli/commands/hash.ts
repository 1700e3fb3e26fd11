/**
 * `lethe hash`: the keyed hash of a subject identifier, exactly as a LegalHold's `identifierHashes`
 * (and plans, the audit log, certificates) hold it: engine/masking/keys.ts `subjectHash` under the
 * plan's subject-hash key (`planKey`: LETHE_HMAC_KEY or the config's keys.hmac.default), after the
 * same normalisation. Identifiers come from the arguments or, when none is given, from standard
 * input one per line, so that the plain identifier need not be in the shell history. An identifier
 * is never printed or logged: errors name its position only.
 */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { formatProblem, hasErrors, loadConfigFile } from '../../../engine/load/index.ts';
import type { RunnerConfig } from '../../../engine/schema/index.ts';
import { subjectHash } from '../../../engine/masking/keys.ts';
import { normalizeIdentifierKey } from '../../../connectors/normalize.ts';
import { UserError } from '../errors.ts';
import { planKey } from './plan.ts';

/** One identifier as given, and where it came from ("argument 2", "line 7 of standard input"). */
export interface IdentifierInput {
  text: string;
  where: string;
}

const KIND = /^[a-z][a-z0-9-]*$/;
const KINDED = /^([A-Za-z][A-Za-z0-9-]*):(.+)$/s;
/** Kinds whose values are checked (not only trimmed) before hashing, with what a value must be. */
const CHECKED: Readonly<Record<string, string>> = { email: 'an e-mail address', phone: 'a phone number (E.164, e.g. +441632960001, or a national number)' };
const MAX_LINES = 1_000_000;

/** `kind:value` for an input: with `kind`, a plain value gets the prefix (one already carrying it is kept). */
function withKind(input: IdentifierInput, kind: string | undefined): string {
  const text = input.text.trim();
  if (text === '') throw new UserError(`${input.where}: an empty identifier`);
  if (kind !== undefined) return text.toLowerCase().startsWith(`${kind}:`) ? text : `${kind}:${text}`;
  if (!KINDED.test(text)) throw new UserError(`${input.where}: an identifier is kind:value (email:…, phone:+…, sf:…); pass --kind email (or phone, …) for plain values`);
  return text;
}

/**
 * The keyed hash of every input, in order, or a UserError naming the first input that cannot be
 * hashed (by position, never by value). Nothing is returned unless every input is good.
 */
export function hashIdentifiers(inputs: readonly IdentifierInput[], key: Uint8Array, kind?: string): string[] {
  if (kind !== undefined && !KIND.test(kind)) throw new UserError(`--kind must be a lower-case kind such as email or phone (got ${JSON.stringify(kind)})`);
  if (inputs.length === 0) throw new UserError('no identifier given (as arguments or on standard input, one per line)');
  const ids = inputs.map((input) => {
    const id = withKind(input, kind);
    const k = KINDED.exec(id)![1]!.toLowerCase();
    if (CHECKED[k] !== undefined && normalizeIdentifierKey(id) === null) throw new UserError(`${input.where}: not ${CHECKED[k]}, so it would hash to a value no record carries`);
    return id;
  });
  return ids.map((id) => subjectHash(id, key));
}

/** Non-empty lines of a stream (at most MAX_LINES), with their line numbers. */
export async function readIdentifierLines(stream: Readable, name = 'standard input'): Promise<IdentifierInput[]> {
  const out: IdentifierInput[] = [];
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    if (out.length >= MAX_LINES) throw new UserError(`more than ${MAX_LINES} identifiers on ${name}: split the input`);
    out.push({ text: line, where: `line ${n} of ${name}` });
  }
  return out;
}

async function loadConfig(file: string | undefined): Promise<RunnerConfig | null> {
  if (!file) return null;
  const loaded = await loadConfigFile(file, { now: new Date().toISOString() });
  if (!loaded.config || hasErrors(loaded.problems)) throw new UserError(`runner config ${file} is not valid:\n${loaded.problems.filter((p) => p.severity === 'error').map(formatProblem).join('\n')}`);
  return loaded.config;
}

export function register(program: Command): void {
  program
    .command('hash')
    .description(
      'Print the keyed hash of subject identifiers, exactly as a LegalHold\'s identifierHashes holds them (hmac:<32 hex>), one per line in input order. ' +
        'Identifiers are normalised first (email lower-cased, phone as E.164), so email:Ann@Example.com and email:ann@example.com hash alike. ' +
        'With no identifier argument, reads them from standard input, one per line, so they stay out of the shell history. Identifiers are never printed or logged.',
    )
    .argument('[identifiers...]', 'identifiers as kind:value (email:ann@example.com, phone:+441632960001); with --kind, plain values')
    .option('--kind <kind>', 'the kind of plain values (email, phone, sf, gc, …): --kind email ann@example.com is email:ann@example.com')
    .option('--config <file>', 'runner config naming the subject-hash key (keys.hmac.default); default: LETHE_HMAC_KEY')
    .option('--insecure-demo-key', 'use the public demo HMAC key, as `lethe plan --insecure-demo-key` does (demos only)')
    .addHelpText(
      'after',
      '\nUse the same key as the runner that plans (LETHE_HMAC_KEY or keys.hmac.default): a hash made under another key matches nothing.\n' +
        '\nExamples:\n' +
        '  lethe hash --kind email < subjects.txt                 # one address per line; prints one hash per line\n' +
        '  lethe hash --config lethe.yaml email:ann@example.com\n' +
        '  pbpaste | lethe hash --kind phone\n' +
        '\nExit codes:\n  0  every identifier hashed\n  1  no key, no identifier, or an identifier that is not kind:value or not a valid e-mail address or phone number (named by position; nothing printed)\n' +
        '\nEnvironment:\n  LETHE_HMAC_KEY  HMAC key for subject hashes (unless the config names keys.hmac.default)\n  the variable or file the config names for keys.hmac.default\n',
    )
    .action(async (identifiers: string[], opts: { kind?: string; config?: string; insecureDemoKey?: boolean }) => {
      const key = planKey(await loadConfig(opts.config), opts.insecureDemoKey);
      let inputs: IdentifierInput[];
      if (identifiers.length > 0) inputs = identifiers.map((text, i) => ({ text, where: `argument ${i + 1}` }));
      else {
        if (process.stdin.isTTY) process.stderr.write('lethe: reading identifiers from standard input, one per line; end with Ctrl-D\n');
        inputs = await readIdentifierLines(process.stdin);
      }
      const hashes = hashIdentifiers(inputs, key, opts.kind);
      process.stdout.write(`${hashes.join('\n')}\n`);
    });
}
