/**
 * `lethe validate` (spawned as a user runs it) on field names and dangerous rules: an unknown
 * field is an error with file:line:col and a did-you-mean; a retention policy matching every
 * record with its percentage limit off is a warning (exit 0), an error under --strict; JSON and
 * GitHub output carry the severity. Snapshot records with fields outside the catalog still plan.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFromFiles } from '../../engine/load/index.ts';
import { buildPlan } from '../../engine/plan/build.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';
import { letheBin } from '../lethe-bin.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [letheBin(), ...args], { cwd: ROOT, encoding: 'utf8', timeout: HANG_GUARD_MS });

const LEADS = `apiVersion: lethe.dev/v1
kind: RetentionPolicy
metadata:
  name: stale-leads
  version: 1.0.0
  owner: crm@example.com
  description: Unqualified leads are deleted after 2 years.
spec:
  appliesTo: {system: salesforce, type: lead}
  when:
    fields.Statuss: {ne: Qualified}
  retainFor: P2Y
  then: delete
`;

const ALL_TASKS = `apiVersion: lethe.dev/v1
kind: RetentionPolicy
metadata: {name: all-tasks, version: 1.0.0, owner: crm@example.com, description: Every task after a year.}
spec:
  appliesTo: {system: salesforce, type: task}
  retainFor: P1Y
  then: delete
  limits: {maxPercent: 100}
`;

function dirWith(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lethe-catalog-cli-'));
  writeFileSync(join(dir, name), text);
  return dir;
}

describe('lethe validate and the field catalog', () => {
  it('rejects fields.Statuss on a lead with file:line:col and "did you mean fields.Status"', () => {
    const dir = dirWith('leads.yaml', LEADS);
    const r = run('validate', dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${join(dir, 'leads.yaml')}:11:5  spec.when.fields.Statuss  fields.Statuss is not a field of salesforce lead records (did you mean fields.Status?)`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a match-all retention policy with maxPercent 100 is a warning; --strict makes it fail; JSON and GitHub formats say warning', () => {
    const dir = dirWith('tasks.yaml', ALL_TASKS);
    const text = run('validate', dir);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('tasks.yaml:8:24  spec.limits.maxPercent  warning: DANGER: this policy matches every salesforce task record');
    expect(text.stderr).toContain('(1 warning)');
    const strict = run('validate', '--strict', dir);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('--strict: warnings fail');
    const json = JSON.parse(run('validate', '--format', 'json', dir).stdout) as { valid: boolean; warnings: number; problems: Array<{ severity: string; code: string }> };
    expect(json).toMatchObject({ valid: true, warnings: 1, problems: [{ severity: 'warning', code: 'rule.matches-all' }] });
    expect(run('validate', '--format', 'github', dir).stdout).toMatch(/^::warning file=.*tasks\.yaml,line=8,col=24,/);
  });
});

describe('snapshots with fields outside the catalog', () => {
  it('are planned as usual: unknown extra keys are kept and ignored', async () => {
    const policy = ALL_TASKS.replace('  limits: {maxPercent: 100}\n', '  when: {fields.Status: Completed}\n');
    const { documents, problems } = loadFromFiles([{ path: 't.yaml', bytes: Buffer.from(policy) }], { place: 'policies' });
    expect(problems).toEqual([]);
    const { toBundle } = await import('../../engine/load/index.ts');
    const rec = (id: string, fields: Record<string, unknown>): LetheRecord => ({ system: 'salesforce', type: 'task', id, createdAt: '2020-01-01T00:00:00.000Z', identifiers: [], links: [], fields });
    const records = [rec('00T1', { Status: 'Completed', Custom__c: { nested: true }, Extra: 1 }), rec('00T2', { Status: 'Open', Extra: 2 })];
    const plan = await buildPlan({ bundle: toBundle(documents), records, requests: [], now: '2025-01-01T00:00:00.000Z', hmacKey: Buffer.alloc(32, 1), snapshotHash: 'sha256:x' });
    expect(plan.actions.map((a) => a.target.id)).toEqual(['00T1']);
  });
});
