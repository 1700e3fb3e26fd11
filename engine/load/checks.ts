/**
 * Checks a schema cannot express: semver, real dates and sane hold expiry, cron expressions,
 * known system/type pairs, references between documents, unique names, normalised identifiers.
 * Each check returns issues with a path inside its document; the loader adds file positions.
 */
import { CronExpressionParser } from 'cron-parser';
import { normalizeIdentifierKey } from '../../connectors/normalize.ts';
import { ALL_RECORD_TYPES, isKnownSystem, isKnownType, RECORD_TYPES, type RecordTypeName } from '../record-types.ts';
import { addDuration, approxDays } from '../duration.ts';
import type { PathSeg } from './locate.ts';
import { normalizeIdIdentifier } from '../ids.ts';
import { holdIdIssues } from './ids.ts';
import { nativeErasureOf, nativeErasures } from '../native-erasure.ts';

export interface Issue {
  path: PathSeg[];
  message: string;
  code: string;
  severity?: 'error' | 'warning';
  atKey?: boolean;
}

export interface DocInfo {
  kind: string;
  value: Record<string, unknown>;
}

export interface CheckContext {
  /** Names of MaskingPolicy documents and the destinations they declare. */
  maskingNames: Set<string>;
  destinations: Set<string>;
  /** Clock for expiry warnings, when the caller has one. */
  now?: string;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function selector(v: unknown, path: PathSeg[], out: Issue[]): void {
  const s = obj(v);
  if (typeof s.system === 'string' && typeof s.type === 'string' && isKnownSystem(s.system) && ALL_RECORD_TYPES.includes(s.type as RecordTypeName) && !isKnownType(s.system, s.type)) {
    const known = (RECORD_TYPES as Record<string, readonly string[]>)[s.system];
    out.push({
      path: [...path, 'type'],
      code: 'ref.unknown-type',
      message: `${s.system} has no record type "${s.type}"${known ? `; its types are: ${known.join(', ')}` : ''}`,
    });
  }
}

function maskingRef(spec: Obj, action: unknown, path: PathSeg[], ctx: CheckContext, out: Issue[]): void {
  const name = spec.anonymizeWith;
  if (action === 'anonymize' && typeof name !== 'string') {
    out.push({ path, atKey: true, code: 'ref.anonymize-needs-masking', message: 'anonymize needs `anonymizeWith: <MaskingPolicy name>` to say what is written instead of the data' });
  }
  if (typeof name === 'string' && !ctx.maskingNames.has(name)) {
    out.push({ path: [...path, 'anonymizeWith'], code: 'ref.unknown-masking', message: `no MaskingPolicy named "${name}" in this bundle` });
  }
}

/** A date (YYYY-MM-DD) or timestamp that exists on the calendar; returns its ISO form or null. */
export function realDate(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(v);
  if (!m) return null;
  const [y, mo, d] = [+m[1]!, +m[2]!, +m[3]!];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  // Date.parse reads 24:00 as the next day and some engines roll over 60 seconds: refuse them.
  const hm = m[4] ? /^T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(m[4]) : null;
  if (hm && (+hm[1]! > 23 || +hm[2]! > 59 || (hm[3] !== undefined && +hm[3] > 59))) return null;
  const zone = m[7] ? /^[+-](\d{2}):(\d{2})$/.exec(m[7]) : null;
  if (zone && (+zone[1]! > 23 || +zone[2]! > 59)) return null;
  const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

const MAX_HOLD_YEARS = 50;

function checkHold(spec: Obj, ctx: CheckContext, out: Issue[]): void {
  const issued = spec.issued === undefined ? null : realDate(spec.issued);
  if (spec.issued !== undefined && !issued) out.push({ path: ['spec', 'issued'], code: 'date.invalid', message: `${JSON.stringify(spec.issued)} is not a real date (YYYY-MM-DD)` });
  if (spec.expires !== undefined) {
    const exp = realDate(spec.expires);
    if (!exp) {
      out.push({ path: ['spec', 'expires'], code: 'date.invalid', message: `${JSON.stringify(spec.expires)} is not a real date: write YYYY-MM-DD (e.g. 2027-06-30)` });
    } else {
      const floor = issued ?? '2000-01-01T00:00:00.000Z';
      const ceiling = addDuration(issued ?? ctx.now ?? new Date(Date.UTC(2000, 0, 1)).toISOString(), `P${MAX_HOLD_YEARS}Y`);
      if (exp < floor) out.push({ path: ['spec', 'expires'], code: 'hold.expiry-range', message: `expires ${String(spec.expires)} is before ${issued ? 'the date the hold was issued' : '2000-01-01'}: check the year` });
      else if (ctx.now && exp > addDuration(ctx.now, `P${MAX_HOLD_YEARS}Y`)) out.push({ path: ['spec', 'expires'], code: 'hold.expiry-range', message: `expires ${String(spec.expires)} is more than ${MAX_HOLD_YEARS} years away: check the year (omit expires for an open-ended hold)` });
      else if (issued && exp > ceiling) out.push({ path: ['spec', 'expires'], code: 'hold.expiry-range', message: `expires ${String(spec.expires)} is more than ${MAX_HOLD_YEARS} years after the hold was issued: check the year` });
      else if (ctx.now && exp <= ctx.now) out.push({ path: ['spec', 'expires'], code: 'hold.expired', severity: 'warning', message: `this hold expired on ${String(spec.expires)} and no longer protects anything; remove it or extend it` });
    }
  }
  const holds = obj(spec.holds);
  arr(holds.records).forEach((r, i) => selector(r, ['spec', 'holds', 'records', i], out));
  arr(holds.identifiers).forEach((id, i) => identifierIssue(id, ['spec', 'holds', 'identifiers', i], out));
  holdIdIssues(holds, out);
}

export function identifierIssue(id: unknown, path: PathSeg[], out: Issue[]): void {
  if (typeof id !== 'string' || !id.includes(':')) return;
  const norm = normalizeIdentifierKey(id);
  if (norm === null) out.push({ path, code: 'identifier.invalid', message: `${JSON.stringify(id)} is not a valid ${id.split(':')[0]} identifier` });
  // Record-id identifiers (`sf:` 15-character, `gc:` upper case) are accepted in any form and
  // rewritten in canonical form by the loader (ids.ts); other identifiers must be written normalised.
  else if (norm !== id && norm !== normalizeIdIdentifier(id)) out.push({ path, code: 'identifier.not-normalised', message: `write identifiers in normalised form: ${JSON.stringify(norm)} (e-mails lower-case, phones E.164)` });
}

function checkCron(spec: Obj, out: Issue[]): void {
  const names = new Set<string>();
  arr(spec.schedules).forEach((s, i) => {
    const sch = obj(s);
    if (typeof sch.name === 'string') {
      if (names.has(sch.name)) out.push({ path: ['spec', 'schedules', i, 'name'], code: 'name.duplicate', message: `schedule "${sch.name}" is defined twice` });
      names.add(sch.name);
    }
    if (typeof sch.timezone === 'string') {
      try {
        new Intl.DateTimeFormat('en', { timeZone: sch.timezone });
      } catch {
        out.push({ path: ['spec', 'schedules', i, 'timezone'], code: 'cron.timezone', message: `unknown time zone ${JSON.stringify(sch.timezone)} (use an IANA name such as Europe/Dublin)` });
      }
    }
    if (typeof sch.cron === 'string') {
      const fields = sch.cron.trim().split(/\s+/).length;
      let error: string | undefined;
      if (fields < 5 || fields > 6) error = `has ${fields} fields; write 5 (minute hour day month weekday) or 6 (with seconds first)`;
      else {
        try {
          CronExpressionParser.parse(sch.cron, { tz: typeof sch.timezone === 'string' ? sch.timezone : 'UTC' });
        } catch (e) {
          error = (e as Error).message;
        }
      }
      if (error) out.push({ path: ['spec', 'schedules', i, 'cron'], code: 'cron.invalid', message: `${JSON.stringify(sch.cron)} is not a valid cron expression: ${error}` });
    }
  });
}

/** Checks one document (after schema validation passed). */
export function checkDocument(doc: DocInfo, ctx: CheckContext): Issue[] {
  const out: Issue[] = [];
  const meta = obj(doc.value.metadata);
  if (typeof meta.version === 'string' && !SEMVER.test(meta.version)) {
    out.push({ path: ['metadata', 'version'], code: 'semver.invalid', message: `${JSON.stringify(meta.version)} is not a semantic version: write MAJOR.MINOR.PATCH, e.g. 1.0.0` });
  }
  const spec = obj(doc.value.spec);
  switch (doc.kind) {
    case 'RetentionPolicy':
      selector(spec.appliesTo, ['spec', 'appliesTo'], out);
      maskingRef(spec, spec.then, ['spec'], ctx, out);
      if (typeof spec.retainFor === 'string' && approxDays(spec.retainFor) === 0) out.push({ path: ['spec', 'retainFor'], code: 'duration.zero', message: 'retainFor must be longer than zero (a zero period deletes everything at once)' });
      break;
    case 'MaskingPolicy':
      arr(spec.appliesTo).forEach((s, i) => selector(s, ['spec', 'appliesTo', i], out));
      break;
    case 'ConsentPolicy': {
      arr(spec.destinations).forEach((d, i) => {
        if (typeof d === 'string' && !ctx.destinations.has(d)) {
          out.push({ path: ['spec', 'destinations', i], code: 'ref.unknown-destination', message: `no MaskingPolicy declares destination "${d}": every destination must say what it may receive` });
        }
      });
      const w = obj(spec.onWithdrawal);
      arr(w.purge).forEach((t, i) => selector(t, ['spec', 'onWithdrawal', 'purge', i], out));
      if (spec.onWithdrawal) maskingRef(w, w.then, ['spec', 'onWithdrawal'], ctx, out);
      break;
    }
    case 'ErasurePolicy': {
      arr(spec.identityTypes).forEach((s, i) => selector(s, ['spec', 'identityTypes', i], out));
      arr(spec.scope).forEach((s, i) => {
        const e = obj(s);
        selector(e, ['spec', 'scope', i], out);
        maskingRef(e, e.action, ['spec', 'scope', i], ctx, out);
        if (e.action === 'gdpr-request' && (typeof e.system !== 'string' || nativeErasureOf(e.system)?.type !== e.type)) {
          const where = nativeErasures().map((n) => `${n.prose}' native GDPR API) applies only to system ${n.system}, type ${n.type}`);
          out.push({ path: ['spec', 'scope', i, 'action'], code: 'ref.gdpr-request', message: `gdpr-request (${where.join('; or ') || 'a native erasure API) applies to no registered system'}` });
        }
      });
      const names = new Set<string>();
      arr(spec.exceptions).forEach((x, i) => {
        const e = obj(x);
        arr(e.appliesTo).forEach((s, j) => selector(s, ['spec', 'exceptions', i, 'appliesTo', j], out));
        if (typeof e.name === 'string') {
          if (names.has(e.name)) out.push({ path: ['spec', 'exceptions', i, 'name'], code: 'name.duplicate', message: `exception "${e.name}" is defined twice` });
          names.add(e.name);
        }
      });
      break;
    }
    case 'LegalHold':
      checkHold(spec, ctx, out);
      break;
    case 'RunnerConfig':
      checkCron(spec, out);
      break;
    case 'DataSubjectRequest': {
      arr(spec.identifiers).forEach((id, i) => identifierIssue(id, ['spec', 'identifiers', i], out));
      if (spec.rectifications !== undefined && spec.type !== 'rectification') out.push({ path: ['spec', 'rectifications'], code: 'dsr.rectifications', message: 'rectifications belong only to requests of type rectification' });
      if (spec.type === 'rectification' && spec.rectifications === undefined) out.push({ path: ['spec'], atKey: true, code: 'dsr.rectifications', message: 'a rectification request needs `rectifications` (what is corrected to what)' });
      if (ctx.now && typeof spec.receivedAt === 'string' && realDate(spec.receivedAt) && realDate(spec.receivedAt)! > ctx.now) out.push({ path: ['spec', 'receivedAt'], code: 'date.future', message: 'receivedAt is in the future' });
      break;
    }
  }
  return out;
}
