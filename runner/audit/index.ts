/** The audit log: hash-chained, append-only JSON lines with a head file against tail truncation. */
export { AUDIT_TYPES, GENESIS, SUBJECT_HASH_PATTERN, AuditInputError, entryHash, checkSubject, checkNoPlainIdentifiers } from './entry.ts';
export type { AuditEntry, AuditType, KnownAuditType } from './entry.ts';
export { headPath, readHead, type AuditHead } from './head.ts';
export { verifyAuditLog, checkChain, type AuditProblem, type AuditProblemKind, type AuditVerifyResult, type VerifyOptions } from './verify.ts';
export { openAuditLog, AuditIntegrityError, type AuditLog, type AppendInput, type OpenAuditOptions } from './writer.ts';
export { appendEvent, type AuditDataByType, type AuditTarget } from './events.ts';
export { readAuditEntries } from './read.ts';
