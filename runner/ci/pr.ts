/**
 * `lethe ci pr`: the pull-request check, runnable on a laptop. Reads the policy folder at the base
 * and head commits (never the working tree), validates head, plans both against the same snapshot
 * and `now`, diffs them, forecasts retention under both, and writes the comment the workflow posts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { canonicalFile } from '../../engine/canonical.ts';
import { compareForecasts } from '../../engine/forecast/compare.ts';
import { forecastComparisonMarkdown } from '../../engine/forecast/markdown.ts';
import type { ForecastComparison } from '../../engine/forecast/types.ts';
import { formatProblem, hasErrors, loadPolicyDir, type Problem } from '../../engine/load/index.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import { diffPlans, renderDiffJson, type PlanDiff } from '../../engine/plan/diff.ts';
import { DEFAULT_MAX_CHARS, MIN_MAX_CHARS } from '../../engine/plan/diff-markdown.ts';
import type { Plan } from '../../engine/plan/types.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { readSnapshotMeta, SnapshotError } from '../../engine/snapshot/reader.ts';
import { loadPlanInputs, parseNow, planKey, snapshotSourceForPlan } from '../cli/commands/plan.ts';
import { githubAnnotation } from '../cli/commands/validate.ts';
import { UserError } from '../cli/errors.ts';
import { forecastBundle } from '../forecast/run.ts';
import { failedTests, failureProblems, runPolicyTestSuite } from '../policy-test-suite.ts';
import { checksFailed, checksSection, type PrChecks } from './checks.ts';
import { composeComment, type CommentInputs } from './comment.ts';
import { buildRopa, ropaChanges, ropaChangesMarkdown } from '../../engine/ropa/ropa.ts';
import { unbumpedProblem, unbumpedVersions } from './versions.ts';
import { extractFolder, repoRoot, resolveCommit } from './git.ts';

export interface CiPrOptions {
  base: string;
  head: string;
  snapshot: string;
  now: string;
  /** The policy folder, relative to the repository root (default `policies`). */
  policiesPath?: string;
  /** Where to write base-plan.json, head-plan.json, diff.json, forecast.json, ci.json, comment.md. */
  out?: string;
  artifactsUrl?: string;
  maxChars?: number;
  snapshotLabel?: string;
  /** Runner config: HMAC key reference and blast-radius defaults (read from the working tree). */
  config?: string;
  insecureDemoKey?: boolean;
  /** Months of retention forecast to compare (0: none; default 12). */
  forecastMonths?: number;
  /** The approvals file named in the approval instructions (default `approvals.yaml`). */
  approvalsFile?: string;
  /** A directory inside the repository (default: the current directory). */
  repo?: string;
  /** Accept a snapshot without meta.json or a hold/consent source (hand-made fixtures; plans record it). */
  allowIncompleteSnapshot?: boolean;
}

export interface CiPrResult {
  /**
   * 0: compared, every policy test passed; 1: head's policies do not validate (then `annotations`
   * says why and nothing else is set), or a policy test failed (then everything is set and the
   * comment says so at its top).
   */
  exitCode: 0 | 1;
  annotations: string[];
  problems: Problem[];
  baseSha: string;
  headSha: string;
  basePlan?: Plan;
  headPlan?: Plan;
  diff?: PlanDiff;
  forecast?: ForecastComparison;
  markdown?: string;
  /** Head's policy tests and documents changed without a new version (repository paths). */
  checks?: PrChecks;
}

/** Problems located in the repository (`policies/x.yaml`), not in the temporary copy. */
function placeFile(file: string, copy: string, policiesPath: string): string {
  const rel = relative(copy, resolve(file));
  return rel.startsWith('..') ? file : join(policiesPath, rel).replace(/\\/g, '/');
}

function relocate(problems: readonly Problem[], copy: string, policiesPath: string): Problem[] {
  return problems.map((p) => ({ ...p, file: placeFile(p.file, copy, policiesPath) }));
}

async function plan(bundle: Bundle, o: { snapshot: string; now: string; key: Uint8Array; limits?: { maxActions?: number; maxPercent?: number }; allowIncomplete: boolean }): Promise<Plan> {
  const { source, hash, close, missing } = await snapshotSourceForPlan(o.snapshot, { allowIncomplete: o.allowIncomplete });
  try {
    return await buildPlan({ bundle, records: source, now: o.now, hmacKey: o.key, snapshotHash: hash, incompleteSnapshot: missing, ...(o.limits ? { defaults: o.limits } : {}) });
  } finally {
    await close();
  }
}

async function snapshotLabel(dir: string, given: string | undefined): Promise<string> {
  if (given) return given;
  const meta = await readSnapshotMeta(dir);
  const name = dir.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? dir;
  return meta?.createdAt ? `${name} (taken ${meta.createdAt})` : name;
}

export async function runCiPr(opts: CiPrOptions): Promise<CiPrResult> {
  const now = parseNow(opts.now);
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 2 * MIN_MAX_CHARS) throw new UserError(`--max-chars must be a whole number of at least ${2 * MIN_MAX_CHARS}`);
  const months = opts.forecastMonths ?? 12;
  const policiesPath = (opts.policiesPath ?? 'policies').replace(/\\/g, '/').replace(/\/+$/, '');
  const root = await repoRoot(resolve(opts.repo ?? '.'));
  const [baseSha, headSha] = await Promise.all([resolveCommit(root, opts.base), resolveCommit(root, opts.head)]);
  const work = await mkdtemp(join(tmpdir(), 'lethe-ci-'));
  try {
    const baseDir = join(work, 'base');
    const headDir = join(work, 'head');
    await extractFolder(root, baseSha, policiesPath, baseDir);
    if ((await extractFolder(root, headSha, policiesPath, headDir)) === 0) {
      throw new UserError(`${policiesPath}/ has no files at ${opts.head} (${headSha}): check --policies-path`);
    }
    const headLoad = await loadPolicyDir(headDir, { now });
    const place = (file: string): string => placeFile(file, headDir, policiesPath);
    const loadProblems = relocate(headLoad.problems, headDir, policiesPath);
    if (hasErrors(loadProblems) || !headLoad.bundle) return { exitCode: 1, annotations: loadProblems.map(githubAnnotation), problems: loadProblems, baseSha, headSha };
    // The head's own policy tests, as `lethe test` runs them (an invalid test file fails like a failed test).
    const suite = await runPolicyTestSuite(headDir, headLoad.bundle);
    const testProblems = relocate(suite.problems, headDir, policiesPath);
    if (suite.invalid) return { exitCode: 1, annotations: [...loadProblems, ...testProblems].map(githubAnnotation), problems: [...loadProblems, ...testProblems], baseSha, headSha };
    const tests = suite.results.map((r) => ({ ...r, file: place(r.file) }));
    const baseLoad = await loadPolicyDir(baseDir, { now });
    if (!baseLoad.bundle) {
      const errs = relocate(baseLoad.problems, baseDir, policiesPath).filter((p) => p.severity === 'error');
      throw new UserError(`the base ${opts.base} (${baseSha}) has invalid policies, so there is nothing to compare with:\n${errs.map(formatProblem).join('\n')}`);
    }
    const { config } = await loadPlanInputs({ policies: headDir, now, ...(opts.config ? { config: opts.config } : {}) });
    const key = planKey(config, opts.insecureDemoKey);
    const limits = config?.spec.limits;
    const allowIncomplete = opts.allowIncompleteSnapshot === true;
    const common = { snapshot: opts.snapshot, now, key, allowIncomplete, ...(limits ? { limits } : {}) };
    let basePlan: Plan;
    let headPlan: Plan;
    let forecast: ForecastComparison | undefined;
    try {
      basePlan = await plan(baseLoad.bundle, common);
      headPlan = await plan(headLoad.bundle, common);
      if (months > 0) {
        forecast = compareForecasts(
          await forecastBundle(baseLoad.bundle, opts.snapshot, now, months, key, allowIncomplete),
          await forecastBundle(headLoad.bundle, opts.snapshot, now, months, key, allowIncomplete),
        );
      }
    } catch (err) {
      if (err instanceof SnapshotError) throw new UserError(err.message);
      throw err;
    }
    const diff = diffPlans(basePlan, headPlan);
    const unbumped = unbumpedVersions(baseLoad.documents, headLoad.documents).map((u) => ({ ...u, file: place(u.file) }));
    const checks: PrChecks = { tests, unbumped };
    const problems = [...loadProblems, ...testProblems, ...failureProblems(tests), ...unbumped.map((u) => unbumpedProblem(u, (f) => f))];
    const annotations = problems.map(githubAnnotation);
    const exitCode = checksFailed(checks) ? 1 : 0;
    const inputs: CommentInputs = {
      base: { ref: opts.base, sha: baseSha },
      head: { ref: opts.head, sha: headSha },
      snapshotLabel: await snapshotLabel(opts.snapshot, opts.snapshotLabel),
      approvalsFile: opts.approvalsFile ?? 'approvals.yaml',
      ...(opts.artifactsUrl ? { artifactsUrl: opts.artifactsUrl } : {}),
    };
    const ropa = ropaSection(baseLoad.bundle, headLoad.bundle);
    const markdown = composeComment(diff, headPlan, [forecast ? forecastComparisonMarkdown(forecast) : '', ropa].filter((t) => t !== '').join('\n'), inputs, maxChars, checksSection(checks));
    if (opts.out) {
      await mkdir(opts.out, { recursive: true });
      await writeFile(join(opts.out, 'base-plan.json'), canonicalFile(basePlan));
      await writeFile(join(opts.out, 'head-plan.json'), canonicalFile(headPlan));
      await writeFile(join(opts.out, 'diff.json'), renderDiffJson(diff));
      if (forecast) await writeFile(join(opts.out, 'forecast.json'), canonicalFile(forecast));
      await writeFile(join(opts.out, 'comment.md'), markdown);
      const summary = { baseSha, headSha, basePlanHash: basePlan.hash, headPlanHash: headPlan.hash, needsApproval: headPlan.needsApproval, snapshotHash: headPlan.inputs.snapshotHash, now,
        policyTests: { total: tests.length, failed: failedTests(tests).map((t) => t.name) },
        unbumpedVersions: unbumped.map((u) => `${u.kind}/${u.name}`),
      };
      await writeFile(join(opts.out, 'ci.json'), canonicalFile(summary));
    }
    return { exitCode, annotations, problems, baseSha, headSha, basePlan, headPlan, diff, ...(forecast ? { forecast } : {}), markdown, checks };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** How the policy change alters the Art. 30 record of processing ('' when neither side has a ProcessingRecord). */
function ropaSection(base: Bundle, head: Bundle): string {
  const [b, h] = [buildRopa(base), buildRopa(head)];
  return b || h ? ropaChangesMarkdown(ropaChanges(b, h)) : '';
}
