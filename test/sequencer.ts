/**
 * The order test files start in. With more than one worker, the suite ends when its longest file
 * ends: a long file that starts last keeps one worker busy after the others are done. On a fresh
 * clone vitest knows no durations (it orders by file size), so the files measured longest start
 * first, longest first; the rest follow in vitest's own order (durations from its cache when it
 * has them, else size). Only the order changes: no test depends on it.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first (measured on an idle 2-core machine, the heaviest minute or more each). */
export const LONGEST_FIRST = [
  'test/readme/readme.test.ts',
  'test/apply/crash.test.ts',
  'test/state/postgres-shared-apply.test.ts',
  'test/apply/adversarial.test.ts',
  'test/apply/property.test.ts',
  'test/state/postgres-budget-apply.test.ts',
  'test/package/pack.test.ts',
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.findIndex((p) => f.moduleId.endsWith(`/${p}`));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
