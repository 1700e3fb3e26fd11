/**
 * Field names against the field catalog (DESIGN §2): a condition, a retention `from`, a masking
 * field path or the masking policy an anonymize action writes with may only name fields that
 * records of the type carry. An unknown name is an error at its place in the YAML with a
 * did-you-mean over the catalog's names. Top-level record keys (id, createdAt, …) are always known.
 */
import { conditionFields } from '../conditions/fields.ts';
import { catalogFor, type FieldSpec, type FieldType } from '../record-types.ts';
import type { Issue } from './checks.ts';
import type { PathSeg } from './locate.ts';
import { suggest } from './problems.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface Sel {
  system: string;
  type: string;
}

/** A condition in a document: where it is, and the record types it is evaluated on. */
export interface ConditionSite {
  path: PathSeg[];
  selectors: Sel[];
}

/** Masking policy name -> the field paths it names (`fields.X`, `id`, `createdAt`). */
export type MaskingPaths = ReadonlyMap<string, readonly string[]>;

/** True when a value of a record has the catalogued type (null is allowed everywhere). */
export function valueMatchesType(v: unknown, type: FieldType): boolean {
  switch (type) {
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'list':
      return Array.isArray(v);
    default:
      return typeof v === 'string';
  }
}

function selectorsOf(v: unknown): Sel[] {
  const s = obj(v);
  return typeof s.system === 'string' && typeof s.type === 'string' ? [{ system: s.system, type: s.type }] : [];
}

/** Catalogs of the selectors; undefined when one of them is not a known pair (reported elsewhere). */
function catalogs(selectors: readonly Sel[]): Array<readonly FieldSpec[]> | undefined {
  const out: Array<readonly FieldSpec[]> = [];
  for (const s of selectors) {
    const c = catalogFor(s.system, s.type);
    if (!c) return undefined;
    out.push(c);
  }
  return out.length > 0 ? out : undefined;
}

/** The catalogued field a `fields.…` path reads (a nested path inside a catalogued field counts). */
export function specFor(path: string, catalog: readonly FieldSpec[]): FieldSpec | undefined {
  if (!path.startsWith('fields.')) return undefined;
  const sub = path.slice('fields.'.length);
  return catalog.find((f) => f.name === sub || sub.startsWith(`${f.name}.`));
}

/** Where every condition of a document is, with the types it applies to. */
export function conditionSites(kind: string, value: Obj): ConditionSite[] {
  const spec = obj(value.spec);
  const out: ConditionSite[] = [];
  const add = (path: PathSeg[], selectors: Sel[], holder: unknown) => {
    if ('when' in obj(holder)) out.push({ path, selectors });
  };
  switch (kind) {
    case 'RetentionPolicy':
      add(['spec', 'when'], selectorsOf(spec.appliesTo), spec);
      break;
    case 'ConsentPolicy':
      arr(obj(spec.onWithdrawal).purge).forEach((t, i) => add(['spec', 'onWithdrawal', 'purge', i, 'when'], selectorsOf(t), t));
      break;
    case 'ErasurePolicy': {
      const scope = arr(spec.scope);
      scope.forEach((s, i) => add(['spec', 'scope', i, 'when'], selectorsOf(s), s));
      const all = scope.flatMap(selectorsOf);
      arr(spec.exceptions).forEach((x, i) => {
        const e = obj(x);
        add(['spec', 'exceptions', i, 'when'], Array.isArray(e.appliesTo) ? e.appliesTo.flatMap(selectorsOf) : all, e);
      });
      break;
    }
  }
  return out;
}

export function getIn(v: unknown, path: readonly PathSeg[]): unknown {
  let cur = v;
  for (const seg of path) cur = cur && typeof cur === 'object' ? (cur as Obj)[seg as string] : undefined;
  return cur;
}

/** The first place in a raw (shorthand or JsonLogic) condition that names `field`. */
export function findField(raw: unknown, field: string, base: PathSeg[]): { path: PathSeg[]; atKey: boolean } | undefined {
  if (Array.isArray(raw)) {
    for (let i = 0; i < raw.length; i++) {
      const hit = findField(raw[i], field, [...base, i]);
      if (hit) return hit;
    }
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  for (const [k, v] of Object.entries(raw as Obj)) {
    if (k === field) return { path: [...base, k], atKey: true };
    if (k === 'var' && (v === field || (Array.isArray(v) && v[0] === field))) return { path: [...base, k], atKey: false };
    if ((k === 'missing' || k === 'missing_some') && JSON.stringify(v).includes(JSON.stringify(field))) return { path: [...base, k], atKey: false };
    const hit = findField(v, field, [...base, k]);
    if (hit) return hit;
  }
  return undefined;
}

function typesText(selectors: readonly Sel[]): string {
  return selectors.map((s) => `${s.system} ${s.type}`).join(' or ');
}

/** The message for a field no catalog of `selectors` has, or undefined when it is known. */
export function unknownFieldMessage(path: string, selectors: readonly Sel[]): string | undefined {
  const root = path.split('.')[0]!;
  if (root !== 'fields' || path === 'fields') return undefined; // other roots are checked by the condition checker
  const cats = catalogs(selectors);
  if (!cats) return undefined;
  if (cats.some((c) => specFor(path, c))) return undefined;
  const names = [...new Set(cats.flatMap((c) => c.map((f) => `fields.${f.name}`)))].sort();
  const hint = didYouMean(path, names);
  return `${path} is not a field of ${typesText(selectors)} records${hint ? ` (did you mean ${hint}?)` : ''}; known fields: ${names.map((n) => n.slice(7)).join(', ')}`;
}

/** Edit distance over the catalog's names; a name that contains the word (`score` -> `totalScore`) first. */
function didYouMean(path: string, names: readonly string[]): string | undefined {
  const word = path.slice('fields.'.length).toLowerCase();
  const containing = word.length >= 4 ? names.filter((n) => n.slice(7).toLowerCase().includes(word)) : [];
  return containing.length === 1 ? containing[0] : suggest(path, names);
}

/** Every catalog problem of one document (after its conditions were turned into JsonLogic). */
export function catalogIssues(kind: string, value: Obj, raw: Obj, masking: MaskingPaths): Issue[] {
  const out: Issue[] = [];
  for (const site of conditionSites(kind, value)) {
    for (const f of conditionFields(getIn(value, site.path))) {
      const message = unknownFieldMessage(f, site.selectors);
      if (!message) continue;
      const at = findField(getIn(raw, site.path), f, site.path) ?? { path: site.path, atKey: true };
      out.push({ path: at.path, atKey: at.atKey, code: 'field.unknown', message });
    }
  }
  const spec = obj(value.spec);
  if (kind === 'RetentionPolicy') {
    const sel = selectorsOf(spec.appliesTo);
    if (typeof spec.from === 'string') {
      const message = unknownFieldMessage(spec.from, sel);
      const cats = catalogs(sel);
      const fs = cats ? specFor(spec.from, cats[0]!) : undefined;
      if (message) out.push({ path: ['spec', 'from'], code: 'field.unknown', message });
      else if (fs && fs.type !== 'date' && fs.type !== 'datetime') out.push({ path: ['spec', 'from'], code: 'field.not-a-date', message: `${spec.from} is ${fs.type === 'id' ? 'an id' : `a ${fs.type}`}, not a date: the period must count from a date field (${cats![0]!.filter((f) => f.type === 'date' || f.type === 'datetime').map((f) => `fields.${f.name}`).join(', ') || 'createdAt'})` });
    }
    if (spec.then === 'anonymize') anonymizeIssues(spec.anonymizeWith, sel, ['spec', 'anonymizeWith'], masking, out);
  }
  if (kind === 'MaskingPolicy') {
    const sel = arr(spec.appliesTo).flatMap(selectorsOf);
    for (const key of Object.keys(obj(spec.fields))) {
      const message = unknownFieldMessage(key, sel);
      if (message) out.push({ path: ['spec', 'fields', key], atKey: true, code: 'field.unknown', message });
    }
  }
  if (kind === 'ErasurePolicy') {
    arr(spec.scope).forEach((s, i) => {
      const e = obj(s);
      if (e.action === 'anonymize') anonymizeIssues(e.anonymizeWith, selectorsOf(e), ['spec', 'scope', i, 'anonymizeWith'], masking, out);
    });
  }
  if (kind === 'ConsentPolicy') {
    const w = obj(spec.onWithdrawal);
    if (w.then === 'anonymize') anonymizeIssues(w.anonymizeWith, arr(w.purge).flatMap(selectorsOf), ['spec', 'onWithdrawal', 'anonymizeWith'], masking, out);
  }
  return out;
}

/** The masking policy an anonymize action writes with must name only fields of the anonymized types. */
function anonymizeIssues(name: unknown, selectors: readonly Sel[], path: PathSeg[], masking: MaskingPaths, out: Issue[]): void {
  const paths = typeof name === 'string' ? masking.get(name) : undefined;
  if (!paths) return;
  for (const s of selectors) {
    for (const p of paths) {
      const message = unknownFieldMessage(p, [s]);
      if (message) {
        out.push({ path, code: 'field.unknown', message: `MaskingPolicy "${String(name)}" names ${p}, which ${s.system} ${s.type} records do not have, so anonymizing them with it would not touch what was meant (${message})` });
      }
    }
  }
}
