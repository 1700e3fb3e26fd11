/**
 * `lethe audit ship --config` and `lethe audit verify --sink --config`: the config's audit log
 * (files or PostgreSQL state) and its signed checkpoints, shipped to / compared with the
 * append-only sink named by `auditSink` in the config.
 */
import { dirname, join, resolve } from 'node:path';
import { readCheckpoints } from '../../audit/checkpoint.ts';
import { compareWithSink, shipAudit, type AuditSink } from '../../audit/sink.ts';
import { checkpointsDirFor, loadConfig } from '../../dsr/context.ts';
import { resolveSecret } from '../../secrets.ts';
import { openState, stateDirOf, type StateStore } from '../../state/index.ts';
import { postgresSink } from '../../state/postgres/sink.ts';
import { UserError } from '../errors.ts';

type Out = (text: string) => void;
const LOG = 'audit.jsonl';

async function withSink<T>(configFile: string, fn: (state: StateStore, sink: AuditSink, checkpointsDir: string) => Promise<T>): Promise<T> {
  const config = await loadConfig(configFile);
  const base = dirname(resolve(configFile));
  const ref = config.spec.auditSink?.postgres?.url;
  if (!ref) throw new UserError(`${configFile}: no auditSink.postgres.url in the config: there is no sink to ship to or compare with`);
  const state = await openState(config, { base });
  try {
    const sink = await postgresSink(resolveSecret(ref, 'auditSink.postgres.url'));
    try {
      return await fn(state, sink, checkpointsDirFor(config, base, stateDirOf(config, base)));
    } finally {
      await sink.close();
    }
  } finally {
    await state.close();
  }
}

/** Exit 0 when the sink holds every entry afterwards; 1 when some wait (sink down: retried next time). */
export async function runAuditShip(configFile: string, out: Out, err: Out): Promise<number> {
  return withSink(configFile, async (state, sink, cpDir) => {
    const local = await state.readAuditLog(LOG);
    const cps = (await readCheckpoints(cpDir, join(state.location, LOG))).checkpoints?.map((c) => c.checkpoint) ?? [];
    const r = await shipAudit(local, LOG, sink, { checkpoints: cps });
    out(`${sink.location}: shipped ${r.shipped} entr${r.shipped === 1 ? 'y' : 'ies'} and ${r.checkpoints} checkpoint(s); ${r.pending} waiting\n`);
    if (r.error) err(`lethe: the sink could not take the rest (${r.error}); they wait in the local log and go with the next lethe audit ship\n`);
    return r.pending === 0 ? 0 : 1;
  });
}

export async function runAuditVerifySink(configFile: string, out: Out, err: Out): Promise<number> {
  return withSink(configFile, async (state, sink) => {
    const local = await state.readAuditLog(LOG);
    const v = await state.verifyAuditLog(LOG);
    if (!v.ok) {
      err(`${state.location} ${LOG}: the local log does not verify (${v.problem!.kind} at ${v.problem!.line}: ${v.problem!.message})\n`);
      return 1;
    }
    const c = await compareWithSink(local, LOG, sink);
    for (const n of c.notes) err(`${sink.location}: note: ${n}\n`);
    for (const p of c.problems) err(`${p}\n`);
    if (c.ok) out(`${sink.location}: ok, the sink's ${c.sinkEntries} entries verify and match the local chain (${local.length} entries)\n`);
    return c.ok ? 0 : 1;
  });
}

/**
 * After a run that wrote audit entries (apply, the scheduler's jobs): ship them when the config
 * names an audit sink. A sink that is down is a warning, never a failure of the run: the entries
 * wait in the local log (durable) and go with the next shipment or `lethe audit ship`.
 */
export async function shipAfterRun(configFile: string, warn: (text: string) => void): Promise<void> {
  const config = await loadConfig(configFile);
  if (!config.spec.auditSink?.postgres) return;
  try {
    const code = await runAuditShip(configFile, () => undefined, warn);
    if (code !== 0) warn('lethe: some audit entries wait for the sink; they go with the next run or lethe audit ship\n');
  } catch (e) {
    warn(`lethe: the audit sink could not be reached (${e instanceof Error ? e.message : String(e)}); the entries wait in the local log\n`);
  }
}
