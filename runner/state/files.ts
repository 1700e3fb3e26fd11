/**
 * The file state store: today's behaviour, unchanged — every method delegates to the existing file
 * code (journal/, audit/, lock.ts, schedule/state.ts) under `stateDir`, and the request records to
 * dsr/request-files.ts in the request store folder. One runner per stateDir.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readAuditEntries } from '../audit/read.ts';
import { verifyAuditLog } from '../audit/verify.ts';
import { openAuditLog } from '../audit/writer.ts';
import { gdprRegistryPath, openGdprRegistry } from '../journal/gdpr-registry.ts';
import { journalPath, openJournal, readJournal } from '../journal/journal.ts';
import { readLines } from '../journal/durable.ts';
import { decodeLines } from '../journal/lines.ts';
import { acquireLock, pidAlive, readLock } from '../lock.ts';
import { readScheduleState, scheduleStatePath, writeScheduleState } from '../schedule/state.ts';
import { LOCK_NAME, type GdprHistoryEvent, type JournalEvent, type LockHolder, type StateStore } from './types.ts';
import { hostname } from 'node:os';
import { listRequestFiles, readRequestFile, REQUEST_ID, requestLockFile, writeRequestFile } from '../dsr/request-files.ts';

const AUDIT_NAME = /^[a-z0-9][a-z0-9.-]*\.jsonl$/;

export function checkAuditName(name: string): string {
  if (!AUDIT_NAME.test(name)) throw new Error(`not an audit log name: ${JSON.stringify(name)} (expected e.g. audit.jsonl)`);
  return name;
}

export function checkLockName(name: string): string {
  if (!LOCK_NAME.test(name)) throw new Error(`not a lock name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * The lock file of a named lock: the scheduler keeps its historical `scheduler.lock`, a request
 * its `request.lock` in its folder of the request store.
 */
export function lockFileFor(stateDir: string, name: string, requestStore = defaultRequestStore(stateDir)): string {
  checkLockName(name);
  if (name === 'scheduler') return join(stateDir, 'scheduler.lock');
  if (name.startsWith('request:')) return requestLockFile(requestStore, name.slice('request:'.length));
  return join(stateDir, 'locks', `${name.replace(/:/g, '__')}.lock`);
}

async function lockFiles(dir: string, depth = 0): Promise<string[]> {
  const out: string[] = [];
  let names: import('node:fs').Dirent[];
  try {
    names = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const d of names) {
    if (d.isDirectory() && depth < 1) out.push(...(await lockFiles(join(dir, d.name), depth + 1)));
    else if (d.isFile() && d.name.endsWith('.lock')) out.push(join(dir, d.name));
  }
  return out;
}

/** The checked lines of a journal-style file without their checksums (a missing file is empty). */
async function decodedLines(file: string): Promise<Array<Record<string, unknown>>> {
  const split = await readLines(file);
  if (!split) return [];
  return decodeLines(file, split).records.map((r) => {
    const { sum: _sum, ...rest } = r.value;
    return rest;
  });
}

/** Where a file state keeps its request records when no request store is named: `<stateDir>/requests`. */
export const defaultRequestStore = (stateDir: string): string => join(stateDir, 'requests');

/** Request locks held in the request store: `<store>/<id>/request.lock`. */
async function requestLockFiles(store: string): Promise<Array<{ name: string; file: string }>> {
  const names = await readdir(store).catch(() => [] as string[]);
  return names.filter((n) => REQUEST_ID.test(n)).sort().map((n) => ({ name: `request:${n}`, file: join(store, n, 'request.lock') }));
}

export interface FileStateOptions {
  /** The request store folder (the config's `requestStore`); default `<stateDir>/requests`. */
  requestStore?: string;
}

export function fileState(stateDir: string, options: FileStateOptions = {}): StateStore {
  const requests = options.requestStore ?? defaultRequestStore(stateDir);
  return {
    kind: 'files',
    location: stateDir,
    openJournal: (planHash, options) => openJournal(stateDir, planHash, options),
    readJournal: async (planHash) => (await readJournal(stateDir, planHash)).states,
    async listJournals() {
      const names = await readdir(join(stateDir, 'journal')).catch(() => [] as string[]);
      return names.filter((n) => /^[0-9a-f]{64}\.jsonl$/.test(n)).map((n) => `sha256:${n.slice(0, 64)}`).sort();
    },
    readJournalEvents: async (planHash) => (await decodedLines(journalPath(stateDir, planHash))).filter((v) => v.t !== 'plan') as unknown as JournalEvent[],
    readGdprEvents: async () => (await decodedLines(gdprRegistryPath(stateDir))) as unknown as GdprHistoryEvent[],
    openGdprRegistry: (options) => openGdprRegistry(stateDir, options),
    openAuditLog: (name, options) => openAuditLog(join(stateDir, checkAuditName(name)), options),
    verifyAuditLog: (name) => verifyAuditLog(join(stateDir, checkAuditName(name))),
    readAuditLog: async (name) => (await readAuditEntries(join(stateDir, checkAuditName(name)))).entries.map((e) => e.entry),
    async listAuditLogs() {
      const names = await readdir(stateDir).catch(() => [] as string[]);
      return names.filter((n) => AUDIT_NAME.test(n) && names.includes(`${n}.head`)).sort();
    },
    async lock(name, request) {
      const l = await acquireLock(lockFileFor(stateDir, name, requests), { purpose: request.purpose, ...(request.retries !== undefined ? { retries: request.retries } : {}) });
      return { name, holder: { name, ...l.info }, release: () => l.release() };
    },
    async heldLocks() {
      const out: LockHolder[] = [];
      const host = hostname();
      for (const file of (await lockFiles(stateDir)).sort()) {
        const info = await readLock(file).catch(() => null);
        if (!info || (info.hostname === host && !pidAlive(info.pid))) continue;
        out.push({ name: file.slice(stateDir.length + 1), ...info });
      }
      for (const { name, file } of await requestLockFiles(requests)) {
        const info = await readLock(file).catch(() => null);
        if (!info || (info.hostname === host && !pidAlive(info.pid))) continue;
        out.push({ name, ...info });
      }
      return out;
    },
    readRequest: (id) => readRequestFile(requests, id),
    writeRequest: (r, opts) => writeRequestFile(requests, r, opts),
    listRequests: () => listRequestFiles(requests),
    readScheduleState: () => readScheduleState(scheduleStatePath(stateDir)),
    writeScheduleState: (state) => writeScheduleState(scheduleStatePath(stateDir), state),
    close: async () => undefined,
  };
}
