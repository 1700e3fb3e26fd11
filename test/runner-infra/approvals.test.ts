import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApprovalsFileError, isApproved, loadApprovals, parseApprovals } from '../../runner/approvals.ts';
import { UserError } from '../../runner/cli/errors.ts';
import { PLAN, tempDir } from './helpers.ts';

const good = `# approvals, reviewed in pull requests
- planHash: ${PLAN(1)}
  approvedBy: dpo@example.com
  reason: yearly purge checked against CASE-42
  at: 2024-05-02T10:00:00Z
- planHash: ${PLAN(2)}
  approvedBy: legal
  reason: consent purge
  at: "2024-05-03T09:30:00+02:00"
`;

describe('approvals', () => {
  it('approves a listed plan hash and names the approval', async () => {
    const file = join(await tempDir(), 'approvals.yaml');
    await writeFile(file, good);
    const r = await isApproved(PLAN(2), { file });
    expect(r).toMatchObject({ approved: true, via: 'file', approval: { approvedBy: 'legal', line: 6 } });
    expect(await isApproved(PLAN(3), { file })).toMatchObject({ approved: false });
  });

  it('accepts the --approve flag only for the exact hash', async () => {
    expect(await isApproved(PLAN(3), { flagHash: PLAN(3) })).toEqual({ approved: true, via: 'flag' });
    const r = await isApproved(PLAN(3), { flagHash: PLAN(4) });
    expect(r).toMatchObject({ approved: false });
    expect(r.approved === false && r.reason).toContain('--approve names another hash');
  });

  it('treats a missing file as no approvals', async () => {
    expect(await loadApprovals(join(await tempDir(), 'none.yaml'))).toEqual([]);
    expect(parseApprovals('', 'x.yaml')).toEqual([]);
  });

  it.each([
    ['not a list', 'planHash: x\n', 1, /expected a list/],
    ['bad hash', `- planHash: sha256:abc\n  approvedBy: a\n  reason: r\n  at: 2024-05-02T10:00:00Z\n`, 1, /planHash of approval #1/],
    ['missing field', `${good}- planHash: ${PLAN(5)}\n  approvedBy: a\n  at: 2024-05-02T10:00:00Z\n`, 10, /has no reason/],
    ['unknown field', `- planHash: ${PLAN(5)}\n  approvedBy: a\n  reason: r\n  at: 2024-05-02T10:00:00Z\n  note: x\n`, 5, /unknown field "note"/],
    ['bad date', `- planHash: ${PLAN(5)}\n  approvedBy: a\n  reason: r\n  at: yesterday\n`, 1, /ISO 8601/],
    ['empty value', `- planHash: ${PLAN(5)}\n  approvedBy: ""\n  reason: r\n  at: 2024-05-02T10:00:00Z\n`, 2, /approvedBy of approval #1 must be a non-empty/],
    ['broken YAML', `- planHash: ${PLAN(5)}\n  approvedBy: [a\n`, 3, /not valid YAML/],
  ])('reports a malformed file with its line: %s', (_name, text, line, message) => {
    let err: unknown;
    try {
      parseApprovals(text, 'approvals.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApprovalsFileError);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ line });
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message.startsWith(`approvals.yaml:${line}:`)).toBe(true);
  });

  it('still fails on a malformed file when the flag approves', async () => {
    const file = join(await tempDir(), 'approvals.yaml');
    await writeFile(file, 'oops: [\n');
    await expect(isApproved(PLAN(1), { file, flagHash: PLAN(1) })).rejects.toBeInstanceOf(ApprovalsFileError);
  });
});
