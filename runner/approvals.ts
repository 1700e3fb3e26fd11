/**
 * Approvals (DESIGN §4.6, §6): a plan marked `needsApproval` is applied only with an explicit
 * approval of its hash, either an entry in the approvals file kept in the repository (reviewed
 * like any change) or the `--approve <hash>` flag of the one run.
 *
 * ```yaml
 * - planHash: sha256:3b1f…(64 hex)
 *   approvedBy: dpo@example.com
 *   reason: yearly purge of 2017 recordings, checked against CASE-42
 *   at: 2024-05-02T10:00:00Z
 * ```
 *
 * A malformed file is an `ApprovalsFileError` naming the file and line; a missing file is no
 * approvals.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UserError } from './cli/errors.ts';

export const PLAN_HASH = /^sha256:[0-9a-f]{64}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const FIELDS = ['planHash', 'approvedBy', 'reason', 'at'] as const;

export interface Approval {
  planHash: string;
  approvedBy: string;
  reason: string;
  at: string;
  /** Where it was written. */
  file: string;
  line: number;
}

export class ApprovalsFileError extends UserError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ApprovalsFileError';
    this.file = file;
    this.line = line;
  }
}

function lineOf(node: Node | null | undefined, lc: LineCounter): number {
  const off = node?.range?.[0];
  return off === undefined ? 1 : lc.linePos(off).line;
}

/** Parses approvals YAML text; throws `ApprovalsFileError` on the first problem. */
export function parseApprovals(text: string, file: string): Approval[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line ?? lc.linePos(yamlError.pos[0]).line;
    throw new ApprovalsFileError(file, line, `not valid YAML: ${yamlError.message.split('\n')[0]}`);
  }
  if (doc.contents === null) return [];
  if (!isSeq(doc.contents)) throw new ApprovalsFileError(file, lineOf(doc.contents, lc), 'expected a list of approvals ({planHash, approvedBy, reason, at})');
  return doc.contents.items.map((item, i): Approval => {
    const where = lineOf(item as Node, lc);
    if (!isMap(item)) throw new ApprovalsFileError(file, where, `approval #${i + 1} is not a map with planHash, approvedBy, reason, at`);
    const values: Partial<Record<(typeof FIELDS)[number], string>> = {};
    for (const pair of item.items) {
      const key = (pair.key as { value?: unknown } | null)?.value;
      const keyLine = lineOf(pair.key as Node, lc);
      if (typeof key !== 'string' || !(FIELDS as readonly string[]).includes(key)) {
        throw new ApprovalsFileError(file, keyLine, `unknown field ${JSON.stringify(key)} in approval #${i + 1}; allowed: ${FIELDS.join(', ')}`);
      }
      const v = (pair.value as { value?: unknown } | null)?.value;
      const valueLine = lineOf((pair.value as Node | null) ?? (pair.key as Node), lc);
      const text = v instanceof Date ? v.toISOString() : v;
      if (typeof text !== 'string' || text.trim() === '') throw new ApprovalsFileError(file, valueLine, `${key} of approval #${i + 1} must be a non-empty string`);
      values[key as (typeof FIELDS)[number]] = text.trim();
    }
    for (const f of FIELDS) if (values[f] === undefined) throw new ApprovalsFileError(file, where, `approval #${i + 1} has no ${f}`);
    if (!PLAN_HASH.test(values.planHash!)) throw new ApprovalsFileError(file, where, `planHash of approval #${i + 1} must be sha256: followed by 64 lower-case hex digits`);
    if (!ISO_DATE_TIME.test(values.at!) || Number.isNaN(Date.parse(values.at!))) {
      throw new ApprovalsFileError(file, where, `at of approval #${i + 1} must be an ISO 8601 date-time such as 2024-05-02T10:00:00Z`);
    }
    return { planHash: values.planHash!, approvedBy: values.approvedBy!, reason: values.reason!, at: values.at!, file, line: where };
  });
}

/** Reads the approvals file; a missing file is an empty list. */
export async function loadApprovals(file: string): Promise<Approval[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseApprovals(text, file);
}

export type ApprovalResult =
  | { approved: true; via: 'file'; approval: Approval }
  | { approved: true; via: 'flag' }
  | { approved: false; reason: string };

export interface ApprovalSources {
  /** The approvals file (from the config's `approvalsFile`). */
  file?: string;
  /** The hash given with `--approve` for this run. */
  flagHash?: string;
}

/** Is this plan hash approved, by the file or by the flag? The flag must name the exact hash. */
export async function isApproved(planHash: string, sources: ApprovalSources): Promise<ApprovalResult> {
  if (!PLAN_HASH.test(planHash)) return { approved: false, reason: 'not a plan hash' };
  // The file is read (and so checked) even when the flag approves: a broken file fails loudly.
  const approvals = sources.file !== undefined ? await loadApprovals(sources.file) : [];
  if (sources.flagHash !== undefined && sources.flagHash.trim() === planHash) return { approved: true, via: 'flag' };
  const found = approvals.find((a) => a.planHash === planHash);
  if (found) return { approved: true, via: 'file', approval: found };
  const flagNote = sources.flagHash !== undefined ? '; --approve names another hash' : '';
  return { approved: false, reason: `plan ${planHash} is not in ${sources.file ?? 'an approvals file'}${flagNote}` };
}
