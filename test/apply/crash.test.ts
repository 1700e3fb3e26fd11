/**
 * Crash and resume: `lethe apply` runs as a child process and is killed with SIGKILL at 30+
 * points; each re-run resumes. The emulators' final state equals an uninterrupted run's.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../runner/apply/index.ts';
import { subjectsFromRequestFiles } from '../../runner/cli/commands/apply.ts';
import { verifyAuditLog } from '../../runner/audit/index.ts';
import { journalPath, readJournal } from '../../runner/journal/index.ts';
import { makeWorld, remainingKeys, settleGdpr, type World } from './world.ts';
import { letheBin } from '../lethe-bin.ts';

const SEED = 41;
const RECORDS = 900;
let a: World;
let b: World;

beforeAll(async () => {
  [a, b] = await Promise.all([makeWorld({ seed: SEED, records: RECORDS, erasures: 4 }), makeWorld({ seed: SEED, records: RECORDS, erasures: 4 })]);
  // Slow every response a little so kills land in the middle of the work.
  b.sandbox.genesys.faults.set({ slowRate: 1, slowMs: 2 });
  b.sandbox.salesforce.faults.set({ slow: 1, slowMs: 2 });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

function journalLines(w: World): number {
  try {
    return readFileSync(journalPath(w.config.spec.stateDir!, w.plan.hash), 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}

/** Requests both emulators have answered so far (the child's reads and writes). */
function requestsSeen(w: World): number {
  return w.sandbox.genesys.stats().requests + w.sandbox.salesforce.stats().requests;
}

/**
 * Runs `lethe apply` in a child process. With `killAfterLines`, SIGKILLs it once the journal has
 * grown by that many lines; with 0, early instead: once the emulators have seen `earlyRequests`
 * more requests from it (0: during start-up, before any). Every kill point is a count, so a slow
 * machine moves none of them.
 */
function runChild(w: World, killAfterLines: number | null, earlyRequests = 0): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const start = journalLines(w);
    const startRequests = requestsSeen(w);
    const child = spawn(process.execPath, [letheBin(), 'apply', w.planFile, '--config', w.configFile, ...(w.requestsDir ? ['--requests', w.requestsDir] : [])], { env: { ...w.env, CI: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer =
      killAfterLines === null
        ? null
        : setInterval(() => {
            const grown = journalLines(w) - start;
            if ((killAfterLines === 0 && requestsSeen(w) - startRequests >= earlyRequests) || (killAfterLines > 0 && grown >= killAfterLines)) child.kill('SIGKILL');
          }, 5);
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stderr });
    });
  });
}

function mulberry(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('crash and resume', () => {
  it('SIGKILL at 30+ points, then resume: same final state as an uninterrupted run, nothing repeated', async () => {
    expect(a.plan.hash).toBe(b.plan.hash);
    expect(a.plan.actions.length).toBeGreaterThan(40);
    const r = await applyPlan(a.plan, { config: a.config, stateDir: a.config.spec.stateDir!, bundle: a.bundle, env: a.env, resolveSubject: await subjectsFromRequestFiles(a.requestsDir!) });
    expect(r.failed.map((f) => `${a.plan.actions.find((x) => x.id === f.id)?.op} ${a.plan.actions.find((x) => x.id === f.id)?.target.type}: ${f.reason}`)).toEqual([]);
    const gdprActions = a.plan.actions.filter((x) => x.op === 'gdpr-request').length;
    expect(gdprActions, 'the plan submits native GDPR requests').toBeGreaterThan(0);
    // GDPR requests complete asynchronously: compare the worlds once both have finished them.
    await settleGdpr(a);
    const expected = await remainingKeys(a);

    const rand = mulberry(SEED);
    let kills = 0;
    let progressed = 0;
    let inFlightKills = 0;
    let last = 0;
    for (let i = 0; i < 70 && kills < 32; i++) {
      // Mostly mid-work (after 1-6 journal lines: between an intent and its outcome, or between
      // batches); every fifth run early, during start-up or the first reads (after 0-19 requests).
      const early = i % 5 === 4;
      const res = await runChild(b, early ? 0 : 1 + Math.floor(rand() * 3), early ? Math.floor(rand() * 20) : 0);
      if (res.signal === 'SIGKILL') kills++;
      else expect(res.code, res.stderr).toBe(0);
      const j = await readJournal(b.config.spec.stateDir!, b.plan.hash).catch(() => null);
      const finished = j ? [...j.states.values()].filter((s) => s.state === 'done' || s.state === 'skipped').length : 0;
      if (finished > last) progressed++;
      last = finished;
      if (j && [...j.states.values()].some((s) => s.state === 'in-flight')) inFlightKills++;
    }
    expect(kills).toBeGreaterThanOrEqual(30);
    // Kills land mid-work (the in-flight count below); how many runs also finish a batch before
    // their kill depends on timing, so only require that some did.
    expect(progressed).toBeGreaterThanOrEqual(1);
    expect(inFlightKills, 'kills between an intent and its outcome').toBeGreaterThanOrEqual(10);
    b.sandbox.genesys.faults.clear();
    b.sandbox.salesforce.faults.clear();
    const final = await runChild(b, null);
    expect(final.code, final.stderr).toBe(0);
    await settleGdpr(b);
    expect(await remainingKeys(b)).toEqual(expected);
    const journal = await readJournal(b.config.spec.stateDir!, b.plan.hash);
    for (const act of b.plan.actions) expect(['done', 'skipped', 'pending']).toContain(journal.states.get(act.id)?.state);
    // Never a second GDPR request for the same subject: exactly one per planned native request.
    const submitted = [...b.sandbox.genesys.store.gdpr.values()].filter((g) => g.request.requestType === 'GDPR_DELETE');
    expect(submitted.length).toBe(gdprActions);
    const bySubject = new Map<string, number>();
    for (const g of submitted) {
      const k = JSON.stringify(g.request.subject);
      bySubject.set(k, (bySubject.get(k) ?? 0) + 1);
    }
    for (const n of bySubject.values()) expect(n).toBe(1);
    const audit = await verifyAuditLog(join(b.config.spec.stateDir!, 'audit.jsonl'));
    expect(audit.ok, JSON.stringify(audit.problem)).toBe(true);
  });
});
