/**
 * The checks a policy pull request must pass besides the plan diff, shown at the top of the
 * comment: the policy tests of the head bundle (`lethe test`), and documents whose content changed
 * while their version did not. Bounded (at most MAX_SHOWN tests, MAX_EACH failures per test), and
 * names only tests, files and record references, never record contents.
 */
import { code, plural } from '../../engine/plan/diff-markdown-util.ts';
import { failedTests, failureLine, type SuiteResult } from '../policy-test-suite.ts';
import type { UnbumpedVersion } from './versions.ts';

export interface PrChecks {
  /** Policy test results of the head bundle (files as repository paths). */
  tests: SuiteResult[];
  /** Head documents changed with an unchanged version (files as repository paths). */
  unbumped: UnbumpedVersion[];
}

const MAX_SHOWN = 10;
const MAX_EACH = 3;

export function checksFailed(c: PrChecks): boolean {
  return failedTests(c.tests).length > 0;
}

/** The Markdown section, or '' when every test passed and every changed document has a new version. */
export function checksSection(c: PrChecks): string {
  const failed = failedTests(c.tests);
  const out: string[] = [];
  if (failed.length > 0) {
    out.push(`#### ❌ Policy tests failed: ${failed.length} of ${c.tests.length}`, '', 'The head policies do not pass their own tests (`lethe test`), so this check fails. Fix the policies or, if the change is intended, the tests:', '');
    for (const r of failed.slice(0, MAX_SHOWN)) {
      out.push(`- ${code(r.name, false, 80)} (${code(`${r.file}:${r.line}`, false, 120)})`);
      for (const f of r.failures.slice(0, MAX_EACH)) out.push(`  - ${code(failureLine(f), false, 300)}`);
      if (r.failures.length > MAX_EACH) out.push(`  - … and ${plural(r.failures.length - MAX_EACH, 'more failure')}`);
    }
    if (failed.length > MAX_SHOWN) out.push(`- … and ${plural(failed.length - MAX_SHOWN, 'more failed test')}`);
    out.push('');
  }
  if (c.unbumped.length > 0) {
    out.push(`#### ⚠️ Changed without a new version: ${plural(c.unbumped.length, 'document')}`, '', 'Plans and audit entries cite a document by name and version; bump `metadata.version` of each:', '');
    for (const u of c.unbumped.slice(0, MAX_SHOWN)) out.push(`- ${code(`${u.kind}/${u.name}`, false, 100)} still ${code(u.version, false, 40)} (${code(`${u.file}:${u.line}`, false, 120)})`);
    if (c.unbumped.length > MAX_SHOWN) out.push(`- … and ${c.unbumped.length - MAX_SHOWN} more`);
    out.push('');
  }
  return out.join('\n');
}
