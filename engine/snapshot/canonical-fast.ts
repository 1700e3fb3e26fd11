/** Snapshot lines are canonical JSON; the one implementation lives in engine/canonical.ts. */
export { canonicalJson as canonicalJsonFast } from '../canonical.ts';
