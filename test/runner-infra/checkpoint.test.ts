/**
 * Signed audit checkpoints (issue 16 item 10): `lethe audit checkpoint` signs the head into a
 * folder apart from the log; verify reports truncation past the last checkpoint even with the
 * head file rewritten, a checkpoint signed with another key as forged, and says when there are
 * no checkpoints at all.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalFile, canonicalJson } from '../../engine/canonical.ts';
import { generateSigningKeys } from '../../runner/certificate/certificate.ts';
import { checkpointFile, readCheckpoints, signCheckpoint, writeCheckpoint } from '../../runner/audit/checkpoint.ts';
import { openAuditLog, verifyAuditLog } from '../../runner/audit/index.ts';
import { runAuditVerify } from '../../runner/cli/commands/audit.ts';
import { lethe, writeConfig, writeKeys } from '../dsr/cli-run.ts';
import { tempDir } from './helpers.ts';

async function log(file: string, n: number): Promise<void> {
  const l = await openAuditLog(file, { actor: 'tester' });
  for (let i = 0; i < n; i++) await l.append('action.done', { data: { i } });
  await l.close();
}

function capture(): { out: (t: string) => void; err: (t: string) => void; o: () => string; e: () => string } {
  let o = '';
  let e = '';
  return { out: (t) => (o += t), err: (t) => (e += t), o: () => o, e: () => e };
}

describe('signed audit checkpoints', () => {
  it('catch a log cut short with its head file rewritten, and checkpoints signed with another key', async () => {
    const dir = await tempDir();
    const file = join(dir, 'audit.jsonl');
    const cps = join(dir, 'anchors');
    const keys = generateSigningKeys();
    await log(file, 5);
    const cp = await writeCheckpoint(file, cps, keys.privatePem);
    expect(cp!.body).toMatchObject({ log: 'audit.jsonl', seq: 5 });
    expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!).actor).toBe('tester');
    await log(file, 2);
    const io = capture();
    expect(await runAuditVerify(file, io, { checkpoints: cps, publicPem: keys.publicPem })).toBe(0);
    expect(io.e()).toContain('1 checkpoint(s) hold; the last one (seq 5');
    expect(io.e()).toContain('covers all but 2 entries');

    // Cut to 3 entries, head rewritten to match: the chain and head agree, the checkpoint does not.
    const lines = readFileSync(file, 'utf8').split('\n').slice(0, 3);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const third = JSON.parse(lines[2]!) as { seq: number; hash: string; at: string };
    writeFileSync(`${file}.head`, canonicalFile({ seq: 3, hash: third.hash, at: third.at }));
    expect((await verifyAuditLog(file)).ok).toBe(true);
    const cut = capture();
    expect(await runAuditVerify(file, cut, { checkpoints: cps })).toBe(1);
    expect(cut.e()).toContain(`${file}:4: truncated: the log ends at seq 3 but the checkpoint signed at ${cp!.body.at} (${checkpointFile(cps, file)}:1) records seq 5`);
    expect(cut.e()).toContain('checkpoint signatures not checked');

    // A checkpoint signed with another key is reported as forged when the public key is given.
    const other = generateSigningKeys();
    const fresh = join(dir, 'fresh.jsonl');
    await log(fresh, 2);
    const last = (await verifyAuditLog(fresh)).last!;
    appendFileSync(checkpointFile(cps, fresh), `${canonicalJson(signCheckpoint({ log: 'fresh.jsonl', seq: last.seq, hash: last.hash, at: '2026-01-01T00:00:00.000Z' }, other.privatePem))}\n`);
    const forged = capture();
    expect(await runAuditVerify(fresh, forged, { checkpoints: cps, publicPem: keys.publicPem })).toBe(1);
    expect(forged.e()).toMatch(/fresh\.jsonl\.checkpoints\.jsonl:1: forged: checkpoint seq 2: signed with key sha256:[0-9a-f]+, not with the key given/);
    expect(await runAuditVerify(fresh, capture(), { checkpoints: cps, publicPem: other.publicPem })).toBe(0);
    appendFileSync(checkpointFile(cps, fresh), 'not json\n');
    expect((await readCheckpoints(cps, fresh)).problems).toEqual([{ line: 2, message: 'not valid JSON' }]);
  });

  it('without checkpoints, verify passes on the chain and says what it cannot tell', async () => {
    const file = join(await tempDir(), 'audit.jsonl');
    await log(file, 1);
    const io = capture();
    expect(await runAuditVerify(file, io)).toBe(0);
    expect(io.e()).toContain('no signed checkpoints in');
    expect(io.e()).toContain('cannot be told from an intact one');
  });

  it('lethe audit checkpoint --config signs the head into the configured folder', async () => {
    const dir = await tempDir();
    const keys = writeKeys(join(dir, 'keys'));
    const cfg = writeConfig(dir, { keys: { signing: { file: keys.key } }, auditCheckpoints: 'elsewhere' });
    const file = join(dir, 'state', 'audit.jsonl');
    expect((await lethe(['audit', 'checkpoint', '--config', cfg])).err).toContain('no such audit log');
    await log(file, 3);
    const r = await lethe(['audit', 'checkpoint', '--config', cfg]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/audit\.jsonl: checkpoint seq 3 sha256:[0-9a-f]{64} signed by sha256:[0-9a-f]{64} in .*elsewhere\n/);
    expect(readFileSync(checkpointFile(join(dir, 'elsewhere'), file), 'utf8').trim().split('\n')).toHaveLength(1);
    expect((await lethe(['audit', 'verify', file, '--config', cfg])).code).toBe(0);
    // Without --config the default folder beside the log has none: verify says so, still exit 0.
    expect((await lethe(['audit', 'verify', file])).err).toContain('no signed checkpoints');
    expect((await lethe(['audit', 'checkpoint', '--help'])).out).toContain('lethe audit checkpoint --config lethe.yaml');
  });
});
