/**
 * Clean failures and safe output, through the real command (spawned as a user runs it):
 * an impossible --now, a bad LETHE_LOG_LEVEL, a literal secret in the config, a closed pipe,
 * an incomplete read during apply (against the emulators), and system text with terminal
 * escapes (a Salesforce hold record's case reference) shown by `lethe apply --dry-run`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../runner/journal/index.ts';
import { makeWorld, ROOT, type World } from '../apply/world.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';
import { letheBin } from '../lethe-bin.ts';

const lethe = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [letheBin(), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...env, CI: '1' }, timeout: HANG_GUARD_MS });
/** Async spawn: the emulators run in this process, so its event loop must keep serving them. */
function letheAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [letheBin(), ...args], { cwd: ROOT, env: { ...env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const STACK = /\n\s+at /;

describe('clean failures (no emulators)', () => {
  it('--now 2026-02-30T00:00:00Z is refused by plan and validate, not read as 2 March', () => {
    const snap = mkdtempSync(join(tmpdir(), 'lethe-now-'));
    for (const args of [['plan', '--policies', 'policies', '--snapshot', snap, '--now', '2026-02-30T00:00:00Z'], ['validate', '--now', '2026-02-30T00:00:00Z', 'policies']]) {
      const r = lethe(args);
      expect(r.status, args[0]).toBe(1);
      expect(r.stderr.trim()).toBe('lethe: --now must be an ISO 8601 date or date-time with a zone that exists on the calendar, such as 2025-01-31 or 2025-01-31T00:00:00Z (got "2026-02-30T00:00:00Z")');
    }
  });

  it('an invalid LETHE_LOG_LEVEL is one clear line and exit 1', () => {
    const r = lethe(['validate', 'policies'], { ...process.env, LETHE_LOG_LEVEL: 'loud' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('lethe: LETHE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")');
  });

  it('a literal secret in the config is reported by location, never quoted', () => {
    const r = lethe(['validate', '--config', 'test/policy-language/config-invalid/inline-secret.yaml', 'policies']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('inline-secret.yaml:11:21  spec.connectors.genesys.clientSecret  a literal value is written here (not shown)');
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cr3t-value');
  });

  it('a closed pipe (`lethe … | head`) ends quietly with the command\'s own exit code', async () => {
    const child = spawn(process.execPath, [letheBin(), 'validate', '--format', 'json', 'policies'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the command writes anything
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('apply against the emulators', () => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld({ seed: 23, records: 500 });
  });
  afterAll(async () => w?.stop());

  it('system text with terminal escapes is shown escaped (apply --dry-run, hold case reference)', async () => {
    const target = w.plan.actions.find((a) => a.target.system === 'salesforce' && ['003', '00Q', '00T', '00U', '500'].includes(a.target.id.slice(0, 3)))!;
    expect(target).toBeDefined();
    w.sandbox.salesforce.store.insert('Legal_Hold__c', { Name: 'evil', Case_Reference__c: 'LIT-\u001b[2J\u001b]0;owned\u0007-\u009b31m-\r\u202e', Reason__c: 'x', Record_Id__c: target.target.id, Active__c: true });
    const r = await letheAsync(['apply', w.planFile, '--config', w.configFile, '--dry-run'], w.env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('held: case LIT-\\u001b[2J\\u001b]0;owned\\u0007-\\u009b31m-\\u000d\\u202e');
    expect(RAW_CONTROL.test(r.stdout.replace(/\n/g, ''))).toBe(false);
    expect(RAW_CONTROL.test(r.stderr.replace(/[\n\t]/g, ''))).toBe(false);
  });

  it('an incomplete read is one line: nothing was changed, re-run; exit 1; the re-run then applies', async () => {
    w.sandbox.salesforce.faults.set({ partialPage: 1 });
    const failed = await letheAsync(['apply', w.planFile, '--config', w.configFile], w.env);
    w.sandbox.salesforce.faults.set({});
    expect(failed.status).toBe(1);
    expect(failed.stderr).not.toMatch(STACK);
    const lines = failed.stderr.split('\n').filter((l) => l.startsWith('lethe: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lethe: apply stopped before changing anything: a read was incomplete \(.*\); nothing was changed by this run; re-run lethe apply with the same plan$/);
    const journal = await readJournal(w.config.spec.stateDir!, w.plan.hash);
    expect([...journal.states.values()].filter((s) => s.state === 'done' || s.state === 'in-flight' || s.state === 'pending')).toEqual([]);
    const again = await letheAsync(['apply', w.planFile, '--config', w.configFile], w.env);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/done [1-9]\d*/);
  });
});
