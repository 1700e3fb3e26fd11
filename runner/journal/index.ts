/** The apply journal, the GDPR request registry and the durable file primitives under them. */
export { openJournal, readJournal, journalPath, JournalStateError, PLAN_HASH_PATTERN, type Journal, type JournalReplay, type IntentInput, type OpenJournalOptions } from './journal.ts';
export { JournalCorruptError, type TornTail } from './lines.ts';
export { OUTCOME_STATUSES, type ActionState, type ActionStateName, type OutcomeInput, type OutcomeStatus } from './state.ts';
export { openGdprRegistry, gdprRegistryPath, subjectKey, GdprRegistryError, type GdprRegistry, type GdprRequestEntry } from './gdpr-registry.ts';
export { DurableAppender, writeFileAtomic, readLines, fsyncDir } from './durable.ts';
