/**
 * Applying a MaskingPolicy to one record.
 *
 * - `maskRecord` gives what a destination receives. `system` and `type` are kept; `id` and
 *   `createdAt` are kept unless listed in `fields` (then their strategy must give a string: `drop`
 *   and `null` are refused, see checkMaskingPolicy); each link's id gets the strategy of `id`, so
 *   joins survive an HMAC'd id under the same key; `identifiers` get `spec.identifiers` (default
 *   `drop`) with their prefix kept; `fields.*` not listed follow `otherFields` (default `drop`).
 *   Unknown top-level keys are never passed on.
 * - `anonymizeValues` gives what an anonymize action writes into the source system: only the listed
 *   `fields.*` paths (by their policy path, `fields.FirstName`), `keep` left out, `drop` written as
 *   null, a listed field missing from the record masked as null. `otherFields`, `identifiers`,
 *   `id` and `createdAt` are not written back.
 */
import type { LetheRecord, RecordRef } from '../records.ts';
import type { MaskingPolicy, StrategyName, StrategySpec } from '../schema/index.ts';
import type { MaskContext } from './context.ts';
import { asText } from './format.ts';
import { deepCopy, deletePath, locate, setPath } from './paths.ts';
import { applyStrategy, hasFormat, strategyName, toSpec } from './registry.ts';
import { DROP } from './strategy.ts';

type Strategy = StrategySpec | StrategyName;
const ENVELOPE = new Set(['id', 'createdAt']);

export class MaskingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MaskingError';
  }
}

function envelopeValue(policy: MaskingPolicy, path: string, strategy: Strategy, value: string, ctx: MaskContext): string {
  const out = applyStrategy(strategy, value, ctx);
  if (typeof out !== 'string') {
    throw new MaskingError(
      `MaskingPolicy ${policy.metadata.name}: strategy "${strategyName(strategy)}" on ${path} did not give a string (${path} cannot be dropped or nulled)`,
    );
  }
  return out;
}

/** Masks identifiers `prefix:value`: the strategy sees the value (format from the prefix), the prefix stays. */
export function maskIdentifiers(identifiers: readonly string[], strategy: Strategy, ctx: MaskContext): string[] {
  const base = toSpec(strategy);
  const name = strategyName(base);
  if (name === 'drop') return [];
  const out = new Set<string>();
  for (const identifier of identifiers) {
    const colon = identifier.indexOf(':');
    const prefix = colon > 0 ? identifier.slice(0, colon) : '';
    const value = colon > 0 ? identifier.slice(colon + 1) : identifier;
    let spec = base;
    const requested = (base as { format?: string }).format;
    if ((prefix === 'email' || prefix === 'phone') && hasFormat(name) && (requested === undefined || requested === 'auto')) {
      spec = { ...base, format: prefix } as StrategySpec;
    }
    const masked = applyStrategy(spec, value, ctx);
    if (masked === DROP || masked === null || masked === undefined) continue;
    out.add(prefix ? `${prefix}:${asText(masked)}` : asText(masked));
  }
  return [...out];
}

export function maskRecord(record: LetheRecord, policy: MaskingPolicy, ctx: MaskContext): LetheRecord {
  const spec = policy.spec;
  const source = record.fields ?? {};
  const fields: Record<string, unknown> = spec.otherFields === 'keep' ? deepCopy(source) : {};
  let id = record.id;
  let createdAt = record.createdAt;
  let links: RecordRef[] = (record.links ?? []).map((l) => ({ system: l.system, type: l.type, id: l.id }));
  for (const path of Object.keys(spec.fields).sort()) {
    const strategy = spec.fields[path]!;
    if (path === 'id') {
      id = envelopeValue(policy, 'id', strategy, record.id, ctx);
      links = links.map((l) => ({ ...l, id: envelopeValue(policy, 'id', strategy, l.id, ctx) }));
    } else if (path === 'createdAt') {
      createdAt = envelopeValue(policy, 'createdAt', strategy, record.createdAt, ctx);
    } else if (path.startsWith('fields.')) {
      const found = locate(source, path.slice('fields.'.length));
      if (!found) continue;
      const masked = applyStrategy(strategy, found.value, ctx);
      if (masked === DROP) deletePath(fields, found.segments);
      else setPath(fields, found.segments, masked);
    }
  }
  const identifiers = maskIdentifiers(record.identifiers ?? [], spec.identifiers ?? 'drop', ctx);
  return { system: record.system, type: record.type, id, createdAt, identifiers, links, fields };
}

export function anonymizeValues(record: LetheRecord, policy: MaskingPolicy, ctx: MaskContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const source = record.fields ?? {};
  for (const path of Object.keys(policy.spec.fields).sort()) {
    if (ENVELOPE.has(path) || !path.startsWith('fields.')) continue;
    const strategy = policy.spec.fields[path]!;
    const name = strategyName(strategy);
    if (name === 'keep') continue;
    const found = locate(source, path.slice('fields.'.length));
    const masked = name === 'drop' ? null : applyStrategy(strategy, found ? found.value : null, ctx);
    out[path] = masked === DROP || masked === undefined ? null : masked;
  }
  return out;
}

/** Problems that make a policy unusable for masking (beyond its JSON Schema): each names the policy and path. */
export function checkMaskingPolicy(policy: MaskingPolicy): string[] {
  const problems: string[] = [];
  const where = `MaskingPolicy ${policy.metadata.name}`;
  const entries: [string, Strategy][] = Object.entries(policy.spec.fields);
  if (policy.spec.identifiers !== undefined) entries.push(['identifiers', policy.spec.identifiers]);
  for (const [path, strategy] of entries) {
    let name: StrategyName;
    try {
      name = strategyName(toSpec(strategy));
    } catch (err) {
      problems.push(`${where}: ${path}: ${(err as Error).message}`);
      continue;
    }
    if (ENVELOPE.has(path) && (name === 'drop' || name === 'null' || (path === 'id' && name === 'generalize-date'))) {
      problems.push(`${where}: ${path}: strategy "${name}" cannot be used here (${path} must stay a string); use hmac-sha256, redact or fixed`);
    }
  }
  return problems;
}
