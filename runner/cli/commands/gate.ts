/**
 * `lethe gate`: a consent filter in a pipeline. Reads NDJSON records on standard input and writes
 * only those whose subject's consent allows the destination (DESIGN §4.3); consent events come
 * from the snapshot. Lines are passed through unchanged.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { ConsentIndex, createGate, purposesFor } from '../../../engine/evaluate/consent.ts';
import { CONSENT_IDENTITY_TYPES, isConsentIdentityType } from '../../../engine/evaluate/consent-subjects.ts';
import type { LetheRecord } from '../../../engine/records.ts';
import { planSnapshotRead, readSnapshotFileBatches, SnapshotError } from '../../../engine/snapshot/reader.ts';
import { UserError } from '../errors.ts';
import { loadPlanInputs, parseNow } from './plan.ts';

export interface GateOptions {
  destination: string;
  policies: string;
  snapshot: string;
  now?: string;
}

/**
 * Consent per person, as planning sees it: consent events plus the identity records that tie a
 * person's identifiers together, with grants in force only inside their validity window at `now`.
 */
export async function consentIndexFromSnapshot(dir: string, now: string, options: { keepRefs?: boolean; replace?: (r: LetheRecord) => LetheRecord | null } = {}): Promise<ConsentIndex> {
  const index = new ConsentIndex({ now, ...(options.keepRefs !== undefined ? { keepRefs: options.keepRefs } : {}) });
  const replace = options.replace;
  const types = ['consent', ...new Set(CONSENT_IDENTITY_TYPES.map((t) => t.type))];
  try {
    for (const { file, expectedCount } of await planSnapshotRead(dir, { types })) {
      const identity = isConsentIdentityType(file.system, file.type);
      for await (const batch of readSnapshotFileBatches(file, expectedCount === undefined ? {} : { expectedCount })) {
        for (const read of batch) {
          const r = replace ? replace(read) : read;
          if (r === null) continue;
          if (r.type === 'consent') index.add(r);
          else if (identity) index.addIdentity(r);
        }
      }
    }
  } catch (err) {
    if (err instanceof SnapshotError) throw new UserError(err.message);
    throw err;
  }
  return index;
}

/** Streams `input` to `output`, keeping lines `allows` accepts. Returns counts. */
export async function gateStream(input: Readable, output: Writable, allows: (r: LetheRecord) => boolean): Promise<{ passed: number; blocked: number }> {
  let n = 0;
  let passed = 0;
  let blocked = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    let r: LetheRecord;
    try {
      r = JSON.parse(line) as LetheRecord;
    } catch {
      throw new UserError(`standard input line ${n}: invalid JSON`);
    }
    if (r === null || typeof r !== 'object' || !Array.isArray(r.identifiers)) {
      throw new UserError(`standard input line ${n}: not a record (needs an identifiers array)`);
    }
    if (allows(r)) {
      passed++;
      if (!output.write(`${line}\n`)) await new Promise((res) => output.once('drain', res));
    } else blocked++;
  }
  return { passed, blocked };
}

export function register(program: Command): void {
  program
    .command('gate')
    .description('Filter NDJSON records from standard input to those whose consent allows a destination (consent events from the snapshot); lines pass through unchanged.')
    .requiredOption('--destination <name>', 'destination the records are going to (as in ConsentPolicy destinations)')
    .requiredOption('--policies <dir>', 'policy folder')
    .requiredOption('--snapshot <dir>', 'snapshot directory holding the consent events')
    .option('--now <iso>', 'the time used when loading policies (default: now)')
    .addHelpText('after', '\nA record passes when every purpose gating the destination is currently granted (latest event, in force at --now) for the person its identifiers belong to.\nExample:\n  cat export.ndjson | lethe gate --destination analytics-export --policies policies --snapshot snap > allowed.ndjson')
    .action(async (opts: GateOptions) => {
      const now = parseNow(opts.now);
      const { bundle } = await loadPlanInputs({ policies: opts.policies, now });
      if (!bundle.masking.some((m) => m.spec.destination === opts.destination) && purposesFor(bundle.consent, opts.destination).length === 0) {
        throw new UserError(`unknown destination ${JSON.stringify(opts.destination)}: no MaskingPolicy or ConsentPolicy names it`);
      }
      const index = await consentIndexFromSnapshot(opts.snapshot, now);
      const { passed, blocked } = await gateStream(process.stdin, process.stdout, createGate(bundle.consent, index, opts.destination));
      process.stderr.write(`gate ${opts.destination}: ${passed} passed, ${blocked} blocked\n`);
    });
}
