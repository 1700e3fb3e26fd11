import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../../runner/audit/index.ts';
import { register, runAuditShow, runAuditVerify } from '../../runner/cli/commands/audit.ts';
import { register as registerSchedule } from '../../runner/cli/commands/schedule.ts';
import { UserError } from '../../runner/cli/errors.ts';
import { H, PLAN, tempDir } from './helpers.ts';

async function sample(): Promise<string> {
  const file = join(await tempDir(), 'audit.jsonl');
  const log = await openAuditLog(file, { now: () => new Date('2024-05-02T10:00:00Z') });
  await log.append('approval.used', { actor: 'dpo', data: { plan: PLAN(1), via: 'file' } });
  await log.append('action.done', { actor: 'runner', subject: [H(1)], data: { plan: PLAN(1), action: 'a1' } });
  await log.append('action.skipped', { actor: 'runner', data: { plan: PLAN(1), action: 'a2', reason: 'held since planning' } });
  await log.close();
  return file;
}

function capture(): { out: (t: string) => void; err: (t: string) => void; o: () => string; e: () => string } {
  let o = '';
  let e = '';
  return { out: (t) => (o += t), err: (t) => (e += t), o: () => o, e: () => e };
}

describe('lethe audit', () => {
  it('verify: exit 0 on an intact log', async () => {
    const file = await sample();
    const io = capture();
    expect(await runAuditVerify(file, io)).toBe(0);
    expect(io.o()).toMatch(new RegExp(`^${file}: ok, 3 entries, head seq 3 sha256:[0-9a-f]{64}\\n$`));
  });

  it('verify: exit 1 with FILE:LINE: what is wrong', async () => {
    const file = await sample();
    const ls = (await readFile(file, 'utf8')).split('\n');
    ls[1] = ls[1]!.replace('"a1"', '"a9"');
    await writeFile(file, ls.join('\n'));
    const io = capture();
    expect(await runAuditVerify(file, io)).toBe(1);
    expect(io.e()).toBe(`${file}:2: edited: entry seq 2 was changed: its content no longer matches its hash\n`);
    await expect(runAuditVerify(join(file, '..', 'nope.jsonl'), io)).rejects.toBeInstanceOf(UserError);
  });

  it('show: prints entries, filtered by type', async () => {
    const file = await sample();
    const io = capture();
    expect(await runAuditShow(file, { type: 'action.skipped' }, io)).toBe(0);
    expect(io.o()).toBe('     3  2024-05-02T10:00:00.000Z  action.skipped by runner  {"action":"a2","plan":"' + PLAN(1) + '","reason":"held since planning"}\n');
    const all = capture();
    await runAuditShow(file, { json: true }, all);
    expect(all.o().trim().split('\n')).toHaveLength(3);
  });

  it('registers commands with useful help', () => {
    const program = new Command('lethe');
    register(program);
    registerSchedule(program);
    const audit = program.commands.find((c) => c.name() === 'audit')!;
    expect(audit.commands.map((c) => c.name())).toEqual(['verify', 'checkpoint', 'subject', 'ship', 'show']);
    expect(audit.commands[0]!.helpInformation()).toContain('Exit 0 when intact');
    const schedule = program.commands.find((c) => c.name() === 'schedule')!;
    expect(schedule.helpInformation()).toMatch(/--once[\s\S]*--list <n>/);
  });
});
