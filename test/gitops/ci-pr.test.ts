/**
 * `lethe ci pr` on a fixture repository: two commits that shorten the voice-recording retention
 * period (P7Y -> P5Y). The comment shows the expected diff lines, names both commits, the snapshot
 * and now, carries no personal data, and equals comment.md; an invalid head fails with annotations.
 * The policy tests and the version check on the same change: test/gitops/ci-pr-checks.test.ts.
 */
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshot } from '../../engine/snapshot/reader.ts';
import { runPlan } from '../../runner/cli/commands/plan.ts';
import { editFile, fixtureRepo, NOW, VOICE, type FixtureRepo } from './fixture-repo.ts';
import { runCli } from './program.ts';

let fx: FixtureRepo;
let baseSha: string;
let headSha: string;
const saved = process.env.LETHE_HMAC_KEY;

beforeAll(async () => {
  process.env.LETHE_HMAC_KEY = 'a'.repeat(64);
  process.env.LETHE_PLAN_KEY ??= 'c'.repeat(64);
  fx = await fixtureRepo();
  baseSha = fx.commit('example policies');
  await editFile(fx.repo, VOICE, 'retainFor: P7Y', 'retainFor: P5Y');
  headSha = fx.commit('keep voice recordings for 5 years');
});

afterAll(async () => {
  if (saved === undefined) delete process.env.LETHE_HMAC_KEY;
  else process.env.LETHE_HMAC_KEY = saved;
  await rm(fx.dir, { recursive: true, force: true });
});

async function count(policies: string, policy: string): Promise<number> {
  const plan = await runPlan({ policies, snapshot: fx.snapshot, now: NOW, format: 'json' });
  return plan.actions.filter((a) => a.policy.name === policy).length;
}

describe('lethe ci pr', () => {
  it('prints the diff of the retention change, with the commits, snapshot and now it compared', async () => {
    const out = join(fx.dir, 'ci-out');
    const r = await runCli(['ci', 'pr', '--repo', fx.repo, '--base', 'main~1', '--head', 'main', '--snapshot', fx.snapshot, '--now', NOW, '--out', out]);
    expect(r.stderr).not.toMatch(/internal error/);
    // The README's change breaks the example's own retention test (r-voice-6y is now due): the check fails, comment still written.
    expect(r.code).toBe(1);
    const md = r.stdout;
    expect(await readFile(join(out, 'comment.md'), 'utf8')).toBe(md);
    expect((await readdir(out)).sort()).toEqual(['base-plan.json', 'ci.json', 'comment.md', 'diff.json', 'forecast.json', 'head-plan.json']);

    // The expected counts, planned independently from the two versions of the policy folder.
    await editFile(fx.repo, VOICE, 'retainFor: P5Y', 'retainFor: P7Y');
    const before = await count(join(fx.repo, 'policies'), 'voice-recordings-7y');
    await editFile(fx.repo, VOICE, 'retainFor: P7Y', 'retainFor: P5Y');
    const after = await count(join(fx.repo, 'policies'), 'voice-recordings-7y');
    expect(after).toBeGreaterThan(before);
    const delta = after - before;

    expect(md.startsWith('<!-- lethe-plan-diff -->\n')).toBe(true);
    expect(md).toContain(`### Lethe plan diff: \`main~1 @ ${baseSha.slice(0, 12)}\` → \`main @ ${headSha.slice(0, 12)}\``);
    expect(md).toContain(`Compared base \`${baseSha}\` (\`main~1\`) with head \`${headSha}\` (\`main\`)`);
    const ci = JSON.parse(await readFile(join(out, 'ci.json'), 'utf8')) as { snapshotHash: string; headPlanHash: string; needsApproval: boolean };
    expect(md).toContain(`snapshot \`snapshot (taken ${NOW})\` \`${ci.snapshotHash}\`, now \`${NOW}\``);
    expect(md).toContain(`⚠️ **This change deletes ${delta} more record${delta === 1 ? '' : 's'}**`);
    expect(md).toContain(`| \`RetentionPolicy/voice-recordings-7y\` | ${before} | ${after} | **+${delta}** |`);
    expect(md).toMatch(/\n\+ delete genesys\/recording\/\S+/);
    expect(md).toContain('#### Retention forecast over the next year (by 2026-06-01)');
    expect(md).toMatch(/📈 This change deletes \*\*\d+ more\*\* `genesys\/recording` records over the next year/);
    // How the change alters the Art. 30 record of processing (lethe ropa on both commits).
    expect(md).toContain('### Record of processing (Art. 30)');
    expect(md).toMatch(/\| genesys\/recording \| retention \| [^|]*P7Y from createdAt, then delete[^|]* \| [^|]*P5Y from createdAt, then delete[^|]* \|/);
    if (ci.needsApproval) expect(md).toContain(`- planHash: ${ci.headPlanHash}`);
    expect(md.length).toBeLessThanOrEqual(60_000);

    // No personal data: no identifier of any record in the snapshot appears in the comment.
    const ids = new Set<string>();
    for await (const rec of readSnapshot(fx.snapshot)) for (const id of rec.identifiers ?? []) ids.add(id.slice(id.indexOf(':') + 1));
    expect(ids.size).toBeGreaterThan(100);
    for (const id of ids) if (id.length >= 6) expect(md.includes(id), id).toBe(false);
  });

  it('says "no change" when base and head have the same policies, and keeps under --max-chars', async () => {
    const r = await runCli(['ci', 'pr', '--repo', fx.repo, '--base', 'main~1', '--head', 'main~1', '--snapshot', fx.snapshot, '--now', NOW, '--max-chars', '10000', '--forecast-months', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✅ **No change**');
    expect(r.stdout).not.toContain('Retention forecast');
    expect(r.stdout.length).toBeLessThanOrEqual(10_000);
  });

  it('fails with GitHub annotations in the repository paths when head does not validate', async () => {
    await editFile(fx.repo, VOICE, 'retainFor: P5Y', 'retainFor: five years');
    const bad = fx.commit('typo');
    const r = await runCli(['ci', 'pr', '--repo', fx.repo, '--base', 'main~1', '--head', bad, '--snapshot', fx.snapshot, '--now', NOW]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^::error file=${VOICE.replace(/\//g, '\\/').replace(/\./g, '\\.')},line=\\d+,col=\\d+,`, 'm'));
    expect(r.stdout).not.toContain('lethe-plan-diff');
  });

  it('refuses an unknown ref and a missing key, naming what is wrong', async () => {
    const bad = await runCli(['ci', 'pr', '--repo', fx.repo, '--base', 'no-such-branch', '--head', 'main', '--snapshot', fx.snapshot, '--now', NOW]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('git ref "no-such-branch" is not a commit');
    delete process.env.LETHE_HMAC_KEY;
    try {
      const noKey = await runCli(['ci', 'pr', '--repo', fx.repo, '--base', 'main~2', '--head', 'main~1', '--snapshot', fx.snapshot, '--now', NOW]);
      expect(noKey.code).toBe(1);
      expect(noKey.stderr).toMatch(/no HMAC key/);
      const demo = await runCli(['ci', 'pr', '--repo', fx.repo, '--base', 'main~2', '--head', 'main~2', '--snapshot', fx.snapshot, '--now', NOW, '--insecure-demo-key', '--forecast-months', '0']);
      expect(demo.code).toBe(0);
      expect(demo.stderr).toMatch(/public demo HMAC key/);
    } finally {
      process.env.LETHE_HMAC_KEY = 'a'.repeat(64);
    }
  });
});
