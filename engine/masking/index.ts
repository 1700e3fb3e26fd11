/** Masking: strategies, record masking, anonymize values, keys and subject hashes, NDJSON streaming. */
export { createMaskContext, UnknownKeyError, type HmacKeys, type MaskContext, type MaskContextOptions } from './context.ts';
export { coverageIndex, CoverageError, destinations, policiesForDestination, requiredKeys } from './destination.ts';
export { E164, MASKED_EMAIL_DOMAIN, detectFormat, type RequestedFormat, type ValueFormat } from './format.ts';
export {
  DEFAULT_KEY,
  hmacEnvName,
  KeyError,
  keysFromEnv,
  MIN_KEY_BYTES,
  parseKey,
  resolveKeys,
  subjectHash,
  type ReadKeyFile,
} from './keys.ts';
export { anonymizeValues, checkMaskingPolicy, maskIdentifiers, MaskingError, maskRecord } from './mask-record.ts';
export { applyStrategy, STRATEGIES, StrategyError, strategyKeys, strategyName, toSpec, type StrategyRegistry } from './registry.ts';
export { DROP, type Drop, type MaskingStrategy, type StrategyParams } from './strategy.ts';
export { formatSummary, maskStream, MaskStreamError, prepareMasking, recordProblem, type MaskSummary } from './stream.ts';
