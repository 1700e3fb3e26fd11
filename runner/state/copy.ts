/**
 * `lethe state export` / `import`: copies a whole state from one store to another (files ⇄
 * PostgreSQL) by replaying its history through the target's own writers, so the target checks
 * every step with the same rules it applies to a live runner:
 *
 * - each journal line is replayed as the intent or outcome it was (same time, same fields);
 * - the GDPR registry's reserve / submitted / released events likewise;
 * - each audit entry is appended again with its own time and actor: the target must arrive at
 *   exactly the same hash, entry by entry (same chain), or the copy stops with an error;
 * - the request store's records (data subject requests: state, history, approval…) are copied
 *   as they are, each with its revision (artefacts such as discovery reports stay in the local
 *   request folder);
 * - the scheduler state is copied as it is.
 *
 * Every source audit log is verified before the copy and every target log after it. The target
 * must be empty (nothing is merged).
 */
import type { Json } from '../../engine/canonical.ts';
import type { AuditEntry } from '../audit/entry.ts';
import type { OutcomeStatus } from '../journal/state.ts';
import { UserError } from '../cli/errors.ts';
import type { StateStore } from './types.ts';

export interface CopyReport {
  journals: number;
  journalLines: number;
  gdprEvents: number;
  requests: number;
  auditLogs: Array<{ name: string; entries: number; head: string | null }>;
}

async function isEmpty(store: StateStore): Promise<string | null> {
  if ((await store.listJournals()).length) return 'it already has journals';
  if ((await store.listAuditLogs()).length) return 'it already has audit logs';
  if ((await store.readGdprEvents()).length) return 'it already has GDPR registry entries';
  if ((await store.listRequests()).length) return 'it already has requests in its request store';
  return null;
}

export async function copyState(from: StateStore, to: StateStore): Promise<CopyReport> {
  const busy = await isEmpty(to);
  if (busy) throw new UserError(`the target state (${to.location}) is not empty: ${busy}; import only into an empty state`);
  const logs = await from.listAuditLogs();
  for (const name of logs) {
    const v = await from.verifyAuditLog(name);
    if (!v.ok) throw new UserError(`${from.location}: ${name}: ${v.problem!.kind} at ${v.problem!.line}: ${v.problem!.message}; the source audit log does not verify, nothing copied`);
  }
  const report: CopyReport = { journals: 0, journalLines: 0, gdprEvents: 0, requests: 0, auditLogs: [] };
  let clock = '';
  const now = (): Date => new Date(clock);

  for (const plan of await from.listJournals()) {
    const events = await from.readJournalEvents(plan);
    clock = events[0]?.at ?? new Date(0).toISOString();
    const j = await to.openJournal(plan, { now });
    try {
      for (const e of events) {
        clock = e.at;
        if (e.t === 'intent') await j.recordIntent(e.action, { ...(e.op ? { op: e.op } : {}), ...(e.target ? { target: e.target } : {}), ...(e.recheck ? { recheck: true } : {}) });
        else await j.recordOutcome(e.action, { status: e.outcome as OutcomeStatus, ...(e.detail !== undefined ? { detail: e.detail } : {}), ...(e.externalId !== undefined ? { externalId: e.externalId } : {}) });
      }
    } finally {
      await j.close();
    }
    report.journals++;
    report.journalLines += events.length;
  }

  const gdpr = await from.readGdprEvents();
  if (gdpr.length) {
    clock = gdpr[0]!.at;
    const reg = await to.openGdprRegistry({ now });
    try {
      for (const e of gdpr) {
        clock = e.at;
        const subject = e.subject.split(',');
        if (e.t === 'reserve') await reg.reserve(subject, e.plan);
        else if (e.t === 'submitted') await reg.recordSubmitted(subject, e.plan, e.externalId ?? '');
        else await reg.release(subject, e.plan, e.reason ?? 'imported');
      }
    } finally {
      await reg.close();
    }
    report.gdprEvents = gdpr.length;
  }

  for (const name of logs) {
    const entries = await from.readAuditLog(name);
    clock = entries[0]?.at ?? new Date(0).toISOString();
    const log = await to.openAuditLog(name, { now });
    try {
      for (const e of entries) await replayEntry(log, e, (at) => (clock = at));
    } finally {
      await log.close();
    }
    const v = await to.verifyAuditLog(name);
    if (!v.ok) throw new UserError(`${to.location}: ${name}: the copied audit log does not verify (${v.problem!.message})`);
    const srcHead = entries.at(-1)?.hash ?? null;
    if ((v.last?.hash ?? null) !== srcHead) throw new UserError(`${to.location}: ${name}: the copied chain ends at ${v.last?.hash ?? 'nothing'}, the source at ${srcHead ?? 'nothing'}`);
    report.auditLogs.push({ name, entries: entries.length, head: srcHead });
  }

  for (const r of await from.listRequests()) {
    await to.writeRequest(r, { keepRevision: true });
    report.requests++;
  }

  await to.writeScheduleState(await from.readScheduleState());
  return report;
}

async function replayEntry(log: Awaited<ReturnType<StateStore['openAuditLog']>>, e: AuditEntry, setClock: (at: string) => void): Promise<void> {
  setClock(e.at);
  // No actor given means none recorded: the writer's default actor is not set on the target log.
  const out = await log.append(e.type, { ...(e.actor !== undefined ? { actor: e.actor } : {}), ...(e.subject ? { subject: e.subject } : {}), data: e.data as { [key: string]: Json } });
  if (out.hash !== e.hash || out.seq !== e.seq) throw new UserError(`audit entry seq ${e.seq} came out as ${out.hash} instead of ${e.hash}: chain not preserved, copy stopped`);
}
