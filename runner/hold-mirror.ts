/**
 * Hold mirroring: conversations named by active LegalHold documents are also protected from
 * deletion in the system that holds conversations (registry `conversationType`: Genesys, recording
 * deletion protection), so its own retention policies cannot delete them either; protection Lethe placed is lifted when its hold ends. Protection placed by
 * someone else is never lifted. The org-wide cap on protected conversations is checked first and
 * reported before it is reached.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Bundle } from '../engine/bundle.ts';
import { holdActive } from '../engine/evaluate/holds.ts';
import { conversationKind } from '../engine/ids.ts';
import { factsOf } from '../connectors/registry.ts';
import type { Connector, ConnectorAction } from '../connectors/types.ts';
import { openAuditLog } from './audit/index.ts';
import { writeFileAtomic } from './journal/index.ts';

export const PROTECTION_CAP = 1000;
/** Share of the cap from which every sync warns. */
export const CAP_WARNING = 0.9;

export interface MirrorState {
  /** Conversation id -> names of the LegalHold documents Lethe protected it for. */
  mirrored: Record<string, string[]>;
}

export interface MirrorReport {
  desired: number;
  alreadyProtected: number;
  protect: string[];
  unprotect: string[];
  protectedAfter: number;
  cap: number;
  warnings: string[];
  failed: Array<{ conversation: string; reason: string }>;
}

/** The system whose conversations holds name and Lethe mirrors protection into, or undefined. */
export function mirrorSystem(): string | undefined {
  return conversationKind()?.system;
}

/** The system's name in messages (`Genesys`). */
function systemProse(system: string | undefined): string {
  const f = system === undefined ? undefined : factsOf(system);
  return f ? (f.prose ?? f.label) : 'the system';
}

/** The connector hold mirroring acts through, or undefined when the config has none. */
export function mirrorConnector(connectors: readonly Connector[]): Connector | undefined {
  const system = mirrorSystem();
  return connectors.find((c) => c.system === system);
}

function statePath(stateDir: string): string {
  return join(stateDir, 'hold-mirrors.json');
}

async function readState(stateDir: string): Promise<MirrorState> {
  try {
    const v = JSON.parse(await readFile(statePath(stateDir), 'utf8')) as MirrorState;
    if (!v || typeof v.mirrored !== 'object') throw new Error('bad shape');
    return v;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { mirrored: {} };
    throw new Error(`${statePath(stateDir)} is not readable hold-mirror state: fix or remove it by hand after checking ${systemProse(mirrorSystem())}`);
  }
}

/** Conversations the active holds name, with the holds naming each. */
export function desiredProtection(bundle: Bundle, nowMs: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const h of bundle.holds) {
    if (!holdActive(h.spec.expires, nowMs)) continue;
    for (const c of h.spec.holds.conversations ?? []) out.set(c, [...(out.get(c) ?? []), h.metadata.name].sort());
  }
  return out;
}

export async function syncHoldMirrors(options: {
  bundle: Bundle;
  /** The connector of the system that holds conversations (mirrorConnector). */
  connector: Connector;
  stateDir: string;
  now: Date;
  cap?: number;
  dryRun?: boolean;
  actor?: string;
}): Promise<MirrorReport> {
  const cap = options.cap ?? PROTECTION_CAP;
  const desired = desiredProtection(options.bundle, options.now.getTime());
  const current = new Set<string>();
  const conv = conversationKind();
  if (!conv || conv.system !== options.connector.system) throw new Error(`hold mirroring acts on the system that holds conversations, not ${options.connector.system}`);
  for await (const r of options.connector.stream('legal-hold')) {
    for (const l of r.links) if (l.type === conv.type) current.add(l.id);
  }
  const state = await readState(options.stateDir);
  const protect = [...desired.keys()].filter((c) => !current.has(c)).sort();
  const unprotect = Object.keys(state.mirrored).filter((c) => !desired.has(c) && current.has(c)).sort();
  const after = current.size + protect.length - unprotect.length;
  const report: MirrorReport = { desired: desired.size, alreadyProtected: [...desired.keys()].filter((c) => current.has(c)).length, protect, unprotect, protectedAfter: after, cap, warnings: [], failed: [] };
  if (after > cap) {
    report.warnings.push(`protecting ${protect.length} more conversation(s) would make ${after}, over the org cap of ${cap}: nothing was protected; ask ${systemProse(conv.system)} to raise the cap or narrow the holds`);
    return report;
  }
  if (after >= cap * CAP_WARNING) report.warnings.push(`${after} of the org cap of ${cap} protected conversations will be in use (${Math.round((after / cap) * 100)} %)`);
  if (options.dryRun || (protect.length === 0 && unprotect.length === 0)) return report;

  const actions: ConnectorAction[] = [
    ...protect.map((id): ConnectorAction => ({ id: `protect:${id}`, op: 'protect', target: { ...conv, id } })),
    ...unprotect.map((id): ConnectorAction => ({ id: `unprotect:${id}`, op: 'unprotect', target: { ...conv, id } })),
  ];
  const audit = await openAuditLog(join(options.stateDir, 'audit.jsonl'), options.actor ? { actor: options.actor } : {});
  try {
    // Record intent first: a crash after protecting leaves state that still lifts it later.
    const next: MirrorState = { mirrored: { ...state.mirrored } };
    for (const id of protect) next.mirrored[id] = desired.get(id)!;
    await writeFileAtomic(statePath(options.stateDir), `${JSON.stringify(next, null, 2)}\n`);
    const outcomes = await options.connector.execute(actions);
    for (const o of outcomes) {
      const [op, id] = [o.id.slice(0, o.id.indexOf(':')), o.id.slice(o.id.indexOf(':') + 1)];
      if (o.status === 'done' || o.status === 'gone') {
        if (op === 'unprotect') delete next.mirrored[id];
        await audit.append(op === 'protect' ? 'hold.mirrored' : 'hold.released', { ...(options.actor ? { actor: options.actor } : {}), data: { conversation: id, holds: op === 'protect' ? desired.get(id)! : state.mirrored[id] ?? [] } });
      } else {
        if (op === 'protect') delete next.mirrored[id];
        report.failed.push({ conversation: id, reason: o.detail ?? o.status });
      }
    }
    await writeFileAtomic(statePath(options.stateDir), `${JSON.stringify(next, null, 2)}\n`);
  } finally {
    await audit.close();
  }
  return report;
}
