import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffPlans } from '../../engine/plan/diff.ts';
import { DIFF_COMMENT_MARKER, MIN_MAX_CHARS, renderDiffMarkdown } from '../../engine/plan/diff-markdown.ts';
import { makePlan } from './factory.ts';
import { bulkActions, retentionShortened } from './fixtures.ts';
import { planPairArb } from './arbitraries.ts';

function render(maxChars?: number): string {
  const { base, head } = retentionShortened();
  return renderDiffMarkdown(diffPlans(base, head), { baseRef: 'main', headRef: 'shorter-recordings', snapshotLabel: 'nightly', maxChars });
}

describe('renderDiffMarkdown on a readable fixture', () => {
  const md = render();
  const lines = md.split('\n');

  it('starts with the marker and a title naming the refs, snapshot and now', () => {
    expect(lines[0]).toBe(DIFF_COMMENT_MARKER);
    expect(lines[1]).toBe('### Lethe plan diff: `main` → `shorter-recordings`');
    expect(md).toContain('Snapshot `nightly` `sha256:555555555555…` · now `2025-01-31T00:00:00.000Z` · policy bundle `sha256:bbbbbbbbbbbb…` → `sha256:cccccccccccc…`');
  });

  it('says loudly what gets destroyed and that approval is needed, before the summary', () => {
    const loud = md.indexOf('⚠️ **This change deletes 1 more record**');
    expect(loud).toBeGreaterThan(0);
    expect(md).toContain('⚠️ **This change purges 1 more record**');
    expect(md).toContain('⚠️ **1 record loses protection and is now the target of a mutating action**');
    expect(md).toContain('🛑 **Needs plan approval**: blast-radius limit exceeded by `recordings-7y`');
    expect(loud).toBeLessThan(md.indexOf('#### Summary'));
  });

  it('has the summary table and the per-policy counts', () => {
    expect(md).toContain('| Actions | 3 | 5 | +2 |');
    expect(md).toContain('| Mutating actions | 3 | 5 | +2 |');
    expect(md).toContain('| Protected records | 1 | 1 | 0 |');
    expect(md).toContain('Actions: **3 added**, **1 removed**, 1 changed');
    expect(md).toContain('| `RetentionPolicy/recordings-7y` | 1 | 3 | **+2** |');
    expect(md).toContain('| `ConsentPolicy/marketing-consent` | 0 | 1 | **+1** |');
    expect(md).toContain('| `genesys/recording` | 1 | 3 | **+2** |');
    expect(md).toContain('| `purge` | 0 | 1 | **+1** |');
  });

  it('lists protection changes, limits and request states', () => {
    expect(md).toContain('#### Newly protected (1)');
    expect(md).toContain('| `salesforce/task/t9` | delete | `RetentionPolicy/tasks-3y` | hold `litigation-42` |');
    expect(md).toContain('#### No longer protected (1)');
    expect(md).toContain('| `salesforce/task/t1` | purge | `ConsentPolicy/marketing-consent` | consent (`marketing`) |');
    expect(md).toContain('| `recordings-7y` | 3 | 100 | 2 / 5% | **newly exceeded** |');
    expect(md).toContain('| `dsr-1` | erasure | EXECUTING → PARTIAL_HOLD | 2 → 1 |');
  });

  it('shows example targets by id, never reason text or subject hashes', () => {
    expect(md).toContain('+ delete genesys/recording/r2');
    expect(md).toContain('- delete salesforce/task/t9');
    expect(md).toContain('! delete genesys/recording/r1  (changed: id, policy.version v1.0.0 → v1.1.0)');
    expect(md).not.toContain('made it due');
    expect(md).not.toContain('hmac:');
    expect(md).not.toContain('Truncated');
  });
});

describe('renderDiffMarkdown edge cases', () => {
  it('says "No change" for identical plans', () => {
    const { base } = retentionShortened();
    const md = renderDiffMarkdown(diffPlans(base, base));
    expect(md).toContain('✅ **No change**');
    expect(md).not.toContain('⚠️');
    expect(md).toContain('| Actions | 3 | 3 | 0 |');
  });

  it('warns loudly when the plans come from different snapshots or now', () => {
    const a = makePlan();
    const b = makePlan({ snapshotHash: `sha256:${'6'.repeat(64)}`, now: '2025-02-01T00:00:00.000Z' });
    const md = renderDiffMarkdown(diffPlans(a, b));
    expect(md).toContain('⚠️ **Misleading comparison: the plans were made from different snapshots.**');
    expect(md).toContain('⚠️ **Misleading comparison: the plans were made with a different `now`.**');
    expect(md).toContain('now `2025-01-31T00:00:00.000Z` → `2025-02-01T00:00:00.000Z`');
  });

  it('keeps hostile refs and ids inside their code spans', () => {
    const a = makePlan();
    const md = renderDiffMarkdown(diffPlans(a, a), { baseRef: 'a`b\n<!-- x -->', headRef: 'x'.repeat(500) });
    expect(md.split('\n')[1]).toBe('### Lethe plan diff: ``a`b <!-- x -->`` → `' + 'x'.repeat(79) + '…`');
  });

  it('cuts a huge diff under maxChars with a note pointing to the artefacts', () => {
    const base = makePlan({ actions: bulkActions(3000, 'old', 40) });
    const head = makePlan({ actions: bulkActions(5000, 'new', 40) });
    const md = renderDiffMarkdown(diffPlans(base, head), { maxChars: 8000, artifactsUrl: 'https://ci.example/run/1 artefacts' });
    expect(md.length).toBeLessThanOrEqual(8000);
    expect(md).toContain('⚠️ **This change deletes 2,000 more records**');
    expect(md).toContain('| Actions | 3,000 | 5,000 | +2,000 |');
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^> ✂️ \*\*Truncated\*\* to stay under 8,000 characters.*\[artefacts\]\(<https:\/\/ci\.example\/run\/1%20artefacts>\)\.$/);
  });

  it('refuses a maxChars too small for the summary', () => {
    expect(() => renderDiffMarkdown(diffPlans(makePlan(), makePlan()), { maxChars: 100 })).toThrow(RangeError);
  });

  it('is always within maxChars and always has the summary (property)', () => {
    fc.assert(
      fc.property(planPairArb, fc.integer({ min: MIN_MAX_CHARS, max: 20_000 }), fc.nat(400), ([a, b], maxChars, bulk) => {
        // The diff does not check hashes, so the bulk head need not be re-hashed.
        const head = bulk > 0 ? { ...b, actions: [...b.actions, ...bulkActions(bulk, 'bulk', 1 + (bulk % 60))] } : b;
        const md = renderDiffMarkdown(diffPlans(a, head), { maxChars, baseRef: 'main', headRef: 'pr' });
        expect(md.length).toBeLessThanOrEqual(maxChars);
        expect(md.startsWith(`${DIFF_COMMENT_MARKER}\n`)).toBe(true);
        expect(md).toContain('#### Summary');
        expect(md).toContain(`| Actions | ${a.actions.length} | `);
        expect(md).toContain('| Mutating actions |');
      }),
      { numRuns: 1000 },
    );
  });
});
