/**
 * `lethe breach scope`: incident file + policy bundle + snapshot -> breach report (JSON, Markdown,
 * HTML; no personal data) in --out, the list of people to notify in the request store
 * (`<store>/breaches/<incident>/notify.json`, mode 0600), and one `breach.scoped` audit event with
 * the incident, its timeline and decisions, the counts and the affected subjects as keyed hashes.
 * Everything is checked before anything is written: a bad incident, bundle or snapshot writes nothing.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { checkIncident, type Incident } from '../../engine/breach/incident.ts';
import { breachMarkdown, breachReport, type BreachReport } from '../../engine/breach/report.ts';
import { BreachScoper, type ScopeResult } from '../../engine/breach/scope.ts';
import type { Bundle } from '../../engine/bundle.ts';
import { sha256Hex } from '../../engine/canonical.ts';
import { formatProblem, loadPolicyDir } from '../../engine/load/index.ts';
import { dotted, positionOf, type PathSeg } from '../../engine/load/locate.ts';
import { subjectHash } from '../../engine/masking/keys.ts';
import { checkSnapshotComplete } from '../../engine/snapshot/complete.ts';
import { listSnapshotFiles, readSnapshotBatches, SnapshotError, SnapshotHasher } from '../../engine/snapshot/reader.ts';
import { AuditInputError } from '../audit/entry.ts';
import { openTargetAudit } from '../audit/target.ts';
import { UserError } from '../cli/errors.ts';
import { writeFileAtomic } from '../journal/durable.ts';
import type { DsrContext } from '../dsr/lifecycle.ts';
import { breachHtml } from './html.ts';

export interface BreachScopeOptions {
  incident: string;
  policies: string;
  snapshot: string;
  out: string;
}

export interface BreachScopeOutcome {
  report: BreachReport;
  files: string[];
  notifyFile: string;
}

interface ParsedIncident {
  incident: Incident;
  text: string;
}

async function loadBundle(dir: string): Promise<Bundle> {
  const load = await loadPolicyDir(dir);
  if (!load.bundle) {
    const errors = load.problems.filter((p) => p.severity === 'error');
    throw new UserError(`policies ${dir} have ${errors.length} error(s):\n${errors.map(formatProblem).join('\n')}`);
  }
  return load.bundle;
}

async function readIncident(file: string, bundle: Bundle, now: string): Promise<ParsedIncident & { locate: (p: PathSeg[]) => string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`${file}: cannot read the incident file`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const locate = (p: PathSeg[]): string => {
    const { line, col } = positionOf(doc, lines, p, true);
    return `${file}:${line}:${col}${p.length > 0 ? ` ${dotted(p)}` : ''}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    throw new UserError(`${file}:${pos.line}:${pos.col}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const checked = checkIncident(doc.toJS(), bundle, now);
  if (!checked.incident) {
    throw new UserError(`${file}: ${checked.problems.length} problem(s):\n${checked.problems.map((p) => `${locate(p.path)}: ${p.message}`).join('\n')}`);
  }
  return { incident: checked.incident, text, locate };
}

/** Reads what the scoper needs in one pass over a complete snapshot; returns the snapshot hash. */
async function readScope(dir: string, scoper: BreachScoper, incident: Incident, locate: (p: PathSeg[]) => string): Promise<string> {
  try {
    await checkSnapshotComplete(dir, false);
    const present = new Set((await listSnapshotFiles(dir)).map((f) => `${f.system}/${f.type}`));
    incident.exposed.forEach((e, i) => {
      if (!present.has(`${e.system}/${e.type}`)) {
        throw new UserError(`${locate(['exposed', i, 'type'])}: the snapshot ${dir} has no ${e.system}/${e.type}.ndjson: an exposed type the snapshot lacks cannot be scoped (take a snapshot that covers it)`);
      }
    });
    for (const t of scoper.neededTypes()) {
      if (!present.has(`${t.system}/${t.type}`)) throw new UserError(`${join(dir, t.system, `${t.type}.ndjson`)}: missing: the identity records of the erasure policies are needed to resolve who is affected`);
    }
    const exposed = new Set(incident.exposed.map((e) => `${e.system}/${e.type}`));
    const hasher = new SnapshotHasher();
    for await (const batch of readSnapshotBatches(dir, { hasher })) {
      for (const r of batch) {
        if (scoper.isIdentityType(r.system, r.type)) scoper.addIdentity(r);
        if (exposed.has(`${r.system}/${r.type}`)) scoper.addCandidate(r);
      }
    }
    return hasher.digest();
  } catch (err) {
    if (err instanceof SnapshotError) throw new UserError(err.message);
    throw err;
  }
}

/** The people to notify: personal data, into the request store only (0600, outside any repository). */
async function writeNotifyList(ctx: DsrContext, incident: Incident, scope: ScopeResult, now: string): Promise<string> {
  const file = join(ctx.store.dir, 'breaches', incident.id, 'notify.json');
  await mkdir(join(ctx.store.dir, 'breaches', incident.id), { recursive: true, mode: 0o700 });
  const body = { incident: incident.id, at: now, subjects: scope.subjects, sharedIdentifiersForReview: scope.flagged };
  await writeFileAtomic(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

export async function runBreachScope(o: BreachScopeOptions, ctx: DsrContext): Promise<BreachScopeOutcome> {
  const now = ctx.now().toISOString();
  const bundle = await loadBundle(o.policies);
  if (bundle.erasure.length === 0) throw new UserError(`policies ${o.policies}: no ErasurePolicy: its identityTypes are how a breach resolves who is affected`);
  const { incident, text, locate } = await readIncident(o.incident, bundle, now);
  const scoper = new BreachScoper(incident, bundle);
  const snapshot = await readScope(o.snapshot, scoper, incident, locate);
  const scope = scoper.finish();
  const report = breachReport(incident, scope, { now, snapshot, policyBundle: bundle.hash });
  const hashes = [...new Set([...scope.subjects.flatMap((s) => s.identifiers), ...scope.flagged].map((id) => subjectHash(id, ctx.hmacKey)))].sort();
  const audit = await openTargetAudit(ctx, { actor: ctx.actor, now: ctx.now });
  try {
    await audit.append('breach.scoped', {
      subject: hashes,
      data: {
        incident: incident.id,
        incidentFile: `sha256:${sha256Hex(text)}`,
        awareAt: incident.awareAt,
        deadline: report.clock.deadline,
        snapshot,
        policyBundle: bundle.hash,
        exposed: incident.exposed.map((e) => `${e.system}/${e.type}${e.destination ? ` as ${e.destination}` : ''}`),
        counts: { ...scope.counts },
        maskedOnly: scope.maskedOnly,
        timeline: incident.timeline,
        decisions: incident.decisions,
      },
    });
  } catch (err) {
    if (err instanceof AuditInputError) throw new UserError(`${o.incident}: ${err.message.replace(/^data/, 'the incident')} (name staff by login in decisions[].by, never by an e-mail address)`);
    throw err;
  } finally {
    await audit.close();
  }
  const notifyFile = await writeNotifyList(ctx, incident, scope, now);
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  const files = [join(out, 'breach.json'), join(out, 'breach.md'), join(out, 'breach.html')];
  await writeFile(files[0]!, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files[1]!, breachMarkdown(report));
  await writeFile(files[2]!, breachHtml(report));
  return { report, files, notifyFile };
}
