import { readFile, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditInputError, appendEvent, GENESIS, headPath, openAuditLog, verifyAuditLog, AuditIntegrityError } from '../../runner/audit/index.ts';
import { LockHeldError } from '../../runner/lock.ts';
import { H, PLAN, tempDir } from './helpers.ts';

async function makeLog(n: number): Promise<string> {
  const file = join(await tempDir(), 'audit.jsonl');
  const log = await openAuditLog(file, { now: () => new Date('2024-05-02T10:00:00Z') });
  for (let i = 0; i < n; i++) {
    await appendEvent(log, 'action.done', { plan: PLAN(1), action: `a${i}`, op: 'delete', target: { system: 'genesys', type: 'recording', id: `r-${i}` }, outcome: 'done' }, { actor: 'runner', subject: [H(i)] });
  }
  await log.close();
  return file;
}

const lines = async (f: string): Promise<string[]> => (await readFile(f, 'utf8')).split('\n').filter((l) => l !== '');
const put = (f: string, ls: string[]): Promise<void> => writeFile(f, ls.map((l) => `${l}\n`).join(''));

describe('audit log: chain and head', () => {
  it('writes a hash chain that verifies, starting from the genesis value', async () => {
    const file = await makeLog(5);
    const ls = (await lines(file)).map((l) => JSON.parse(l) as { seq: number; prev: string; hash: string });
    expect(ls.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(ls[0]!.prev).toBe(GENESIS);
    for (let i = 1; i < ls.length; i++) expect(ls[i]!.prev).toBe(ls[i - 1]!.hash);
    const head = JSON.parse(await readFile(headPath(file), 'utf8')) as { seq: number; hash: string };
    expect(head).toMatchObject({ seq: 5, hash: ls[4]!.hash });
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 5 });
  });

  it('continues the chain after reopening', async () => {
    const file = await makeLog(2);
    const log = await openAuditLog(file);
    const e = await log.append('dsr.transition', { data: { request: 'dsr-1', from: 'DISCOVERY', to: 'EXECUTING' } });
    await log.close();
    expect(e.seq).toBe(3);
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 3 });
  });
});

describe('audit log: tamper detection', () => {
  it('finds an edited byte on its line', async () => {
    const file = await makeLog(6);
    const ls = await lines(file);
    ls[3] = ls[3]!.replace('r-3', 'r-9');
    await put(file, ls);
    expect((await verifyAuditLog(file)).problem).toMatchObject({ line: 4, kind: 'edited' });
  });

  it('finds an edit that broke the JSON as malformed on its line', async () => {
    const file = await makeLog(4);
    const ls = await lines(file);
    ls[1] = ls[1]!.replace('{', '[');
    await put(file, ls);
    expect((await verifyAuditLog(file)).problem).toMatchObject({ line: 2, kind: 'malformed' });
  });

  it('finds an entry rewritten with a recomputed hash (the next line no longer chains to it)', async () => {
    const { entryHash } = await import('../../runner/audit/entry.ts');
    const file = await makeLog(5);
    const ls = await lines(file);
    const e = JSON.parse(ls[2]!) as Record<string, unknown> & { data: Record<string, unknown> };
    e.data.action = 'forged';
    e.hash = entryHash(e as never);
    ls[2] = JSON.stringify(e);
    await put(file, ls);
    expect((await verifyAuditLog(file)).problem).toMatchObject({ line: 3, kind: 'edited' });
  });

  it('finds a deleted line', async () => {
    const file = await makeLog(6);
    const ls = await lines(file);
    ls.splice(2, 1);
    await put(file, ls);
    const r = await verifyAuditLog(file);
    expect(r.ok).toBe(false);
    expect(r.problem).toMatchObject({ line: 3, kind: 'deleted' });
    expect(r.problem!.message).toContain('seq 3 is missing');
  });

  it('finds two swapped lines', async () => {
    const file = await makeLog(6);
    const ls = await lines(file);
    [ls[3], ls[4]] = [ls[4]!, ls[3]!];
    await put(file, ls);
    expect((await verifyAuditLog(file)).problem).toMatchObject({ line: 4, kind: 'reordered' });
  });

  it('finds the last lines cut off, thanks to the head file', async () => {
    const file = await makeLog(6);
    const ls = await lines(file);
    await put(file, ls.slice(0, 4));
    const r = await verifyAuditLog(file);
    expect(r.problem).toMatchObject({ line: 5, kind: 'truncated' });
    expect(r.problem!.message).toContain('2 entries were removed from the end');
  });

  it('finds a removed head file and a removed log', async () => {
    const file = await makeLog(3);
    await unlink(headPath(file));
    expect((await verifyAuditLog(file)).problem).toMatchObject({ kind: 'deleted', file: headPath(file) });
    const file2 = await makeLog(3);
    await unlink(file2);
    expect((await verifyAuditLog(file2)).problem).toMatchObject({ line: 1, kind: 'truncated' });
  });

  it('checks anchors recorded elsewhere (e.g. in a signed certificate)', async () => {
    const file = await makeLog(3);
    const second = JSON.parse((await lines(file))[1]!) as { hash: string };
    expect((await verifyAuditLog(file, { anchors: [{ seq: 2, hash: second.hash }] })).ok).toBe(true);
    expect((await verifyAuditLog(file, { anchors: [{ seq: 2, hash: GENESIS }] })).problem).toMatchObject({ line: 2, kind: 'edited' });
    expect((await verifyAuditLog(file, { anchors: [{ seq: 9, hash: GENESIS }] })).problem).toMatchObject({ kind: 'truncated' });
  });

  it('refuses to append to a tampered log', async () => {
    const file = await makeLog(3);
    const ls = await lines(file);
    await put(file, ls.slice(0, 2));
    await expect(openAuditLog(file)).rejects.toBeInstanceOf(AuditIntegrityError);
  });
});

describe('audit log: crashes', () => {
  it('tolerates and repairs a torn final line (an append that never completed)', async () => {
    const file = await makeLog(3);
    await writeFile(file, `${await readFile(file, 'utf8')}{"seq":4,"at":"2024`);
    const r = await verifyAuditLog(file);
    expect(r).toMatchObject({ ok: true, entries: 3 });
    expect(r.notes.join(' ')).toContain('incomplete write');
    const log = await openAuditLog(file);
    expect((await log.append('certificate.issued', { data: { request: 'dsr-1', certificate: PLAN(2) } })).seq).toBe(4);
    await log.close();
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 4, notes: [] });
  });

  it('accepts a head one entry behind (crash between append and head update) and repairs it', async () => {
    const file = await makeLog(3);
    const before = await readFile(headPath(file), 'utf8');
    const log = await openAuditLog(file);
    await log.append('plan.applied', { data: { plan: PLAN(1), actions: 3, done: 3, failed: 0, skipped: 0, pending: 0 } });
    await log.close();
    await writeFile(headPath(file), before);
    const r = await verifyAuditLog(file);
    expect(r.ok).toBe(true);
    expect(r.notes.join(' ')).toContain('not yet in the head file');
    await (await openAuditLog(file)).close();
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, notes: [] });
  });
});

describe('audit log: subjects and concurrency', () => {
  it('accepts subjects only as keyed hashes and never echoes a refused value', async () => {
    const file = join(await tempDir(), 'a.jsonl');
    const log = await openAuditLog(file);
    await expect(log.append('action.done', { subject: ['email:ann@example.com'] })).rejects.toThrow(AuditInputError);
    await expect(log.append('action.done', { subject: ['hmac:XYZ'] })).rejects.toThrow(/subject\[0\] is not a keyed hash/);
    const err = await log.append('action.done', { subject: [H(1), 'ann@example.com'] }).catch((e: Error) => e);
    expect(String(err)).not.toContain('ann@example.com');
    await expect(log.append('action.done', { data: { note: 'phone:+15551234567' } })).rejects.toThrow(/plain subject identifier/);
    await expect(log.append('action.done', { data: { nested: ['x', { who: 'bob@example.org' }] } })).rejects.toThrow(/data.nested\[1\].who/);
    const ok = await log.append('approval.used', { actor: 'dpo@example.com', subject: [H(7)], data: { plan: PLAN(3), via: 'file' } });
    expect(ok.seq).toBe(1);
    await log.close();
    expect(await readFile(file, 'utf8')).not.toMatch(/ann@|bob@|\+1555/);
  });

  it('serialises concurrent appends into one unbroken chain', async () => {
    const file = join(await tempDir(), 'a.jsonl');
    const log = await openAuditLog(file);
    const entries = await Promise.all(Array.from({ length: 40 }, (_, i) => log.append('action.skipped', { data: { i, reason: 'held' } })));
    await log.close();
    expect(entries.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 40 });
  });

  it('appends a batch with one head update, or nothing if one entry is refused', async () => {
    const file = join(await tempDir(), 'a.jsonl');
    const log = await openAuditLog(file);
    await expect(log.appendBatch([{ type: 'action.done', data: {} }, { type: 'action.done', subject: ['ann'] }])).rejects.toThrow(AuditInputError);
    expect(log.last()).toBeNull();
    const batch = await log.appendBatch(Array.from({ length: 5 }, (_, i) => ({ type: 'action.done' as const, data: { i } })));
    expect(batch.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    await log.close();
    expect(JSON.parse(await readFile(headPath(file), 'utf8'))).toMatchObject({ seq: 5, hash: batch[4]!.hash });
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 5 });
  });

  it('allows one writer at a time (lock file); a second writer waits for the first instead of failing', async () => {
    const file = join(await tempDir(), 'a.jsonl');
    const first = await openAuditLog(file);
    await expect(openAuditLog(file, { lock: { retries: 0 } })).rejects.toBeInstanceOf(LockHeldError);
    const waiting = openAuditLog(file);
    await first.append('action.done', { data: { n: 1 } });
    await first.close();
    const second = await waiting;
    expect(second.last()?.seq).toBe(1);
    await second.append('action.done', { data: { n: 2 } });
    await second.close();
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 2 });
  });
});
