/**
 * One writer per request, and an audit log its writer cannot silently cut short (issue 16 items
 * 6 and 10), with real `lethe` child processes: six parallel `dsr extend` of one request record
 * exactly one extension (the others exit 1 with a clear message, no stack trace); six parallel
 * extends of six requests all succeed (the audit log's lock is waited for); and after the runs'
 * signed checkpoints, a truncated log with its head file rewritten to match no longer verifies.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readAuditEntries } from '../../runner/audit/index.ts';
import { canonicalFile } from '../../engine/canonical.ts';
import type { StoredRequest } from '../../runner/dsr/types.ts';
import { lethe, letheProcess, writeConfig, writeKeys, type CliResult } from './cli-run.ts';
import { HMAC_HEX } from './world.ts';

// Six CLI processes on a busy two-core machine: no result
// depends on how long they take, the limit only stops a hang.
const CHILDREN_TIMEOUT = 600_000;
const idOf = (out: string): string => /^(dsr-\d{4}-\d{2}-[a-z2-7]{8})$/m.exec(out)![1]!;

const child = (args: string[]): Promise<CliResult> => letheProcess(args, { LETHE_HMAC_KEY: HMAC_HEX, LETHE_ACTOR: 'case-worker' });

async function setup(): Promise<{ d: string; cfg: string; pub: string }> {
  vi.stubEnv('LETHE_HMAC_KEY', HMAC_HEX);
  const d = mkdtempSync(join(tmpdir(), 'lethe-dsr-race-'));
  const keys = writeKeys(join(d, 'keys'));
  return { d, cfg: writeConfig(d, { keys: { signing: { file: keys.key } } }), pub: keys.pub };
}

const open = async (cfg: string): Promise<string> => idOf((await lethe(['dsr', 'open', '--type', 'erasure', '--email', 'ann@example.com', '--config', cfg, '--actor', 'intake'])).out);

describe('dsr: one writer per request (child processes)', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('six parallel dsr extend of one request: exactly one extension, five exit 1 with a clear message', async () => {
    const { d, cfg } = await setup();
    const id = await open(cfg);
    const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => child(['dsr', 'extend', id, '--reason', `complex request ${i}`, '--config', cfg])));
    const won = runs.filter((r) => r.code === 0);
    const lost = runs.filter((r) => r.code !== 0);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(5);
    for (const r of lost) {
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`^lethe: request ${id} (is being changed by another lethe command \\(lethe dsr extend, pid \\d+ .*\\): nothing was done; run this command again once it has finished|was already extended on \\d{4}-\\d{2}-\\d{2}: the deadline can be extended only once)\\n$`));
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
    }
    const stored = JSON.parse(readFileSync(join(d, 'requests', id, 'request.json'), 'utf8')) as StoredRequest;
    expect(stored.extension?.reason).toBe(`complex request ${runs.findIndex((r) => r.code === 0)}`);
    // Written three times: RECEIVED, VALIDATING, the one extension.
    expect(stored.revision).toBe(3);
    expect(won[0]!.out).toContain(`${id}: due ${stored.dueAt}`);
    const audit = await readAuditEntries(join(d, 'state', 'audit.jsonl'));
    const extensions = audit.entries.filter((e) => String(e.entry.data.reason ?? '').startsWith('deadline extended'));
    expect(extensions).toHaveLength(1);
    expect(extensions[0]!.entry.actor).toBe('case-worker');
    expect(audit.entries.every((e) => typeof e.entry.actor === 'string' && e.entry.actor.length > 0)).toBe(true);
    expect((await lethe(['audit', 'verify', join(d, 'state', 'audit.jsonl'), '--config', cfg])).code).toBe(0);
  }, CHILDREN_TIMEOUT);

  it('six parallel extends of six requests all succeed: the audit log lock is waited for, not a crash', async () => {
    const { d, cfg, pub } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await open(cfg));
    const runs = await Promise.all(ids.map((id) => child(['dsr', 'extend', id, '--reason', 'third-party data to review', '--config', cfg])));
    expect(runs.map((r) => [r.code, r.err])).toEqual(ids.map(() => [0, '']));
    const log = join(d, 'state', 'audit.jsonl');
    const audit = await readAuditEntries(log);
    expect(audit.entries.filter((e) => String(e.entry.data.reason ?? '').startsWith('deadline extended')).map((e) => e.entry.data.request).sort()).toEqual([...ids].sort());
    const ok = await lethe(['audit', 'verify', log, '--public-key', pub]);
    expect(ok.code).toBe(0);
    expect(ok.err).toMatch(/checkpoint\(s\) hold/);

    // Cut off the last three entries and rewrite the head file to match: the chain and the head
    // agree, but the signed checkpoints of the runs record a longer log.
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const kept = lines.slice(0, -3);
    writeFileSync(log, `${kept.join('\n')}\n`);
    const last = JSON.parse(kept.at(-1)!) as { seq: number; hash: string; at: string };
    writeFileSync(`${log}.head`, canonicalFile({ seq: last.seq, hash: last.hash, at: last.at }));
    for (const args of [[log], [log, '--public-key', pub], [log, '--config', cfg]]) {
      const r = await lethe(['audit', 'verify', ...args]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`${log}:${last.seq + 1}: truncated: the log ends at seq ${last.seq} but the checkpoint signed at`);
      expect(r.err).toContain(`records seq ${lines.length}: at least 3 entries were removed from the end, whatever the head file says`);
    }
  }, CHILDREN_TIMEOUT);
});
