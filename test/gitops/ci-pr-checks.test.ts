/**
 * The checks `lethe ci pr` runs besides the plan diff, on the README's own change (voice recordings
 * kept P7Y -> P5Y, version left at 1.0.0): the example bundle's retention test then fails, so the
 * check fails (exit 1) with the failure at the top of the comment and as a GitHub annotation, and
 * the unbumped version is flagged. A change that keeps the tests green and bumps the version (the
 * document moved to another file) passes clean; a changed description without a bump only warns.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCiPr } from '../../runner/ci/pr.ts';
import { checksSection } from '../../runner/ci/checks.ts';
import { composeComment } from '../../runner/ci/comment.ts';
import { editFile, fixtureRepo, NOW, VOICE, type FixtureRepo } from './fixture-repo.ts';
import { runCli } from './program.ts';

let fx: FixtureRepo;
const saved = process.env.LETHE_HMAC_KEY;
const TEST_FILE = 'policies/tests/retention.test.yaml';
const FAILING = 'recordings-follow-their-media-periods';

/** 1-based line of the first line of `file` that starts with `prefix`. */
async function lineOf(repo: string, file: string, prefix: string): Promise<number> {
  const lines = (await readFile(join(repo, file), 'utf8')).split('\n');
  const i = lines.findIndex((l) => l.startsWith(prefix));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

function ciPr(base: string, head: string, ...extra: string[]): ReturnType<typeof runCli> {
  return runCli(['ci', 'pr', '--repo', fx.repo, '--base', base, '--head', head, '--snapshot', fx.snapshot, '--now', NOW, '--forecast-months', '0', ...extra]);
}

beforeAll(async () => {
  process.env.LETHE_HMAC_KEY = 'a'.repeat(64);
  process.env.LETHE_PLAN_KEY ??= 'c'.repeat(64);
  fx = await fixtureRepo();
  fx.commit('example policies');
});

afterAll(async () => {
  if (saved === undefined) delete process.env.LETHE_HMAC_KEY;
  else process.env.LETHE_HMAC_KEY = saved;
  await rm(fx.dir, { recursive: true, force: true });
});

describe('lethe ci pr: policy tests and versions', () => {
  it('fails the README change (P7Y -> P5Y): failed test first in the comment, as an annotation, and the unbumped version flagged', async () => {
    await editFile(fx.repo, VOICE, 'retainFor: P7Y', 'retainFor: P5Y');
    fx.commit('keep voice recordings for 5 years');
    // What `lethe test` says about the same folder, independently.
    const alone = await runCli(['test', join(fx.repo, 'policies'), '--format', 'json']);
    expect(alone.code).toBe(1);
    const report = JSON.parse(alone.stdout) as { passed: number; failed: number; results: { name: string; failures: unknown[] }[] };
    expect(report.results.filter((t) => t.failures.length > 0).map((t) => t.name)).toEqual([FAILING]);
    const total = report.passed + report.failed;

    const out = join(fx.dir, 'checks-out');
    const r = await ciPr('main~1', 'main', '--out', out);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    const md = r.stdout;
    expect(await readFile(join(out, 'comment.md'), 'utf8')).toBe(md);
    const lines = md.split('\n');
    expect(lines[0]).toBe('<!-- lethe-plan-diff -->');
    expect(lines[1]).toMatch(/^### Lethe plan diff: /);
    expect(lines[3]).toBe(`#### ❌ Policy tests failed: 1 of ${total}`);
    const testLine = await lineOf(fx.repo, TEST_FILE, 'apiVersion:');
    expect(md).toContain(`- \`${FAILING}\` (\`${TEST_FILE}:${testLine}\`)`);
    expect(md).toContain('unexpected delete of genesys/recording/r-voice-6y: expected no other action, got delete by voice-recordings-7y');
    // Before the diff itself.
    expect(md.indexOf('Policy tests failed')).toBeLessThan(md.indexOf('Compared base'));
    const docLine = await lineOf(fx.repo, VOICE, 'apiVersion:');
    expect(md).toContain('#### ⚠️ Changed without a new version: 1 document');
    expect(md).toContain(`- \`RetentionPolicy/voice-recordings-7y\` still \`1.0.0\` (\`${VOICE}:${docLine}\`)`);

    // Annotations: on stderr (stdout is exactly the comment), in repository paths.
    expect(md).not.toContain('::error');
    const ann = r.stderr.split('\n');
    const err = ann.filter((l) => l.startsWith('::error '));
    expect(err).toHaveLength(1);
    expect(err[0]!.startsWith(`::error file=${TEST_FILE},line=${testLine},col=1,title=policy test ${FAILING}::policy test ${FAILING} failed: unexpected delete of genesys/recording/r-voice-6y: expected no other action`)).toBe(true);
    expect(ann).toContain(`::warning file=${VOICE},line=${docLine},col=1,title=metadata.version::RetentionPolicy/voice-recordings-7y changed but its version is still 1.0.0: bump metadata.version so plans and audit entries citing it stay unambiguous`);
    expect(r.stderr).toContain(`lethe: 1 of ${total} policy test failed at main`);

    const ci = JSON.parse(await readFile(join(out, 'ci.json'), 'utf8')) as { policyTests: { total: number; failed: string[] }; unbumpedVersions: string[] };
    expect(ci.policyTests).toEqual({ total, failed: [FAILING] });
    expect(ci.unbumpedVersions).toEqual(['RetentionPolicy/voice-recordings-7y']);

    // However many tests fail, the comment keeps under --max-chars: the checks list at most 10 tests and get at most a quarter of it, cut at a line.
    const res = await runCiPr({ repo: fx.repo, base: 'main~1', head: 'main', snapshot: fx.snapshot, now: NOW, forecastMonths: 0 });
    const one = res.checks!.tests.find((t) => t.failures.length > 0)!;
    const many = Array.from({ length: 500 }, (_, i) => ({ ...one, name: `t-${i}`, failures: [...one.failures, ...one.failures] }));
    const huge = checksSection({ tests: many, unbumped: [] });
    expect(huge.length).toBeGreaterThan(10_000 / 4);
    expect(huge).toContain('… and 490 more failed tests');
    const inputs = { base: { ref: 'main~1', sha: res.baseSha }, head: { ref: 'main', sha: res.headSha }, snapshotLabel: 'snap', approvalsFile: 'approvals.yaml' };
    const bounded = composeComment(res.diff!, res.headPlan!, '', inputs, 10_000, huge);
    expect(bounded.length).toBeLessThanOrEqual(10_000);
    expect(bounded).toContain('#### ❌ Policy tests failed: 500 of 500');
    expect(bounded).toContain('- … (cut: run `lethe test` for every failure)');
    expect(bounded).toContain('Compared base');
  });

  it('passes clean when the tests pass and the changed document has a new version, wherever its file moved', async () => {
    await editFile(fx.repo, VOICE, 'retainFor: P5Y', 'retainFor: P7Y');
    await editFile(fx.repo, VOICE, 'version: 1.0.0', 'version: 1.0.1');
    const moved = 'policies/retention/media/voice.yaml';
    await mkdir(join(fx.repo, 'policies/retention/media'), { recursive: true });
    await rename(join(fx.repo, VOICE), join(fx.repo, moved));
    fx.commit('back to 7 years, version 1.0.1, own folder');
    const r = await ciPr('main~2', 'main');
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Policy tests failed');
    expect(r.stdout).not.toContain('Changed without a new version');
    expect(r.stderr).not.toMatch(/^::(error|warning)/m);
    // The version-only change against the P5Y commit: the tests pass again, nothing is flagged.
    const back = await ciPr('main~1', 'main');
    expect(back.code).toBe(0);
    expect(back.stdout).not.toContain('Changed without a new version');

    // A description changed, version kept: flagged as a warning, the check still passes.
    execFileSync('sed', ['-i', 's/^  owner: compliance@example.com$/  owner: privacy@example.com/', join(fx.repo, moved)]);
    fx.commit('new owner, same version');
    const warn = await ciPr('main~1', 'main');
    expect(warn.code).toBe(0);
    expect(warn.stdout).toContain('#### ⚠️ Changed without a new version: 1 document');
    expect(warn.stdout).toContain('`RetentionPolicy/voice-recordings-7y` still `1.0.1`');
    expect(warn.stdout).not.toContain('Policy tests failed');
    expect(warn.stderr).toMatch(new RegExp(`^::warning file=${moved.replace(/[./]/g, '\\$&')},line=\\d+,col=1,title=metadata.version::`, 'm'));
  });

  it('fails like validation when a test file of head is invalid: annotations only, nothing planned', async () => {
    await editFile(fx.repo, TEST_FILE, 'kind: PolicyTest', 'kind: PolicyTset');
    const bad = fx.commit('broken test file');
    const r = await ciPr('main~1', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^::error file=${TEST_FILE.replace(/[./]/g, '\\$&')},line=\\d+,col=\\d+,`, 'm'));
    expect(r.stdout).not.toContain('lethe-plan-diff');
  });
});
