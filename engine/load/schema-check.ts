/**
 * JSON Schema validation (ajv, draft 2020-12) with errors a compliance officer can act on:
 * each ajv error becomes one Problem pointing at the offending YAML node.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Document, LineCounter } from 'yaml';
import { DURATION_PATTERN } from '../schema/common.ts';
import { dotted, fromPointer, type PathSeg, positionOf } from './locate.ts';
import { type Problem, suggest } from './problems.ts';
import { validatorFor } from './validators.ts';

export { validatorFor } from './validators.ts';

const PATTERN_HINTS: Array<[string, (value: unknown) => string]> = [
  [DURATION_PATTERN, (v) => `${JSON.stringify(v)} is not an ISO 8601 duration: write P7Y (7 years), P18M (18 months), P30D (30 days) or PT12H (12 hours)`],
  ['^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$', (v) => `${JSON.stringify(v)} is not a valid name: use lower-case letters, digits and hyphens (e.g. voice-recordings-7y)`],
  ['^[a-z][a-z0-9-]*:.+$', (v) => `${JSON.stringify(v)} is not an identifier: write kind:value, e.g. email:ann@example.com or phone:+15551234567`],
  ['^hmac:[0-9a-f]{16,64}$', (v) => `${JSON.stringify(v)} is not a keyed hash: expected hmac: followed by 16-64 hex digits (print one with lethe hash)`],
];

const TYPE_WORDS: Record<string, string> = {
  object: 'a map (key: value lines)',
  array: 'a list (lines starting with "- ")',
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};

function valueAt(root: unknown, path: readonly PathSeg[]): unknown {
  let cur = root;
  for (const seg of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg as string] : undefined;
  return cur;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
}

/** Keeps, for each anyOf/oneOf, only the errors of the branch whose type fits the value. */
function prune(errors: ErrorObject[], root: unknown): ErrorObject[] {
  let out = errors;
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  for (const u of unions) {
    const value = valueAt(root, fromPointer(u.instancePath, root));
    const prefix = `${u.schemaPath}/`;
    const mine = (e: ErrorObject) =>
      e.schemaPath.startsWith(prefix) && (e.instancePath === u.instancePath || e.instancePath.startsWith(`${u.instancePath}/`));
    const inside = out.filter((e) => e !== u && mine(e));
    const branches = new Map<string, ErrorObject[]>();
    for (const e of inside) {
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const fitting = [...branches.entries()].filter(
      ([, errs]) => !errs.some((e) => e.keyword === 'type' && e.instancePath === u.instancePath && !typeFits(e, value)),
    );
    const keep = fitting.length === 1 ? fitting[0]![1] : [];
    out = out.filter((e) => !(mine(e) && !keep.includes(e)) && !(e === u && keep.length > 0));
  }
  // A discriminator error already names the problem; drop the enum error on the tag under it.
  const tags = new Set(
    out.filter((e) => e.keyword === 'discriminator').map((e) => `${e.instancePath}/${(e.params as { tag: string }).tag}`),
  );
  return out.filter((e) => !(e.keyword === 'enum' && tags.has(e.instancePath)));
}

function typeFits(e: ErrorObject, value: unknown): boolean {
  const want = (e.params as { type?: string | string[] }).type;
  const list = Array.isArray(want) ? want : [want];
  const t = jsonType(value);
  return list.includes(t) || (t === 'integer' && list.includes('number'));
}

export function schemaProblems(file: string, lines: LineCounter, doc: Document.Parsed, kind: string, value: unknown): Problem[] {
  const validate = validatorFor(kind);
  if (!validate) return [];
  if (validate(value)) return [];
  const out: Problem[] = [];
  for (const e of prune(validate.errors ?? [], value)) {
    const path = fromPointer(e.instancePath, value);
    const v = valueAt(value, path);
    let at = positionOf(doc, lines, path);
    let fieldPath = path;
    let message: string;
    switch (e.keyword) {
      case 'additionalProperties': {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        const parent = e.parentSchema as { properties?: Record<string, unknown>; patternProperties?: unknown; description?: string };
        const allowed = Object.keys(parent.properties ?? {});
        const hint = suggest(extra, allowed);
        fieldPath = [...path, extra];
        at = positionOf(doc, lines, fieldPath, true);
        message = `unknown field "${extra}"${hint ? ` (did you mean "${hint}"?)` : allowed.length ? ` (allowed here: ${allowed.join(', ')})` : parent.patternProperties ? `: ${parent.description ?? 'the key has the wrong form'}` : ''}`;
        break;
      }
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        message = `missing required field "${missing}"${path.length ? '' : ' at the top of the document'}`;
        // Point at the key that owns the incomplete map (`spec:`), or at the list item.
        if (path.length && typeof path[path.length - 1] === 'string') at = positionOf(doc, lines, path, true);
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
        const hint = typeof v === 'string' ? suggest(v, allowed) : undefined;
        message = `${JSON.stringify(v)} is not allowed here${hint ? ` (did you mean "${hint}"?)` : ''}; use one of: ${allowed.join(', ')}`;
        break;
      }
      case 'const':
        message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)} (got ${JSON.stringify(v)})`;
        break;
      case 'type': {
        const want = (e.params as { type: string }).type;
        message = `must be ${String(want).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ')}, not ${describe(v)}`;
        break;
      }
      case 'pattern': {
        const pattern = (e.params as { pattern: string }).pattern;
        const hint = PATTERN_HINTS.find(([p]) => p === pattern);
        message = hint ? hint[1](v) : `${JSON.stringify(v)} has the wrong form: ${(e.parentSchema as { description?: string }).description ?? `must match ${pattern}`}`;
        break;
      }
      case 'format': {
        const f = (e.params as { format: string }).format;
        message = `${JSON.stringify(v)} is not a valid ${f === 'date' ? 'date (YYYY-MM-DD)' : f === 'date-time' ? 'timestamp (e.g. 2026-11-23T09:30:00Z)' : f}`;
        break;
      }
      case 'discriminator': {
        const { tag, tagValue } = e.params as { tag: string; tagValue?: unknown };
        const branches = ((e.parentSchema as { oneOf?: Array<{ properties?: Record<string, { const?: string }> }> }).oneOf ?? [])
          .map((b) => b.properties?.[tag]?.const)
          .filter((x): x is string => typeof x === 'string');
        const hint = typeof tagValue === 'string' ? suggest(tagValue, branches) : undefined;
        fieldPath = [...path, tag];
        at = positionOf(doc, lines, fieldPath);
        message = `unknown ${tag} ${JSON.stringify(tagValue)}${hint ? ` (did you mean "${hint}"?)` : ''}; use one of: ${branches.join(', ')}`;
        break;
      }
      case 'anyOf':
      case 'oneOf':
        message = `${describe(v)} is not one of the allowed forms: ${(e.parentSchema as { description?: string }).description ?? 'see the policy reference'}`;
        break;
      default:
        message = e.message ?? 'is not valid';
    }
    if (kind === 'RunnerConfig' && path.some((seg) => typeof seg === 'string' && SECRET_KEY.test(seg)) && v !== null && typeof v !== 'object') {
      // A literal where a secret reference belongs: say where, never what (it may be the secret).
      message = `a literal value is written here (not shown): secrets are never written in the config; use {env: VARIABLE} or {file: /path/to/file}`;
    }
    out.push({ file, line: at.line, col: at.col, path: dotted(fieldPath), message, severity: 'error', code: `schema.${e.keyword}` });
  }
  return dedupe(out);
}

/** Config keys whose values are (references to) secrets. */
const SECRET_KEY = /secret|password|passwd|token|credential|private|^keys$|^hmac$|^signing$|^clientId$/i;

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return JSON.stringify(v);
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.line}:${p.col}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
