import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { JournalCorruptError, JournalStateError, journalPath, openJournal, readJournal } from '../../runner/journal/index.ts';
import { LockHeldError } from '../../runner/lock.ts';
import { PLAN, tempDir } from './helpers.ts';

const target = { system: 'salesforce', type: 'task', id: '00T000000000001' };

describe('journal', () => {
  it('names the file by plan hash and rejects anything else as a plan hash', async () => {
    const dir = await tempDir();
    expect(journalPath(dir, PLAN(10))).toBe(`${dir}/journal/${PLAN(10).slice(7)}.jsonl`);
    expect(() => journalPath(dir, '../../etc/passwd')).toThrow(/not a plan hash/);
  });

  it('replays intents and outcomes into per-action states', async () => {
    const dir = await tempDir();
    const j = await openJournal(dir, PLAN(1));
    await j.recordIntent('a-done', { op: 'delete', target });
    await j.recordOutcome('a-done', { status: 'done' });
    await j.recordIntent('a-gone');
    await j.recordOutcome('a-gone', { status: 'gone', detail: 'HTTP 404' });
    await j.recordIntent('a-failed');
    await j.recordOutcome('a-failed', { status: 'failed', detail: 'HTTP 500' });
    await j.recordOutcome('a-skipped', { status: 'skipped', detail: 'held since planning' });
    await j.recordIntent('a-pending');
    await j.recordOutcome('a-pending', { status: 'pending', externalId: 'gdpr-77' });
    await j.recordIntent('a-inflight');
    await j.close();

    const r = await openJournal(dir, PLAN(1));
    expect(r.torn).toBeNull();
    expect(r.state('a-done')).toMatchObject({ state: 'done', outcome: 'done', attempts: 1 });
    expect(r.state('a-gone')).toMatchObject({ state: 'done', outcome: 'gone', detail: 'HTTP 404' });
    expect(r.state('a-failed').state).toBe('failed');
    expect(r.state('a-skipped')).toMatchObject({ state: 'skipped', attempts: 0 });
    expect(r.state('a-pending')).toMatchObject({ state: 'pending', externalId: 'gdpr-77' });
    expect(r.state('a-inflight').state).toBe('in-flight');
    expect(r.state('never').state).toBe('not-started');
    expect(r.inFlight()).toEqual(['a-inflight']);
    expect(r.pending()).toEqual([{ action: 'a-pending', externalId: 'gdpr-77' }]);
    await r.close();
  });

  it('refuses to repeat a done, pending or in-flight action without a recheck', async () => {
    const dir = await tempDir();
    const j = await openJournal(dir, PLAN(2));
    await j.recordIntent('x');
    await expect(j.recordIntent('x')).rejects.toThrow(/check the system/);
    await j.recordIntent('x', { recheck: true });
    expect(j.state('x').attempts).toBe(2);
    await j.recordOutcome('x', { status: 'pending', externalId: 'job-1' });
    await expect(j.recordIntent('x')).rejects.toThrow(/poll it, never submit it again/);
    await expect(j.recordOutcome('x', { status: 'pending', externalId: 'job-2' })).rejects.toThrow(JournalStateError);
    await j.recordOutcome('x', { status: 'done' });
    expect(j.state('x')).toMatchObject({ state: 'done', externalId: 'job-1' });
    await expect(j.recordIntent('x')).rejects.toThrow(/already done/);
    await expect(j.recordOutcome('y', { status: 'done' })).rejects.toThrow(/not allowed for an action that is not-started/);
    await expect(j.recordOutcome('y', { status: 'pending' })).rejects.toThrow(/externalId/);
    // A failed action may be tried again.
    await j.recordIntent('z');
    await j.recordOutcome('z', { status: 'failed' });
    await j.recordIntent('z');
    expect(j.state('z')).toMatchObject({ state: 'in-flight', attempts: 2 });
    await j.close();
  });

  it('tolerates a torn last line, reports it, and cuts it before the next append', async () => {
    const dir = await tempDir();
    const j = await openJournal(dir, PLAN(3));
    await j.recordIntent('a');
    await j.recordOutcome('a', { status: 'done' });
    await j.recordIntent('b');
    await j.close();
    const file = journalPath(dir, PLAN(3));
    await appendFile(file, '{"action":"b","at":"2024-05-0');
    const replay = await readJournal(dir, PLAN(3));
    expect(replay.torn).toEqual({ line: 5, bytes: 29 });
    expect(replay.states.get('b')?.state).toBe('in-flight');
    const k = await openJournal(dir, PLAN(3));
    expect(k.torn).toEqual({ line: 5, bytes: 29 });
    await k.recordOutcome('b', { status: 'gone' });
    await k.close();
    const again = await readJournal(dir, PLAN(3));
    expect(again.torn).toBeNull();
    expect(again.states.get('b')).toMatchObject({ state: 'done', outcome: 'gone' });
  });

  it('treats any other damage as corruption, naming the line', async () => {
    const dir = await tempDir();
    const j = await openJournal(dir, PLAN(4));
    await j.recordIntent('a');
    await j.recordOutcome('a', { status: 'failed', detail: 'HTTP 500' });
    await j.close();
    const file = journalPath(dir, PLAN(4));
    const ls = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, [ls[0], ls[1], ls[2]!.replace('failed', 'done'), ''].join('\n'));
    const err = await readJournal(dir, PLAN(4)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalCorruptError);
    expect(err).toMatchObject({ line: 3 });
    // A complete but impossible history (an outcome with no intent) is refused too.
    await writeFile(file, [ls[0], ls[2], ''].join('\n'));
    await expect(readJournal(dir, PLAN(4))).rejects.toThrow(/:2: impossible history/);
    // Another plan's journal under this name.
    await writeFile(journalPath(dir, PLAN(5)), `${ls[0]}\n`);
    await expect(readJournal(dir, PLAN(5))).rejects.toThrow(/header does not name plan/);
  });

  it('refuses personal data in outcome details', async () => {
    const dir = await tempDir();
    const j = await openJournal(dir, PLAN(8));
    await j.recordIntent('a');
    await expect(j.recordOutcome('a', { status: 'failed', detail: 'no contact ann@example.com' })).rejects.toThrow(/outcome.detail looks like a plain subject identifier/);
    expect(j.state('a').state).toBe('in-flight');
    await j.close();
  });

  it('records a batch in one write, and nothing when one item is not allowed', async () => {
    const dir = await tempDir();
    const j = await openJournal(dir, PLAN(9));
    await j.recordIntents([{ action: 'b1', op: 'delete', target }, { action: 'b2' }]);
    await expect(j.recordOutcomes([{ action: 'b1', status: 'done' }, { action: 'never', status: 'done' }])).rejects.toThrow(JournalStateError);
    expect(j.state('b1').state).toBe('in-flight');
    await expect(j.recordIntents([{ action: 'b3' }, { action: 'b3' }])).rejects.toThrow(/already in flight/);
    expect(j.state('b3').state).toBe('not-started');
    await j.recordOutcomes([{ action: 'b1', status: 'done' }, { action: 'b2', status: 'gone' }]);
    await j.close();
    const r = await readJournal(dir, PLAN(9));
    expect([...r.states].map(([id, s]) => `${id}:${s.state}`)).toEqual(['b1:done', 'b2:done']);
    expect((await readFile(journalPath(dir, PLAN(9)), 'utf8')).trim().split('\n')).toHaveLength(5);
  });

  it('holds a lock so two appliers never share a plan journal', async () => {
    const dir = await tempDir();
    const j = await openJournal(dir, PLAN(6));
    await expect(openJournal(dir, PLAN(6))).rejects.toBeInstanceOf(LockHeldError);
    await j.close();
  });

  it('keeps order under concurrent appends to different actions', async () => {
    const dir = await tempDir();
    const j = await openJournal(dir, PLAN(7));
    await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      await j.recordIntent(`a${i}`);
      await j.recordOutcome(`a${i}`, { status: 'done' });
    }));
    await j.close();
    const r = await readJournal(dir, PLAN(7));
    expect([...r.states.values()].every((s) => s.state === 'done')).toBe(true);
    expect(r.states.size).toBe(30);
  });
});
