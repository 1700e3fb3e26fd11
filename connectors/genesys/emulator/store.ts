/**
 * In-memory Genesys org for the emulator: external contacts (with merge sets), analytics
 * conversations, recordings, evaluations, recording deletion protection, GDPR requests and
 * recording bulk jobs. Indexes are kept so listings stay fast with ~100k objects.
 */
import type {
  AnalyticsConversation,
  AnalyticsFilter,
  Evaluation,
  ContactsExport,
  ExternalContact,
  GdprRequest,
  GenesysSeed,
  Recording,
  RecordingJob,
} from '../native.ts';
import { CONTACT_EMAIL_FIELDS, CONTACT_PHONE_FIELDS } from '../native.ts';
import { analyticsEvaluationOf } from '../bulk-mapping.ts';
import { normAddress } from './filters.ts';

export interface StoreOptions {
  /** GDPR deletes and bulk DELETE jobs skip recordings of protected conversations (default true). */
  skipProtected: boolean;
  /** Org cap on protected conversations (real: 1000). */
  maxProtected: number;
  /** Data lake lag of analytics jobs behind the clock (default 6 h; unconfirmed, configurable). */
  analyticsLagMs: number;
  /** Analytics jobs per org in QUEUED or PENDING at once (default 2; unconfirmed). */
  maxAnalyticsJobs: number;
  /** How long a FULFILLED analytics job's results stay readable (default 48 h; unconfirmed). */
  analyticsJobTtlMs: number;
  /** The OAuth client holds `externalContacts:export:add`/`:view` (default true; false → 403). */
  contactExportPermitted: boolean;
  /** Emulator time an external-contact export takes to complete (default 100 ms). */
  contactExportMs: number;
  /** How long an export's pre-signed `downloadUrl` works (default 1 h; unconfirmed). */
  contactExportUrlTtlMs: number;
}

export type ContactExportFault = 'FAILED' | 'STUCK' | 'TRUNCATED' | 'CORRUPT' | 'MISSING_COLUMN' | 'LOST_ROW';

/** An external-contact bulk export (see `contact-exports.ts`). */
export interface ContactExportWork {
  export: ContactsExport;
  createdAt: number;
  /** The CSV file, fixed when the export completes. */
  file?: string;
  signature?: string;
  urlExpiresAt?: number;
  fate?: ContactExportFault;
}

/** An analytics conversation detail job (see `analytics-jobs.ts`). */
export interface AnalyticsJobWork {
  id: string;
  state: 'QUEUED' | 'PENDING' | 'FULFILLED' | 'FAILED' | 'CANCELLED' | 'EXPIRED';
  interval: string;
  conversationFilters?: AnalyticsFilter[];
  segmentFilters?: AnalyticsFilter[];
  order: 'asc' | 'desc';
  submittedAt: number;
  changedAt: number;
  /** The data availability date when the job was submitted: it sees nothing after it. */
  availableAt: string;
  conversationIds: string[];
  expiresAt: number;
  errorMessage?: string;
  pagesRead: number;
  /** Injected fault: FAILED while computing, or EXPIRED after the first results page. */
  fate?: 'FAILED' | 'EXPIRED';
}

/** Internal bookkeeping of an asynchronous GDPR request. */
export interface GdprWork {
  request: GdprRequest;
  /** Emulator clock (ms) of the last status change. */
  changedAt: number;
  /** Statuses still to go through, in order. */
  remaining: GdprRequest['status'][];
}

export type RecordingJobFault = 'IGNORE_FILTERS' | 'FAIL_MIDWAY';

export interface JobWork {
  job: RecordingJob;
  changedAt: number;
  conversationIds: string[];
  failedRecordingIds: string[];
  /** Every state the job has been in, in order (tests: a job never set to PROCESSING). */
  history: RecordingJob['state'][];
  /** Fault injected at creation: the job's selection ignores the query's filters (whole interval). */
  fault?: RecordingJobFault;
}

export class GenesysStore {
  readonly contacts = new Map<string, ExternalContact>();
  readonly conversations = new Map<string, AnalyticsConversation>();
  readonly recordings = new Map<string, Recording>();
  readonly evaluations = new Map<string, Evaluation>();
  readonly protectedConversations = new Set<string>();
  readonly gdpr = new Map<string, GdprWork>();
  readonly jobs = new Map<string, JobWork>();
  readonly analyticsJobs = new Map<string, AnalyticsJobWork>();
  readonly contactExports = new Map<string, ContactExportWork>();
  /** Faults of the next external-contact exports created (tests). */
  readonly contactExportFaults: ContactExportFault[] = [];
  /** Fates of the next analytics jobs created (fault injection for tests). */
  readonly analyticsJobFaults: Array<'FAILED' | 'EXPIRED'> = [];
  /**
   * Faults of the next recording jobs created: `IGNORE_FILTERS` selects the whole interval;
   * `FAIL_MIDWAY` deletes the first half of the selected recordings, then ends FAILED.
   */
  readonly recordingJobFaults: RecordingJobFault[] = [];
  /**
   * Test hook, called with the route name (`GET /api/v2/externalcontacts/scan/contacts`, …) before
   * each admitted API request is handled: other clients' writes at a chosen point of a read.
   */
  beforeRequest: ((route: string) => void) | undefined = undefined;
  /** Most recording jobs open at once (not FULFILLED, FAILED or CANCELLED), creations refused at the cap. */
  readonly recordingJobStats = { maxOpen: 0, refused: 0 };
  readonly options: StoreOptions;
  private readonly recByConv = new Map<string, Set<string>>();
  private readonly evalByConv = new Map<string, Set<string>>();
  private sortedContactIds: string[] | null = null;
  private sortedConversations: AnalyticsConversation[] | null = null;
  private sortedRecordingIds: string[] | null = null;
  private maxDurationMs: number | null = null;
  private offsetMs = 0;

  constructor(options: Partial<StoreOptions> = {}) {
    this.options = {
      skipProtected: options.skipProtected ?? true,
      maxProtected: options.maxProtected ?? 1000,
      analyticsLagMs: options.analyticsLagMs ?? 6 * 3_600_000,
      maxAnalyticsJobs: options.maxAnalyticsJobs ?? 2,
      analyticsJobTtlMs: options.analyticsJobTtlMs ?? 48 * 3_600_000,
      contactExportPermitted: options.contactExportPermitted ?? true,
      contactExportMs: options.contactExportMs ?? 100,
      contactExportUrlTtlMs: options.contactExportUrlTtlMs ?? 3_600_000,
    };
  }

  /** The emulator clock (wall clock plus any `advance`). */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Adds (or replaces) everything in a seed. */
  load(seed: GenesysSeed): void {
    for (const c of seed.contacts) this.contacts.set(c.id, structuredClone(c));
    for (const c of seed.conversations) this.conversations.set(c.conversationId, structuredClone(c));
    for (const r of seed.recordings) this.putRecording(structuredClone(r));
    for (const e of seed.evaluations) this.putEvaluation(structuredClone(e));
    for (const id of seed.protectedConversationIds) this.protectedConversations.add(id);
    this.invalidate();
  }

  invalidate(): void {
    this.sortedContactIds = null;
    this.sortedConversations = null;
    this.sortedRecordingIds = null;
    this.maxDurationMs = null;
  }

  /** The longest conversation (ms): how far before an interval an overlapping conversation can start. */
  maxConversationMs(): number {
    if (this.maxDurationMs === null) {
      let m = 0;
      for (const c of this.conversations.values()) m = Math.max(m, Date.parse(c.conversationEnd ?? c.conversationStart) - Date.parse(c.conversationStart));
      this.maxDurationMs = m;
    }
    return this.maxDurationMs;
  }

  // --- external contacts -------------------------------------------------------------------

  contactIds(): string[] {
    this.sortedContactIds ??= [...this.contacts.keys()].sort();
    return this.sortedContactIds;
  }

  /** The contact a plain GET returns: the canonical contact of a merged one. */
  resolveContact(id: string): ExternalContact | undefined {
    const c = this.contacts.get(id);
    if (!c) return undefined;
    const canon = c.canonicalContact?.id;
    return canon && canon !== id ? (this.contacts.get(canon) ?? c) : c;
  }

  contactEmails(c: ExternalContact): string[] {
    return CONTACT_EMAIL_FIELDS.map((f) => c[f]).filter((v): v is string => !!v);
  }

  contactPhones(c: ExternalContact): string[] {
    return CONTACT_PHONE_FIELDS.map((f) => c[f]?.e164 ?? c[f]?.display).filter((v): v is string => !!v);
  }

  /** Contacts whose name, e-mail or phone contains the keywords (case-insensitive). */
  searchContacts(q: string | undefined): ExternalContact[] {
    const ids = this.contactIds();
    const all = ids.map((id) => this.contacts.get(id)!);
    if (!q) return all;
    const needle = normAddress(q);
    return all.filter((c) =>
      [c.firstName, c.lastName, ...this.contactEmails(c), ...this.contactPhones(c)].some(
        (v) => v !== undefined && normAddress(v).includes(needle),
      ),
    );
  }

  /** Contacts holding exactly this e-mail or phone. */
  contactsByAddress(value: string): ExternalContact[] {
    const v = normAddress(value);
    const out: ExternalContact[] = [];
    for (const c of this.contacts.values()) {
      if ([...this.contactEmails(c), ...this.contactPhones(c)].some((a) => normAddress(a) === v)) out.push(c);
    }
    return out;
  }

  /** A contact created now (as another client would): `createDate`/`modifyDate` from the emulator clock. */
  addContact(c: Omit<ExternalContact, 'createDate' | 'modifyDate'>): ExternalContact {
    const at = new Date(this.now()).toISOString();
    const added: ExternalContact = { ...structuredClone(c), createDate: at, modifyDate: at };
    this.contacts.set(added.id, added);
    this.sortedContactIds = null;
    return added;
  }

  deleteContact(id: string): boolean {
    const ok = this.contacts.delete(id);
    if (ok) this.sortedContactIds = null;
    return ok;
  }

  // --- conversations -------------------------------------------------------------------------

  conversationsByStart(): AnalyticsConversation[] {
    this.sortedConversations ??= [...this.conversations.values()].sort((a, b) =>
      a.conversationStart === b.conversationStart
        ? a.conversationId.localeCompare(b.conversationId)
        : a.conversationStart < b.conversationStart ? -1 : 1,
    );
    return this.sortedConversations;
  }

  /** Conversations that started in [from, to). */
  conversationsIn(from: string, to: string): AnalyticsConversation[] {
    const all = this.conversationsByStart();
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid]!.conversationStart < from) lo = mid + 1;
      else hi = mid;
    }
    const out: AnalyticsConversation[] = [];
    for (let i = lo; i < all.length && all[i]!.conversationStart < to; i++) out.push(all[i]!);
    return out;
  }

  /** The analytics view of a conversation: current evaluations attached. */
  conversationView(c: AnalyticsConversation): AnalyticsConversation {
    const evals = this.evaluationsOf(c.conversationId);
    const view: AnalyticsConversation = { ...c };
    if (evals.length > 0) {
      view.evaluations = evals.map(analyticsEvaluationOf);
    } else delete view.evaluations;
    return view;
  }

  // --- recordings ----------------------------------------------------------------------------

  putRecording(r: Recording): void {
    this.recordings.set(r.id, r);
    let s = this.recByConv.get(r.conversationId);
    if (!s) this.recByConv.set(r.conversationId, (s = new Set()));
    s.add(r.id);
    this.sortedRecordingIds = null;
  }

  recordingsOf(conversationId: string): Recording[] {
    return [...(this.recByConv.get(conversationId) ?? [])].sort().map((id) => this.recordings.get(id)!);
  }

  recordingIds(): string[] {
    this.sortedRecordingIds ??= [...this.recordings.keys()].sort();
    return this.sortedRecordingIds;
  }

  /**
   * Deletes a recording now. Recordings of protected conversations are never deleted (manual
   * deletion is blocked outright; GDPR and bulk jobs skip them unless `skipProtected` is false).
   * Deleted recordings disappear from every listing and GET returns 404.
   */
  deleteRecording(id: string, via: 'manual' | 'bulk' | 'gdpr'): 'deleted' | 'protected' | 'missing' {
    const r = this.recordings.get(id);
    if (!r) return 'missing';
    const isProtected = this.protectedConversations.has(r.conversationId);
    if (isProtected && (via === 'manual' || this.options.skipProtected)) return 'protected';
    this.recordings.delete(id);
    this.recByConv.get(r.conversationId)?.delete(id);
    this.sortedRecordingIds = null;
    return 'deleted';
  }

  // --- evaluations ---------------------------------------------------------------------------

  putEvaluation(e: Evaluation): void {
    this.evaluations.set(e.id, e);
    let s = this.evalByConv.get(e.conversation.id);
    if (!s) this.evalByConv.set(e.conversation.id, (s = new Set()));
    s.add(e.id);
  }

  evaluationsOf(conversationId: string): Evaluation[] {
    return [...(this.evalByConv.get(conversationId) ?? [])].sort().map((id) => this.evaluations.get(id)!);
  }

  deleteEvaluation(id: string): Evaluation | undefined {
    const e = this.evaluations.get(id);
    if (!e) return undefined;
    this.evaluations.delete(id);
    this.evalByConv.get(e.conversation.id)?.delete(id);
    return e;
  }
}
