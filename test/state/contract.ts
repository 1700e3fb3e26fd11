/**
 * The state store contract: the same tests against every implementation (files, PostgreSQL).
 * `make` returns a fresh, empty store; `reopen` a second handle on the same state (another
 * runner, or the same one after a restart).
 */
import { describe, expect, it } from 'vitest';
import { LockHeldError } from '../../runner/lock.ts';
import { JournalStateError } from '../../runner/journal/journal.ts';
import { GdprRegistryError } from '../../runner/journal/gdpr-registry.ts';
import { AuditInputError } from '../../runner/audit/entry.ts';
import type { StateStore } from '../../runner/state/index.ts';
import { buildRequest } from '../../runner/dsr/intake.ts';
import { RequestConflictError } from '../../runner/dsr/request-files.ts';
import type { StoredRequest } from '../../runner/dsr/types.ts';

export interface ContractTarget {
  make(): Promise<{ store: StateStore; reopen(): Promise<StateStore>; cleanup(): Promise<void> }>;
}

const PLAN = `sha256:${'a'.repeat(64)}`;
const PLAN2 = `sha256:${'b'.repeat(64)}`;
const S1 = 'hmac:0a1b';
const S2 = 'hmac:2c3d';
const clock = (): (() => Date) => {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return () => new Date((t += 1000));
};

async function withStore(target: ContractTarget, fn: (s: StateStore, reopen: () => Promise<StateStore>) => Promise<void>): Promise<void> {
  const { store, reopen, cleanup } = await target.make();
  const others: StateStore[] = [];
  try {
    await fn(store, async () => {
      const o = await reopen();
      others.push(o);
      return o;
    });
  } finally {
    for (const o of others) await o.close();
    await store.close();
    await cleanup();
  }
}

export function stateContract(name: string, target: ContractTarget): void {
  describe(`state store contract: ${name}`, () => {
    it('journal: intents and outcomes follow the state machine and survive a reopen', async () => {
      await withStore(target, async (store, reopen) => {
        const j = await store.openJournal(PLAN, { now: clock() });
        await j.recordIntents([{ action: 'a1', op: 'delete', target: { system: 'salesforce', type: 'task', id: '00T1' } }, { action: 'a2' }, { action: 'a3' }]);
        await j.recordOutcomes([{ action: 'a1', status: 'done' }, { action: 'a2', status: 'pending', externalId: 'job-1' }]);
        await expect(j.recordIntent('a3')).rejects.toBeInstanceOf(JournalStateError);
        await expect(j.recordIntent('a2')).rejects.toThrow(/poll it, never submit it again/);
        // A batch with one invalid transition writes nothing.
        await expect(j.recordIntents([{ action: 'a4' }, { action: 'a1' }])).rejects.toBeInstanceOf(JournalStateError);
        expect(j.state('a4').state).toBe('not-started');
        await expect(j.recordOutcome('a5', { status: 'done', detail: 'ann@example.com' })).rejects.toBeInstanceOf(AuditInputError);
        expect(j.inFlight()).toEqual(['a3']);
        expect(j.pending()).toEqual([{ action: 'a2', externalId: 'job-1' }]);
        // Exclusive per plan while open.
        const other = await reopen();
        await expect(other.openJournal(PLAN)).rejects.toBeInstanceOf(LockHeldError);
        await j.close();
        const states = await other.readJournal(PLAN);
        expect([...states].map(([id, s]) => [id, s.state, s.attempts]).sort()).toEqual([
          ['a1', 'done', 1],
          ['a2', 'pending', 1],
          ['a3', 'in-flight', 1],
        ]);
        const j2 = await other.openJournal(PLAN);
        expect(j2.state('a4').state).toBe('not-started');
        expect(j2.inFlight()).toEqual(['a3']);
        await j2.recordIntent('a3', { recheck: true });
        await j2.recordOutcome('a3', { status: 'gone' });
        expect(j2.state('a3')).toMatchObject({ state: 'done', outcome: 'gone', attempts: 2 });
        await j2.close();
        expect(await other.listJournals()).toEqual([PLAN]);
        expect((await other.readJournal(PLAN2)).size).toBe(0);
      });
    });

    it('gdpr registry: one reservation and one submission per subject and plan', async () => {
      await withStore(target, async (store, reopen) => {
        const r = await store.openGdprRegistry({ now: clock() });
        await r.reserve([S2, S1], PLAN);
        await expect(r.reserve([S1, S2], PLAN)).rejects.toBeInstanceOf(GdprRegistryError);
        expect(r.inFlight().map((e) => e.subject)).toEqual([`${S1},${S2}`]);
        await r.recordSubmitted([S1, S2], PLAN, 'gdpr-77');
        await expect(r.reserve([S1, S2], PLAN)).rejects.toThrow(/already submitted.*gdpr-77/);
        await expect(r.recordSubmitted(S1, PLAN, 'x')).rejects.toThrow(/submitted without a reservation/);
        await r.reserve(S1, PLAN2);
        await r.release(S1, PLAN2, 'the call was refused with 400');
        await expect(r.release(S1, PLAN2, 'again')).rejects.toThrow(/nothing reserved/);
        await expect(r.reserve('email:ann@example.com', PLAN)).rejects.toThrow(/keyed hash/);
        await r.close();
        const other = await reopen();
        const r2 = await other.openGdprRegistry();
        expect(r2.get([S1, S2], PLAN)).toMatchObject({ state: 'submitted', externalId: 'gdpr-77' });
        expect(r2.get(S1, PLAN2)).toBeUndefined();
        expect(r2.inFlight()).toEqual([]);
        await expect(r2.reserve([S2, S1], PLAN)).rejects.toBeInstanceOf(GdprRegistryError);
        await r2.close();
      });
    });

    it('audit log: one hash chain, refuses plain identifiers, verifies, continues after a reopen', async () => {
      await withStore(target, async (store, reopen) => {
        const log = await store.openAuditLog('audit.jsonl', { now: clock(), actor: 'dpo' });
        const e1 = await log.append('plan.started', { data: { plan: PLAN } });
        const batch = await log.appendBatch([
          { type: 'action.done', subject: [S1], data: { action: 'a1' } },
          { type: 'action.failed', data: { action: 'a2', reason: 'HTTP 500' } },
        ]);
        expect(batch.map((e) => e.seq)).toEqual([2, 3]);
        expect(batch[0]!.prev).toBe(e1.hash);
        await expect(log.appendBatch([{ type: 'action.done' }, { type: 'action.done', data: { who: 'ann@example.com' } }])).rejects.toBeInstanceOf(AuditInputError);
        await expect(log.append('action.done', { subject: ['email:ann@example.com'] })).rejects.toBeInstanceOf(AuditInputError);
        expect(log.last()).toEqual({ seq: 3, hash: batch[1]!.hash });
        await log.close();
        const other = await reopen();
        const v = await other.verifyAuditLog('audit.jsonl');
        expect(v.ok).toBe(true);
        expect(v.entries).toBe(3);
        const log2 = await other.openAuditLog('audit.jsonl', { now: clock() });
        const e4 = await log2.append('plan.applied', { data: { plan: PLAN } });
        expect(e4).toMatchObject({ seq: 4, prev: batch[1]!.hash });
        await log2.close();
        const entries = await other.readAuditLog('audit.jsonl');
        expect(entries.map((e) => [e.seq, e.type, e.actor ?? null])).toEqual([
          [1, 'plan.started', 'dpo'],
          [2, 'action.done', 'dpo'],
          [3, 'action.failed', 'dpo'],
          [4, 'plan.applied', null],
        ]);
        expect(entries[1]!.subject).toEqual([S1]);
        expect(await other.listAuditLogs()).toEqual(['audit.jsonl']);
      });
    });

    it('audit log: two writers on one log keep one gap-free chain', async () => {
      await withStore(target, async (store, reopen) => {
        const other = await reopen();
        if (store.kind === 'files') {
          // Files: one writer at a time (a lock file); the second waits for the first to close.
          const a = await store.openAuditLog('audit.jsonl');
          await a.append('x.one');
          await a.close();
          const b = await other.openAuditLog('audit.jsonl');
          await b.append('x.two');
          await b.close();
        } else {
          const a = await store.openAuditLog('audit.jsonl');
          const b = await other.openAuditLog('audit.jsonl');
          await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).append('x.concurrent', { data: { i } })));
          await Promise.all([a.close(), b.close()]);
        }
        const v = await other.verifyAuditLog('audit.jsonl');
        expect(v.ok).toBe(true);
        expect(v.entries).toBe(store.kind === 'files' ? 2 : 20);
      });
    });

    it('locks: one holder at a time, shown by heldLocks, free again after release', async () => {
      await withStore(target, async (store, reopen) => {
        const other = await reopen();
        const l = await store.lock('scheduler', { purpose: 'lethe schedule' });
        expect(l.holder).toMatchObject({ pid: process.pid, purpose: 'lethe schedule' });
        await expect(other.lock('scheduler', { purpose: 'lethe schedule' })).rejects.toBeInstanceOf(LockHeldError);
        const r = await other.lock('request:dsr-2026-01-abc', { purpose: 'dsr approve' });
        const held = await other.heldLocks();
        expect(held.map((h) => h.purpose).sort()).toEqual(['dsr approve', 'lethe schedule']);
        await l.release();
        await l.release();
        const again = await other.lock('scheduler', { purpose: 'second runner' });
        expect((await store.heldLocks()).map((h) => h.purpose).sort()).toEqual(['dsr approve', 'second runner']);
        await Promise.all([again.release(), r.release()]);
        expect(await store.heldLocks()).toEqual([]);
        await expect(store.lock('Bad Name', { purpose: 'x' })).rejects.toThrow(/not a lock name/);
      });
    });

    it('request store: compare-and-swap on revision, exactly one of two concurrent writers wins, records survive a reopen', async () => {
      await withStore(target, async (store, reopen) => {
        const ctx = { hmacKey: Buffer.alloc(32, 7), actor: 'dpo-a', now: clock() };
        const make = (): StoredRequest => buildRequest({ type: 'erasure', emails: ['ann@example.com'] }, ctx);
        expect(await store.listRequests()).toEqual([]);
        const r = make();
        expect(await store.readRequest(r.id)).toBeNull();
        await store.writeRequest(r);
        expect(r.revision).toBe(1);
        // A second "new" request with the same id is refused.
        await expect(store.writeRequest({ ...r, revision: undefined })).rejects.toBeInstanceOf(RequestConflictError);
        const other = await reopen();
        const mine = (await store.readRequest(r.id))!;
        const theirs = (await other.readRequest(r.id))!;
        expect(theirs).toEqual(mine);
        mine.state = 'REJECTED';
        theirs.state = 'DISCOVERY';
        const results = await Promise.allSettled([store.writeRequest(mine), other.writeRequest(theirs)]);
        expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
        const lost = results.find((x): x is PromiseRejectedResult => x.status === 'rejected')!;
        expect(lost.reason).toBeInstanceOf(RequestConflictError);
        expect(String(lost.reason.message)).toMatch(/changed by another command since this one read it \(revision 2 stored, 1 read\): nothing was saved/);
        const after = (await other.readRequest(r.id))!;
        expect(after.revision).toBe(2);
        expect(after.state).toBe(results[0]!.status === 'fulfilled' ? 'REJECTED' : 'DISCOVERY');
        // The winner can go on from what it wrote; a stale copy cannot.
        const winner = results[0]!.status === 'fulfilled' ? mine : theirs;
        winner.history.push({ at: '2026-01-02T00:00:00.000Z', from: 'VALIDATING', to: winner.state, actor: 'dpo-a' });
        await store.writeRequest(winner);
        await expect(other.writeRequest({ ...after })).rejects.toBeInstanceOf(RequestConflictError);
        // Import keeps a request's revision.
        const imported = { ...make(), revision: 7 };
        await other.writeRequest(imported, { keepRevision: true });
        await expect(other.writeRequest({ ...imported }, { keepRevision: true })).rejects.toBeInstanceOf(RequestConflictError);
        const again = await reopen();
        const list = await again.listRequests();
        expect(list.map((x) => [x.id, x.revision])).toEqual([[r.id, 3], [imported.id, 7]].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)));
        expect(list.find((x) => x.id === r.id)!.history.at(-1)).toMatchObject({ actor: 'dpo-a', to: winner.state });
        await expect(store.readRequest('../etc')).rejects.toThrow(/not a request id/);
      });
    });

    it('scheduler state: empty at first, then what was written', async () => {
      await withStore(target, async (store, reopen) => {
        expect(await store.readScheduleState()).toEqual({ version: 1, jobs: {} });
        const state = { version: 1 as const, jobs: { nightly: { since: '2026-01-01T00:00:00.000Z', lastScheduledFor: '2026-01-02T02:00:00.000Z', lastStatus: 'ok' as const } } };
        await store.writeScheduleState(state);
        expect(await (await reopen()).readScheduleState()).toEqual(state);
      });
    });
  });
}
