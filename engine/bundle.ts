/** A validated policy bundle as the loader hands it to the engine. Conditions are already JsonLogic. */
import type { ConsentPolicy, ErasurePolicy, LegalHold, MaskingPolicy, ProcessingRecord, RetentionPolicy } from './schema/index.ts';

export interface Bundle {
  /** Deterministic hash over the canonical form of every document (independent of files and order). */
  hash: string;
  retention: RetentionPolicy[];
  masking: MaskingPolicy[];
  consent: ConsentPolicy[];
  erasure: ErasurePolicy[];
  holds: LegalHold[];
  /** Controller facts for the record of processing (`lethe ropa`); optional: a bundle without one plans the same. */
  processing?: ProcessingRecord[];
  /** Source file of each document, by `Kind/name`. */
  files: Record<string, string>;
}

export function emptyBundle(): Bundle {
  return { hash: '', retention: [], masking: [], consent: [], erasure: [], holds: [], files: {} };
}
