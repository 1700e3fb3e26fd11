/**
 * Real crashes: a child process appends to an audit log and a journal as fast as it can and is
 * killed with SIGKILL; whatever state it leaves must verify, replay and accept new appends.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog, verifyAuditLog } from '../../runner/audit/index.ts';
import { openJournal, readJournal } from '../../runner/journal/index.ts';
import { compiledSource } from '../lethe-bin.ts';
import { PLAN, tempDir } from './helpers.ts';

const root = process.cwd();

function childScript(dir: string, run: number): string {
  return `
    const { openAuditLog } = await import(${JSON.stringify(compiledSource('runner/audit/index.ts'))});
    const { openJournal } = await import(${JSON.stringify(compiledSource('runner/journal/index.ts'))});
    const log = await openAuditLog(${JSON.stringify(join(dir, 'audit.jsonl'))});
    const j = await openJournal(${JSON.stringify(dir)}, ${JSON.stringify(PLAN(1))});
    for (let i = 0; ; i++) {
      const id = '${run}-' + i;
      await j.recordIntent(id);
      if (i === 20) process.stdout.write('go');
      await log.appendBatch([{ type: 'action.done', data: { action: id } }, { type: 'action.done', data: { action: id + 'b' } }]);
      await j.recordOutcome(id, { status: 'done' });
    }`;
}

async function crashOnce(dir: string, delayMs: number, run: number): Promise<void> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', childScript(dir, run)], { cwd: root });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.on('exit', () => reject(new Error(`child exited early: ${err}`)));
  });
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
}

describe('crash safety (SIGKILL mid-append)', () => {
  it('leaves an audit log that verifies and a journal that replays, with at most one action in flight', async () => {
    const dir = await tempDir();
    for (const [run, delay] of [5, 37].entries()) {
      await crashOnce(dir, delay, run);
      const v = await verifyAuditLog(join(dir, 'audit.jsonl'));
      expect(v.ok, JSON.stringify(v.problem)).toBe(true);
      const r = await readJournal(dir, PLAN(1));
      const inFlight = [...r.states.values()].filter((s) => s.state === 'in-flight');
      expect(inFlight.length).toBeLessThanOrEqual(1);
      expect(r.states.size).toBeGreaterThan(20);
      // The stale locks of the dead writer are taken over; appends go on.
      const log = await openAuditLog(join(dir, 'audit.jsonl'));
      await log.append('plan.applied', { data: { plan: PLAN(1) } });
      await log.close();
      const j = await openJournal(dir, PLAN(1));
      for (const id of j.inFlight()) await j.recordOutcome(id, { status: 'gone', detail: 'checked after crash' });
      await j.close();
      expect((await verifyAuditLog(join(dir, 'audit.jsonl'))).ok).toBe(true);
    }
  });
});
