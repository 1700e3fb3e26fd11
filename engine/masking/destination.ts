/** Which masking policies apply to a destination and record type. */
import type { MaskingPolicy } from '../schema/index.ts';
import { strategyKeys } from './registry.ts';

/** The destination's policies that apply to `system`/`type`, sorted by name. */
export function policiesForDestination(masking: readonly MaskingPolicy[], destination: string, system: string, type: string): MaskingPolicy[] {
  return masking
    .filter((p) => p.spec.destination === destination && p.spec.appliesTo.some((s) => s.system === system && s.type === type))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** Every destination named by the policies, sorted. */
export function destinations(masking: readonly MaskingPolicy[]): string[] {
  return [...new Set(masking.map((p) => p.spec.destination))].sort();
}

export class CoverageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoverageError';
  }
}

/**
 * `system/type` -> the one policy of `destination` covering it. Two policies of one destination
 * covering the same type is an error (which one wins would be a guess).
 */
export function coverageIndex(masking: readonly MaskingPolicy[], destination: string): Map<string, MaskingPolicy> {
  const index = new Map<string, MaskingPolicy>();
  const sorted = [...masking].filter((p) => p.spec.destination === destination).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const policy of sorted) {
    for (const s of policy.spec.appliesTo) {
      const key = `${s.system}/${s.type}`;
      const other = index.get(key);
      if (other && other !== policy) {
        throw new CoverageError(
          `MaskingPolicy ${other.metadata.name} and ${policy.metadata.name} both cover ${key} for destination ${destination}; keep one`,
        );
      }
      index.set(key, policy);
    }
  }
  return index;
}

/** Names of the HMAC keys the policies need, sorted. */
export function requiredKeys(masking: readonly MaskingPolicy[]): string[] {
  const names = new Set<string>();
  for (const p of masking) {
    for (const s of Object.values(p.spec.fields)) for (const k of strategyKeys(s)) names.add(k);
    if (p.spec.identifiers !== undefined) for (const k of strategyKeys(p.spec.identifiers)) names.add(k);
  }
  return [...names].sort();
}
