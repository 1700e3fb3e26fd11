/**
 * Native Genesys Cloud objects, as the Platform API v2 returns them (the subset Lethe reads).
 * Shared by the emulator's store, the seed and the connector's record mapping.
 */

export interface EntityRef {
  id: string;
  name?: string;
  selfUri?: string;
}

export interface PhoneNumber {
  display: string;
  e164?: string;
  countryCode?: string;
  userInput?: string;
}

export interface ExternalContact {
  id: string;
  firstName?: string;
  lastName?: string;
  workEmail?: string;
  personalEmail?: string;
  otherEmail?: string;
  workPhone?: PhoneNumber;
  cellPhone?: PhoneNumber;
  homePhone?: PhoneNumber;
  otherPhone?: PhoneNumber;
  type?: 'Ephemeral' | 'Identified' | 'Curated';
  /** Head of the merge tree; absent when never merged. */
  canonicalContact?: EntityRef;
  mergeSet?: EntityRef[];
  createDate: string;
  modifyDate: string;
  selfUri?: string;
}

export const CONTACT_EMAIL_FIELDS = ['workEmail', 'personalEmail', 'otherEmail'] as const;
export const CONTACT_PHONE_FIELDS = ['workPhone', 'cellPhone', 'homePhone', 'otherPhone'] as const;

/**
 * A bulk export of external contacts (`POST /api/v2/externalcontacts/contacts/exports`, model
 * `ContactsExport` of the Platform API): status RUNNING → SUCCEEDED or FAILED; `downloadUrl` and
 * `resultRowCount` once SUCCEEDED.
 */
export interface ContactsExport {
  id: string;
  status?: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  divisionIds?: string[];
  dateCreated?: string;
  dateCompletion?: string;
  downloadUrl?: string;
  resultRowCount?: number;
  queryConditions?: { filters?: unknown; limit?: number };
  selfUri?: string;
}

/**
 * Columns of the export file (CSV, one contact a row, header first). The real file's format and
 * columns are not documented publicly (unconfirmed): this is the emulator's contract, and the
 * reader requires every column it maps (a missing one is an error, never an empty field).
 * `mergeSet.ids` holds the merge set's ids separated by `;`.
 */
export const CONTACT_EXPORT_COLUMNS = [
  'id',
  'firstName',
  'lastName',
  'type',
  ...CONTACT_EMAIL_FIELDS,
  ...CONTACT_PHONE_FIELDS.flatMap((f) => [`${f}.e164`, `${f}.display`] as const),
  'canonicalContact.id',
  'mergeSet.ids',
  'createDate',
  'modifyDate',
] as const;

export interface AnalyticsSegment {
  segmentStart: string;
  segmentEnd?: string;
  segmentType: string;
  queueId?: string;
}

export interface AnalyticsSession {
  sessionId: string;
  mediaType: 'voice' | 'chat' | 'email' | 'message' | 'callback';
  direction: 'inbound' | 'outbound';
  ani?: string;
  dnis?: string;
  addressFrom?: string;
  addressTo?: string;
  remote?: string;
  recording?: boolean;
  segments: AnalyticsSegment[];
}

export interface AnalyticsParticipant {
  participantId: string;
  participantName?: string;
  purpose: 'customer' | 'external' | 'agent' | 'acd' | 'ivr';
  userId?: string;
  externalContactId?: string;
  sessions: AnalyticsSession[];
}

/** Analytics' view of an evaluation (`AnalyticsEvaluation`): enough for the evaluation record. */
export interface AnalyticsEvaluationRef {
  evaluationId: string;
  formId?: string;
  formName?: string;
  eventTime?: string;
  evaluationStatus?: string;
  /** The evaluated agent. */
  userId?: string;
  oTotalScore?: number;
  deleted?: boolean;
}

export interface AnalyticsConversation {
  conversationId: string;
  conversationStart: string;
  conversationEnd?: string;
  originatingDirection: 'inbound' | 'outbound';
  divisionIds: string[];
  participants: AnalyticsParticipant[];
  evaluations?: AnalyticsEvaluationRef[];
}

export type RecordingMedia = 'audio' | 'chat' | 'messaging' | 'email' | 'screen';
export type FileState = 'ARCHIVED' | 'AVAILABLE' | 'DELETED' | 'RESTORED' | 'RESTORING' | 'UPLOADING' | 'ERROR';

export interface Recording {
  id: string;
  conversationId: string;
  name?: string;
  startTime: string;
  endTime?: string;
  creationTime?: string;
  media: RecordingMedia;
  fileState: FileState;
  archiveDate?: string;
  archiveMedium?: 'CLOUDARCHIVE';
  deleteDate?: string;
  exportDate?: string;
  exportedDate?: string;
  sessionId?: string;
  selfUri?: string;
}

export interface Evaluation {
  id: string;
  conversation: EntityRef;
  evaluationForm?: EntityRef;
  evaluator?: EntityRef;
  agent?: EntityRef;
  queue?: EntityRef;
  status: 'PENDING' | 'INPROGRESS' | 'FINISHED' | 'INREVIEW' | 'RETRACTED';
  createdDate: string;
  changedDate?: string;
  conversationDate?: string;
  mediaType?: string[];
  answers?: { totalScore?: number };
  selfUri?: string;
}

export interface GdprSubject {
  name?: string;
  externalContactId?: string;
  addresses?: string[];
  phoneNumbers?: string[];
  emailAddresses?: string[];
}

export interface ReplacementTerm {
  type: 'NAME' | 'ADDRESS' | 'PHONE' | 'EMAIL' | 'TWITTER' | 'INSTAGRAM' | 'FACEBOOK' | 'APPLE_MESSAGES' | 'EXTERNAL_ID';
  existingValue: string;
  updatedValue: string;
}

export type GdprStatus = 'INITIATED' | 'SEARCHING' | 'UPDATING' | 'DELETING' | 'FINALIZING' | 'COMPLETED' | 'ERROR';

export interface GdprRequest {
  id: string;
  name?: string;
  requestType: 'GDPR_EXPORT' | 'GDPR_UPDATE' | 'GDPR_DELETE';
  status: GdprStatus;
  createdDate: string;
  createdBy: EntityRef;
  subject: GdprSubject;
  replacementTerms?: ReplacementTerm[];
  resultsUrl?: string;
  selfUri: string;
}

export type RecordingJobState = 'PENDING' | 'READY' | 'PROCESSING' | 'FULFILLED' | 'CANCELLED' | 'FAILED';

export interface RecordingJobsQuery {
  action: 'DELETE' | 'ARCHIVE' | 'EXPORT';
  actionDate?: string;
  conversationQuery?: {
    interval: string;
    conversationFilters?: AnalyticsFilter[];
    segmentFilters?: AnalyticsFilter[];
    /** Only conversations that started in the interval (else: any with activity in it). */
    startOfDayIntervalMatching?: boolean;
  };
}

export interface RecordingJob {
  id: string;
  state: RecordingJobState;
  recordingJobsQuery: RecordingJobsQuery;
  dateCreated: string;
  totalConversations: number;
  totalRecordings: number;
  totalSkippedRecordings: number;
  totalFailedRecordings: number;
  totalProcessedRecordings: number;
  percentProgress: number;
  errorMessage?: string;
  selfUri: string;
}

export interface AnalyticsPredicate {
  type?: 'dimension' | 'property' | 'metric';
  dimension: string;
  operator?: 'matches' | 'exists' | 'notExists';
  value?: string;
}

export interface AnalyticsFilter {
  type: 'and' | 'or';
  predicates?: AnalyticsPredicate[];
  clauses?: AnalyticsFilter[];
}

/** Retention listing entry (`GET /api/v2/recordings/retention/query`). */
export interface RecordingRetention {
  conversationId: string;
  recordingId: string;
  archiveDate?: string;
  deleteDate?: string;
  exportDate?: string;
  exportedDate?: string;
  creationTime?: string;
}

/** Everything a seed puts into an emulated org (see `seed.ts`, `GenesysStore.load`). */
export interface GenesysSeed {
  contacts: ExternalContact[];
  conversations: AnalyticsConversation[];
  recordings: Recording[];
  evaluations: Evaluation[];
  /** Conversations under recording deletion protection (legal hold). */
  protectedConversationIds: string[];
}
