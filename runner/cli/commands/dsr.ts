/**
 * `lethe dsr`: data subject requests from intake to certificate. The workflow:
 *   open (or intake) -> verify -> discover -> approve -> execute -> poll -> closed (+ certificate)
 * with list/show/extend/reject/export around it. See runner/dsr/ for the pieces.
 */
import type { Command } from 'commander';
import type { StoredRequest } from '../../dsr/types.ts';
import { existsSync } from 'node:fs';
import { writeCheckpoint } from '../../audit/checkpoint.ts';
import { checkSigningKey, dsrSetup, signingKeyFrom, type DsrCliOptions, type DsrSetup } from '../../dsr/context.ts';
import { pollAll, pollOne } from '../../dsr/poll.ts';
import { approveRequest, extendRequest, openRequest, rejectRequest, verifyRequest } from '../../dsr/intake.ts';
import { intakeFromSystems, intakeSystems } from '../../dsr/system-intake.ts';
import { applyRunner } from '../../dsr/runner.ts';
import { bundleFor, withConnectors } from '../../dsr/systems.ts';
import { discoverStep, executeStep } from '../../dsr/workflow.ts';
import { exportRequest } from '../../dsr/export.ts';
import { approxDays } from '../../../engine/duration.ts';
import { UserError } from '../errors.ts';
import { openState } from '../../state/open.ts';
import { dirname, resolve } from 'node:path';

type Opts = DsrCliOptions & Record<string, unknown>;
const out = (s: string): void => void process.stdout.write(s);
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function common(cmd: Command, needsConfig = false): Command {
  return cmd
    .option('--config <file>', `runner config (request store, state folder, keys${needsConfig ? ', connectors' : ''})`)
    .option('--store <dir>', 'request store folder (overrides the config; default ~/.lethe/requests)')
    .option('--state-dir <dir>', 'state folder holding the audit log (overrides the config; default .lethe)')
    .option('--actor <who>', 'who is acting, recorded in the audit log (default: $LETHE_ACTOR, else the OS user; refused when the config\'s actor.source is os-user or env)')
    .option('--now <iso>', 'the current time (tests and replays)');
}

function requireConfig(s: DsrSetup, opts: Opts): { config: NonNullable<DsrSetup['config']>; file: string } {
  if (!s.config || !opts.config) throw new UserError('this command talks to the systems: pass --config FILE (the runner config with the connectors)');
  return { config: s.config, file: opts.config };
}

function line(r: StoredRequest, now: Date): string {
  const left = Math.floor((Date.parse(r.dueAt) - now.getTime()) / 86_400_000);
  const due = ['COMPLETE', 'PARTIAL_HOLD', 'REJECTED'].includes(r.state) ? `closed ${r.closedAt?.slice(0, 10) ?? ''}` : left < 0 ? `OVERDUE by ${-left} days` : `${left} days left`;
  return `${r.id}  ${r.document.spec.type.padEnd(13)} ${r.state.padEnd(12)} due ${r.dueAt.slice(0, 10)}  ${due}${r.document.spec.verification ? '' : '  (unverified)'}\n`;
}

/**
 * Runs a command that changes request `id` under the request's lock (one writer per request: a
 * second command on it fails at once, exit 1), then signs an audit checkpoint.
 */
async function locked<T>(s: DsrSetup, id: string, what: string, fn: () => Promise<T>): Promise<T> {
  const lock = await s.ctx.store.lockRequest(id, `lethe dsr ${what}`);
  let result: T;
  try {
    result = await fn();
  } finally {
    await lock.release();
  }
  await checkpoint(s);
  return result;
}

/** Signs the audit log's head into the checkpoints folder (when a signing key is configured). */
export async function checkpoint(s: DsrSetup): Promise<void> {
  // PostgreSQL state: the audit table is insert-only; its checkpoints go with `lethe audit ship`.
  if (s.state || !s.config?.spec.keys?.signing || !existsSync(s.ctx.auditFile)) return;
  await writeCheckpoint(s.ctx.auditFile, s.checkpointsDir, signingKeyFrom(s.config, s.env), s.ctx.now);
}

/** How a request's plan runs: through `lethe apply` with this config (also used by the scheduler's dsr-poll job). */
export async function dsrRunner(s: DsrSetup, opts: Opts): Promise<ReturnType<typeof applyRunner>> {
  const { config, file } = requireConfig(s, opts);
  const bundle = await bundleFor(config, file);
  // PostgreSQL state: each apply and poll opens the state (journal, GDPR registry, audit log shared with every runner) and closes it.
  const state = s.state ? { openState: () => openState(config, { base: dirname(resolve(file)), env: s.env }) } : {};
  return applyRunner({ config, stateDir: s.stateDir, ...state, bundle, env: s.env, actor: s.ctx.actor, now: s.ctx.now, signingKey: () => signingKeyFrom(config, s.env) });
}

export function register(program: Command): void {
  const dsr = program.command('dsr').description(
    'Data subject requests (GDPR Art. 15 access, 16 rectification, 17 erasure) from intake to a signed certificate.\n\n' +
      'Workflow: open (or intake) -> verify -> discover -> approve -> execute -> poll -> COMPLETE | PARTIAL_HOLD.\n' +
      'States: RECEIVED -> VALIDATING -> DISCOVERY -> DPO_REVIEW -> EXECUTING -> COMPLETE | PARTIAL_HOLD, or REJECTED with a legal basis.\n' +
      'Every transition is in the audit log (who, why; the subject as keyed hashes). Requests live in the request store\n' +
      '(outside the repository, mode 700); once closed, their identifiers and name are replaced by keyed hashes.\n' +
      'With state.postgres in the config the records, request locks and audit entries are in the state database (shared by\n' +
      'every runner and DPO); the folder keeps the artefacts (discovery reports, certificates, exports).\n' +
      'An unverified request can be opened and discovered, never executed. Due date: received + 30 days (Art. 12(3)).',
  );

  common(dsr.command('open').description('Open a request from what the subject gave. Identifiers are normalised; prints the new request id.'))
    .requiredOption('--type <type>', 'erasure | access | rectification')
    .option('--email <address>', 'an e-mail address of the subject (repeatable)', collect)
    .option('--phone <number>', 'a phone number of the subject, E.164 or national (repeatable)', collect)
    .option('--identifier <kind:value>', 'another identifier, e.g. sf:003… or gc:… (repeatable)', collect)
    .option('--name <name>', 'the name the subject gave')
    .option('--verified-by <method>', 'how the identity was verified (email-challenge, id-document, account-login)')
    .option('--evidence <ref>', 'reference to the verification evidence (ticket, document id), not the evidence itself')
    .option('--received-at <iso>', 'when the request was received (default now); the deadline counts from here')
    .option('--correct <old=new>', 'rectification: identifier and corrected value, e.g. email:old@x.com=new@x.com (repeatable)', collect)
    .action(async (opts: Opts) => {
      const type = String(opts.type);
      if (!['erasure', 'access', 'rectification'].includes(type)) throw new UserError(`--type must be erasure, access or rectification (got ${JSON.stringify(type)})`);
      if ((opts.verifiedBy === undefined) !== (opts.evidence === undefined)) throw new UserError('--verified-by and --evidence go together');
      const s = await dsrSetup(opts);
      // Before anything is recorded: a request that could never get its certificate is not opened.
      checkSigningKey(s.config, s.env);
      const fixes = ((opts.correct as string[] | undefined) ?? []).map((c) => {
        const i = c.indexOf('=');
        if (i <= 0) throw new UserError('--correct must be OLD=NEW, e.g. email:old@example.com=new@example.com');
        return { identifier: c.slice(0, i), value: c.slice(i + 1) };
      });
      const r = await openRequest(s.ctx, {
        type: type as StoredRequest['document']['spec']['type'],
        emails: (opts.email as string[] | undefined) ?? [],
        phones: (opts.phone as string[] | undefined) ?? [],
        identifiers: (opts.identifier as string[] | undefined) ?? [],
        ...(typeof opts.name === 'string' ? { name: opts.name } : {}),
        ...(typeof opts.receivedAt === 'string' ? { receivedAt: opts.receivedAt } : {}),
        ...(typeof opts.verifiedBy === 'string' ? { verification: { method: opts.verifiedBy, reference: String(opts.evidence) } } : {}),
        ...(fixes.length ? { rectifications: fixes } : {}),
      });
      await checkpoint(s);
      out(`${r.id}\n`);
      out(`  ${r.state}, due ${r.dueAt}${r.document.spec.verification ? '' : '; identity not verified yet (lethe dsr verify)'}\n`);
    });

  common(
    dsr
      .command('intake')
      .description('Open an erasure request for every erasure a configured system asks for itself (Salesforce: each Individual with ShouldForget = true), never twice for the same source.')
      .addHelpText('after', '\nExamples:\n  lethe dsr intake --config lethe.yaml\nExit status: 0 when every system was read (new requests opened or none); 1 when no configured system offers intake, or a read fails (nothing is opened from a partial read).'),
    true,
  ).action(async (opts: Opts) => {
    const s = await dsrSetup(opts);
    const { config } = requireConfig(s, opts);
    checkSigningKey(config, s.env);
    const systems = intakeSystems(config, s.env);
    const res = await intakeFromSystems(s.ctx, systems);
    await checkpoint(s);
    for (const r of res.opened) out(`${r.id}  opened from ${r.document.spec.source}\n`);
    out(`${res.opened.length} request(s) opened, ${res.skipped} ${systems.map((x) => x.capability.noun).join(' or ')} already had one\n`);
  });

  common(dsr.command('verify').description('Record the identity verification (method, evidence reference, who, when; GDPR Recital 64).').argument('<id>'))
    .requiredOption('--verified-by <method>', 'how the identity was verified')
    .requiredOption('--evidence <ref>', 'reference to the evidence')
    .action(async (id: string, opts: Opts) => {
      const s = await dsrSetup(opts);
      const r = await locked(s, id, 'verify', () => verifyRequest(s.ctx, id, { method: String(opts.verifiedBy), reference: String(opts.evidence) }));
      out(`${r.id}: verified (${r.document.spec.verification!.method}); run lethe dsr discover ${r.id}\n`);
    });

  common(dsr.command('list').description('List requests with state and deadline.'))
    .option('--overdue', 'only open requests past their due date')
    .option('--due-within <duration>', 'only open requests due within this ISO 8601 duration, e.g. P7D')
    .action(async (opts: Opts) => {
      const s = await dsrSetup(opts);
      const now = s.ctx.now();
      let list = await s.ctx.store.list();
      const open = (r: StoredRequest): boolean => !['COMPLETE', 'PARTIAL_HOLD', 'REJECTED'].includes(r.state);
      if (opts.overdue) list = list.filter((r) => open(r) && Date.parse(r.dueAt) < now.getTime());
      if (typeof opts.dueWithin === 'string') {
        const ms = approxDays(opts.dueWithin) * 86_400_000;
        if (!(ms > 0)) throw new UserError(`--due-within must be an ISO 8601 duration such as P7D (got ${JSON.stringify(opts.dueWithin)})`);
        list = list.filter((r) => open(r) && Date.parse(r.dueAt) - now.getTime() <= ms);
      }
      for (const r of list.sort((a, b) => (a.dueAt < b.dueAt ? -1 : 1))) out(line(r, now));
      if (list.length === 0) out('no requests\n');
    });

  common(dsr.command('show').description('Show one request: state, deadline, history, discovery, execution, certificate.').argument('<id>')).action(async (id: string, opts: Opts) => {
    const s = await dsrSetup(opts);
    out(`${JSON.stringify(await s.ctx.store.read(id), null, 2)}\n`);
  });

  common(dsr.command('discover').description('Find everything both systems hold about the subject and what the request would do: writes discovery.json and discovery.html (for the DPO) to the request store; the request goes to DPO_REVIEW. Changes nothing in the systems.').argument('<id>'), true).action(async (id: string, opts: Opts) => {
    const s = await dsrSetup(opts);
    const { config, file } = requireConfig(s, opts);
    const bundle = await bundleFor(config, file);
    const limits = config.spec.limits;
    const res = await locked(s, id, 'discover', () => withConnectors(config, s.env, (connectors) => discoverStep(s.ctx, id, { connectors, bundle, ...(limits ? { limits } : {}) }), s.state?.rateBudget?.()));
    const rep = res.report;
    out(`${id}: ${rep.records.length} record(s) found (${Object.entries(rep.found).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})\n`);
    out(`  held: ${rep.held.length}, kept by exceptions: ${rep.exceptions.length}, shared identifiers: ${rep.identity.flagged.length}\n`);
    if (res.plan) out(`  plan ${res.plan.hash}: ${res.plan.actions.length} action(s)\n`);
    if (rep.preview) out('  identity not verified: preview only (verify, then discover again)\n');
    out(`  report: ${s.ctx.store.artefact(id, 'discovery.html')}\n`);
  });

  common(dsr.command('approve').description('The DPO review step: approve the discovered plan of a verified request (refused for unverified requests). Four eyes: an erasure is approved by someone other than who opened and who verified it (unless the config sets allowSelfApproval: true). Checks the signing key first.').argument('<id>')).action(async (id: string, opts: Opts) => {
    const s = await dsrSetup(opts);
    // The certificate needs the signing key: checked before the approval that lets deletions run.
    checkSigningKey(s.config, s.env);
    const r = await locked(s, id, 'approve', () => approveRequest(s.ctx, id));
    out(`${r.id}: approved by ${r.approval!.by}${r.approval!.planHash ? ` (plan ${r.approval!.planHash})` : ''}; run lethe dsr ${r.document.spec.type === 'access' ? 'export' : 'execute'} ${r.id}\n`);
  });

  const runFor = (s: DsrSetup, opts: Opts): Promise<ReturnType<typeof applyRunner>> => dsrRunner(s, opts);
  const report = (r: StoredRequest): void => {
    const ex = r.execution;
    out(`${r.id}: ${r.state}${ex ? ` (done ${ex.done.length + ex.gone.length}, failed ${ex.failed.length}, skipped ${ex.skipped.length}, pending ${ex.pending.length})` : ''}\n`);
    for (const f of ex?.failed ?? []) out(`  failed ${f.id}: ${f.reason}\n`);
    if (r.certificate) out(`  certificate: ${r.certificate.file} (${r.certificate.digest})\n`);
    if (r.state === 'EXECUTING' && ex?.pending.length) out(`  native jobs pending: run lethe dsr poll ${r.id} (daily)\n`);
    if (r.verification) {
      const v = r.verification;
      out(`  verified ${v.at}: ${Object.entries(v.systems).map(([sys, n]) => `${sys} removed ${n.removed}, remaining ${n.remaining}`).join('; ') || 'nothing found'}\n`);
      for (const x of v.remaining) out(`  remains ${x.target.system}/${x.target.type}/${x.target.id}: ${x.why}${x.caseRef ? ` ${x.caseRef}` : ''}${x.expires ? ` until ${x.expires}` : ''}${x.fields ? ` (${x.fields.join(', ')})` : ''}\n`);
      if (r.state === 'INCOMPLETE') out(`  INCOMPLETE: ${v.unexplained} record(s) remain without a reason (verification.json in the store); fix them and run lethe dsr poll ${r.id} to verify again, or lethe dsr discover ${r.id} to plan what remains\n`);
    }
  };

  common(dsr.command('execute').description('Apply the approved plan through the runner (EXECUTING). Once every action and native job has ended, looks the subject up again in every system (VERIFYING): closes COMPLETE or PARTIAL_HOLD with a certificate listing what remains and why, or INCOMPLETE with the records that remain without a reason (no certificate). Otherwise run poll later. Re-running resumes.').argument('<id>'), true).action(async (id: string, opts: Opts) => {
    const s = await dsrSetup(opts);
    report(await locked(s, id, 'execute', async () => executeStep(s.ctx, id, await runFor(s, opts))));
  });

  common(
    dsr
      .command('poll')
      .description('Poll the native Genesys GDPR jobs of an EXECUTING request (or, with --all, of every EXECUTING request); verifies and closes it (with a certificate) when all have ended; on a VERIFYING or INCOMPLETE request, runs the verification re-scan again. Safe to run any number of times: a closed request is reported as closed.')
      .argument('[id]', 'the request (or --all)')
      .option('--all', 'poll every EXECUTING request of the store (what the scheduler\'s dsr-poll job does)')
      .addHelpText('after', '\nExamples:\n  lethe dsr poll dsr-2026-11-k3v9q2xa --config lethe.yaml\n  lethe dsr poll --all --config lethe.yaml\nExit status: 0 when polled or already closed; 1 when a request cannot be polled (not yet executing, busy, an error).'),
    true,
  ).action(async (id: string | undefined, opts: Opts) => {
    if ((id === undefined) === !opts.all) throw new UserError('name one request, or pass --all (not both)');
    const s = await dsrSetup(opts);
    const runner = (): ReturnType<typeof runFor> => runFor(s, opts);
    const outcomes = id !== undefined ? [await pollOne(s.ctx, id, runner)] : await pollAll(s.ctx, runner);
    await checkpoint(s);
    for (const o of outcomes) {
      if ('error' in o) {
        process.stderr.write(`lethe: ${o.id}: ${o.error}\n`);
        process.exitCode = 1;
      } else if (o.closed) out(`${o.id}: ${o.request.state}, closed ${o.request.closedAt?.slice(0, 10) ?? ''}; nothing to poll\n`);
      else report(o.request);
    }
    if (id === undefined && outcomes.length === 0) out('no EXECUTING requests to poll\n');
  });

  common(dsr.command('extend').description('Extend the deadline once, by up to two months, with the reason recorded (GDPR Art. 12(3)).').argument('<id>'))
    .requiredOption('--reason <text>', 'why the request needs more time (told to the subject)')
    .option('--by <duration>', 'extension, at most P2M', 'P2M')
    .action(async (id: string, opts: Opts) => {
      const s = await dsrSetup(opts);
      const r = await locked(s, id, 'extend', () => extendRequest(s.ctx, id, String(opts.reason), String(opts.by)));
      out(`${r.id}: due ${r.dueAt} (was ${r.extension!.previousDueAt})\n`);
    });

  common(dsr.command('reject').description('Reject a request with its legal basis (e.g. "GDPR Art. 12(5)(b): manifestly unfounded"); closes it.').argument('<id>'))
    .requiredOption('--basis <text>', 'the legal basis for rejecting')
    .action(async (id: string, opts: Opts) => {
      const s = await dsrSetup(opts);
      const r = await locked(s, id, 'reject', () => rejectRequest(s.ctx, id, String(opts.basis)));
      out(`${r.id}: REJECTED (${r.rejection!.basis})\n`);
    });

  common(dsr.command('export').description('Access (Art. 15): gather everything both systems hold about the subject, including the Genesys native GDPR export, into a folder or a .tar (JSON per system + an HTML summary). Only what discovery attributes to the subject is packed; what was withheld (records of other people found through a shared identifier) is counted in the summary. Needs a verified, approved request.').argument('<id>'), true)
    .requiredOption('--out <path>', 'output folder, or a file ending in .tar')
    .action(async (id: string, opts: Opts) => {
      const s = await dsrSetup(opts);
      const { config } = requireConfig(s, opts);
      const r = await locked(s, id, 'export', () => withConnectors(config, s.env, (connectors) => exportRequest(s.ctx, id, { connectors, config, env: s.env, out: String(opts.out) }), s.state?.rateBudget?.()));
      out(`${r.id}: ${r.state}; export written to ${r.exportedTo}\n`);
    });
}
