/** The registry of document kinds: one schema per kind, the single source of types and published schemas. */
import type { TSchema } from '@sinclair/typebox';
import * as consent from './consent.ts';
import * as config from './config.ts';
import * as dsr from './dsr.ts';
import * as erasure from './erasure.ts';
import * as legalHold from './legal-hold.ts';
import * as masking from './masking.ts';
import * as retention from './retention.ts';
import * as policyTest from './policy-test.ts';
import * as processingRecord from './processing-record.ts';

export * from './common.ts';
export type { ConsentPolicy } from './consent.ts';
export type { RunnerConfig, SecretRef } from './config.ts';
export type { DataSubjectRequest, DsrState } from './dsr.ts';
export type { ErasurePolicy } from './erasure.ts';
export type { LegalHold } from './legal-hold.ts';
export type { MaskingPolicy, StrategyName, StrategySpec } from './masking.ts';
export type { RetentionPolicy } from './retention.ts';
export type { PolicyTest } from './policy-test.ts';
export type { ProcessingRecord } from './processing-record.ts';

export interface KindInfo {
  kind: string;
  schema: TSchema;
  /** File name of the published JSON Schema under engine/schemas/. */
  file: string;
  /** Where documents of this kind may live. */
  place: 'policies' | 'requests' | 'config' | 'tests';
}

export const KINDS: readonly KindInfo[] = [
  { kind: 'RetentionPolicy', schema: retention.RetentionPolicy, file: 'retention-policy.schema.json', place: 'policies' },
  { kind: 'MaskingPolicy', schema: masking.MaskingPolicy, file: 'masking-policy.schema.json', place: 'policies' },
  { kind: 'ConsentPolicy', schema: consent.ConsentPolicy, file: 'consent-policy.schema.json', place: 'policies' },
  { kind: 'ErasurePolicy', schema: erasure.ErasurePolicy, file: 'erasure-policy.schema.json', place: 'policies' },
  { kind: 'LegalHold', schema: legalHold.LegalHold, file: 'legal-hold.schema.json', place: 'policies' },
  { kind: 'ProcessingRecord', schema: processingRecord.ProcessingRecord, file: 'processing-record.schema.json', place: 'policies' },
  { kind: 'DataSubjectRequest', schema: dsr.DataSubjectRequest, file: 'data-subject-request.schema.json', place: 'requests' },
  { kind: 'RunnerConfig', schema: config.RunnerConfig, file: 'runner-config.schema.json', place: 'config' },
  { kind: 'PolicyTest', schema: policyTest.PolicyTest, file: 'policy-test.schema.json', place: 'tests' },
];

export const POLICY_KINDS = KINDS.filter((k) => k.place === 'policies').map((k) => k.kind);

export function kindInfo(kind: string): KindInfo | undefined {
  return KINDS.find((k) => k.kind === kind);
}

export type PolicyDocument =
  | consent.ConsentPolicy
  | erasure.ErasurePolicy
  | legalHold.LegalHold
  | masking.MaskingPolicy
  | retention.RetentionPolicy;
