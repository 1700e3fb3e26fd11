/**
 * A policy folder's test suite as one unit, shared by `lethe test` and `lethe ci pr`: load the
 * bundle and its `*.test.yaml` cases, run each (runner/policy-tests.ts), and render the results as
 * JUnit XML or as GitHub annotations. Failures name records by reference only (system/type/id of
 * the synthetic test records), never their field values.
 */
import { hasErrors, loadPolicyDir, loadPolicyTests, type Problem } from '../engine/load/index.ts';
import type { PolicyTest } from '../engine/schema/index.ts';
import type { Bundle } from '../engine/bundle.ts';
import { runPolicyTest, type TestResult } from './policy-tests.ts';

export interface SuiteResult extends TestResult {
  /** Line of the test document in its file (1-based). */
  line: number;
}

export interface PolicyTestSuite {
  /** Load problems of the policies and the test files (an error means nothing was run). */
  problems: Problem[];
  /** True when the bundle or a test file does not load: no test was run. */
  invalid: boolean;
  results: SuiteResult[];
}

/** Runs every `*.test.yaml` in `dir` against the bundle in `dir` (or `bundle`, when already loaded). */
export async function runPolicyTestSuite(dir: string, bundle?: Bundle): Promise<PolicyTestSuite> {
  const policies = bundle ? { bundle, problems: [] as Problem[] } : await loadPolicyDir(dir);
  const tests = await loadPolicyTests(dir);
  const problems = [...policies.problems, ...tests.problems.filter((p) => p.code !== 'dir.empty')];
  if (hasErrors(problems) || !policies.bundle) return { problems, invalid: true, results: [] };
  const results: SuiteResult[] = [];
  for (const d of tests.documents) {
    results.push({ ...(await runPolicyTest(policies.bundle, d.value as unknown as PolicyTest, d.file)), line: d.line });
  }
  return { problems, invalid: false, results };
}

/** The failed results. */
export function failedTests(results: readonly SuiteResult[]): SuiteResult[] {
  return results.filter((r) => r.failures.length > 0);
}

/** One failure as one line: what, expected, actual (references only, no record contents). */
export function failureLine(f: TestResult['failures'][number]): string {
  return `${f.what}: expected ${f.expected}, got ${f.actual}`;
}

/** Failed tests as problems (for GitHub annotations and `file:line` output), with `file` mapped by `place`. */
export function failureProblems(results: readonly SuiteResult[], place: (file: string) => string = (f) => f): Problem[] {
  return failedTests(results).map((r) => ({
    file: place(r.file),
    line: r.line,
    col: 1,
    path: `policy test ${r.name}`,
    message: `policy test ${r.name} failed: ${r.failures.map(failureLine).join('; ')}`,
    severity: 'error' as const,
    code: 'test.failed',
  }));
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;', '\t': '&#9;', '\n': '&#10;' };

/**
 * Text safe in an XML 1.0 element: markup characters escaped, `\r` as a character reference (a
 * parser would turn it into `\n`), characters XML cannot carry at all replaced by U+FFFD.
 */
export function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD').replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c]!);
}

/** Text safe in an XML attribute: as xmlText, and tab and newline as references (a parser would turn them into spaces). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/[\t\n]/g, (c) => XML_ESCAPES[c]!);
}

/**
 * JUnit XML (the Ant/Jenkins/GitHub test-reporter dialect): one `<testsuite>` for the folder, one
 * `<testcase>` per policy test (`classname` is the test file), a `<failure>` with every failed
 * expectation. No times: the output is a function of the policies and tests alone.
 */
export function junitXml(suiteName: string, results: readonly SuiteResult[]): string {
  const failed = failedTests(results).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lethe policy tests" tests="${results.length}" failures="${failed}" errors="0">`,
    `  <testsuite name="${xmlAttr(suiteName)}" tests="${results.length}" failures="${failed}" errors="0" skipped="0">`,
  ];
  for (const r of results) {
    const head = `    <testcase name="${xmlAttr(r.name)}" classname="${xmlAttr(r.file)}" file="${xmlAttr(r.file)}" line="${r.line}"`;
    if (r.failures.length === 0) {
      out.push(`${head}/>`);
      continue;
    }
    const summary = `${r.failures.length} expectation${r.failures.length === 1 ? '' : 's'} failed: ${r.failures[0]!.what}${r.failures.length > 1 ? ', …' : ''}`;
    const body = r.failures.map((f) => `- ${f.what}\n    expected: ${f.expected}\n    actual:   ${f.actual}`).join('\n');
    out.push(`${head}>`, `      <failure message="${xmlAttr(summary)}" type="PolicyTestFailure">${xmlText(body)}</failure>`, '    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}
