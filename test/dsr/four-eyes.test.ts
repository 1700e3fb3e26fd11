/**
 * Four eyes and the signing-key check at approval, end to end through the CLI against both
 * emulators (issue 16 items 5, 7, 8): the person who opened and verified an erasure cannot approve
 * it; approval is refused while the signing key is unreadable; a config that fixes the actor's
 * source refuses --actor; another person approves, the request executes, `dsr poll --all` closes
 * it, polling again exits 0; every audit entry names its actor, and the log verifies against its
 * signed checkpoints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAuditEntries } from '../../runner/audit/index.ts';
import type { StoredRequest } from '../../runner/dsr/types.ts';
import { lethe, writeConfig, writeKeys } from './cli-run.ts';
import { ann, HMAC_HEX, PLAN_HEX, startWorld, type World } from './world.ts';

describe('dsr: four eyes on an erasure (CLI, emulators)', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld([ann(Date.now())], []);
  });
  afterAll(() => w.stop());

  it('the opener and verifier cannot approve; another person can; poll --all closes the request', async () => {
    for (const [k, v] of Object.entries(w.sandbox.env)) vi.stubEnv(k, v);
    vi.stubEnv('LETHE_HMAC_KEY', HMAC_HEX);
    vi.stubEnv('LETHE_PLAN_KEY', PLAN_HEX);
    try {
      const keys = writeKeys(join(w.dir, 'keys'));
      const spec = { ...w.sandbox.config.spec, keys: { signing: { file: keys.key } } };
      const cfg = writeConfig(w.dir, spec);
      const noKey = writeConfig(w.dir, { ...spec, keys: { signing: { file: join(w.dir, 'keys', 'gone.key') } } }, 'nokey.yaml');
      const osUser = writeConfig(w.dir, { ...spec, actor: { source: 'os-user' } }, 'os-user.yaml');
      const a = w.people[0]!;
      const opened = await lethe(['dsr', 'open', '--type', 'erasure', '--email', a.emails[0]!, '--verified-by', 'id-document', '--evidence', 'DOC-1', '--config', cfg, '--actor', 'alice']);
      expect(opened.code).toBe(0);
      const id = /^(dsr-\S+)$/m.exec(opened.out)![1]!;
      expect((await lethe(['dsr', 'discover', id, '--config', cfg, '--actor', 'alice'])).code).toBe(0);
      const read = (): StoredRequest => JSON.parse(readFileSync(join(w.dir, 'requests', id, 'request.json'), 'utf8')) as StoredRequest;

      const self = await lethe(['dsr', 'approve', id, '--config', cfg, '--actor', 'alice']);
      expect(self.code).toBe(1);
      expect(self.err).toBe(`lethe: four eyes: alice opened and verified request ${id} and may not also approve its erasure; another person must run lethe dsr approve ${id} (or set allowSelfApproval: true in the runner config, for a one-person team)\n`);
      const gone = await lethe(['dsr', 'approve', id, '--config', noKey, '--actor', 'bob']);
      expect(gone.code).toBe(1);
      expect(gone.err).toMatch(/^lethe: keys\.signing: secret file .*gone\.key cannot be read\n$/);
      const fixed = await lethe(['dsr', 'approve', id, '--config', osUser, '--actor', 'bob']);
      expect(fixed.code).toBe(1);
      expect(fixed.err).toContain('--actor is not accepted: the runner config takes the actor from the OS user');
      expect(read().approval).toBeUndefined();

      const ok = await lethe(['dsr', 'approve', id, '--config', cfg, '--actor', 'bob']);
      expect(ok.err).toBe('');
      expect(ok.out).toContain(`${id}: approved by bob`);
      const executed = await lethe(['dsr', 'execute', id, '--config', cfg, '--actor', 'bob']);
      expect(executed.err).toBe('');
      expect(executed.code).toBe(0);
      const polled = await lethe(['dsr', 'poll', '--all', '--config', cfg, '--actor', 'bob']);
      expect(polled.code).toBe(0);
      expect(['COMPLETE', 'PARTIAL_HOLD']).toContain(read().state);
      const again = await lethe(['dsr', 'poll', id, '--config', cfg]);
      expect(again.code).toBe(0);
      expect(again.out).toContain('nothing to poll');

      const log = join(w.dir, 'requests', '..', 'state', 'audit.jsonl');
      const entries = (await readAuditEntries(log)).entries.map((e) => e.entry);
      expect(entries.every((e) => typeof e.actor === 'string' && e.actor !== '')).toBe(true);
      const mine = entries.filter((e) => e.data.request === id);
      expect(mine.find((e) => e.data.to === 'RECEIVED')!.actor).toBe('alice');
      expect(mine.find((e) => String(e.data.reason ?? '').startsWith('approved by the DPO'))!.actor).toBe('bob');
      expect(mine.filter((e) => String(e.data.reason ?? '').startsWith('approved')).map((e) => e.actor)).toEqual(['bob']);
      const verified = await lethe(['audit', 'verify', log, '--config', cfg]);
      expect(verified.code).toBe(0);
      expect(verified.err).toMatch(/checkpoint\(s\) hold; the last one \(seq \d+, [^)]+\) covers all but 0 entries/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
