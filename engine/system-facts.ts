/**
 * The contract of the connector registry (connectors/registry.ts): the system-specific facts the
 * engine, planner, runner, snapshot, DSR discovery, reports and policy schemas read, so that no
 * file outside a system's folder names it. Facts are pure data and pure functions: importing them
 * does no I/O and pulls in no I/O code. The I/O half of a system (connector, emulator, seed) is
 * `connectors/<name>/plugin.ts` exporting `PLUGIN`, which only the runner loads (by name).
 */
import type { SystemCostModel } from './plan/estimate.ts';
import type { TSchema } from '@sinclair/typebox';
import type { Connector } from '../connectors/types.ts';
import type { ConsentFeedFactory, ErasureIntake, NativeExport } from '../connectors/capabilities.ts';
import type { RateBudget } from '../connectors/budget.ts';
import type { Person, WorldHold } from '../connectors/generate/world.ts';
import type { SecretRef } from './schema/connection.ts';
import type { SystemCatalog } from './field-catalog.ts';
import type { LetheRecord, RecordRef } from './records.ts';

/** Fault rates every emulator understands (the conformance suite drives them). */
export interface EmulatorFaults {
  seed?: number;
  /** List pages shorter than promised. */
  partialPage?: number;
  /** 5xx answers (retried by the connector). */
  serverError?: number;
}

/** A system running on 127.0.0.1 for the sandbox, the demo and tests. */
export interface EmulatedSystem {
  /** The emulator itself (its store, faults, stats), typed by the system's own module (SandboxEmulators). */
  readonly handle: unknown;
  /** Its base URL (http://127.0.0.1:<port>). */
  readonly url: string;
  /** The `spec.connectors.<name>` block that reaches it (secrets as `{env}` references). */
  readonly config: Record<string, unknown>;
  /** The environment variables those references name. */
  readonly env: Record<string, string>;
  /** Adds one person of the synthetic world (and the world's holds) to the emulator. */
  seed(person: Person, holds: readonly WorldHold[]): void;
  /** Sets the emulator's fault rates (0..1, seeded PRNG); null turns faults off. */
  faults(rates: EmulatorFaults | null): void;
  stop(): Promise<void>;
}

/**
 * The typed emulator handle of each registered system in a sandbox (runner/sandbox.ts), by name,
 * and its emulator options: each system's plugin.ts adds its own entry by module augmentation
 * (`declare module '../../engine/system-facts.ts'`), so the sandbox names no system.
 */
export interface SandboxEmulators {}
export interface SandboxEmulatorOptions {}

/** A system's I/O half, loaded on demand (runner and tests only). */
export interface SystemPlugin {
  /**
   * A connector from this system's validated config block; `secret` resolves a SecretRef;
   * `budget` is the org's rate budget the runner chose (in-process when absent).
   */
  connect(config: unknown, secret: (ref: SecretRef, what: string) => string, budget?: RateBudget): Connector;
  /** Starts the system's emulator; `options` are the emulator's own (faults, rates). */
  emulate(options?: unknown): Promise<EmulatedSystem>;
  /** Optional: erasure intake, the erasures the system's own data asks for (`lethe dsr intake`). */
  readonly intake?: ErasureIntake;
  /** Optional: the system's live consent feed (`lethe serve` polls every configured system that has one). */
  readonly consentFeed?: ConsentFeedFactory;
  /** Optional: the system's native access export (GDPR Art. 15), added to `lethe dsr export`. */
  readonly nativeExport?: NativeExport;
}

export interface SystemFacts<N extends string = string, C extends TSchema = TSchema> {
  /** Lower-case system name, as in policies, snapshots and plans. */
  readonly name: N;
  /** Human name for reports and certificates. */
  readonly label: string;
  /** Record types, the common ones (consent, legal-hold) included where the system carries them. */
  readonly types: readonly string[];
  readonly catalog: SystemCatalog;
  /** Hold and consent sources a snapshot of this system must contain (a missing one is an error). */
  readonly requiredSources: readonly string[];
  /** Identity record types: their identifiers unite a person (erasure expansion, consent, DSR collect). */
  readonly identityTypes: readonly string[];
  /** Identifier prefix whose value is this system's record id (`sf`, `gc`, `sn`). */
  readonly idPrefix: string;
  /** Canonical form of a record id (unchanged when it is not one of the system's id shapes). */
  normalizeId(id: string): string;
  /** Why `id` is not a record id of this system where one is required, or null. */
  idProblem?(id: string): string | null;
  /** Link-dependency rank per type (records link to lower ranks); planner read order. */
  readonly linkRank: Readonly<Record<string, number>>;
  /** Children-first order in which the runner deletes types. */
  readonly deleteOrder: readonly string[];
  /** Actions per batch in the runner. */
  readonly batchSize: number;
  /**
   * Record types whose retention deletions the runner batches by whole days (the date the period
   * counted from, UTC), up to `size` actions a batch: a connector can then delete a whole day at
   * once (Genesys recording jobs by interval). A day larger than `size` is split.
   */
  readonly dayBatches?: { readonly types: readonly string[]; readonly size: number };
  /** Operations its connector carries out. */
  readonly ops: readonly string[];
  /** Rate-limit model, for docs and the runner's pacing. */
  readonly rateLimit: { readonly window: 'minute' | 'hour' | 'day'; readonly limit: number; readonly honoursRetryAfter: boolean; readonly note: string };
  /** Config block schema under `spec.connectors.<name>` (TypeBox; secrets by reference). */
  readonly config: C;
  /** What an apply costs in API calls (engine/plan/estimate.ts); without one, a call per action is assumed. */
  readonly cost?: SystemCostModel;
  /** The system's name in running text (`Genesys`); reports use `label` when absent. */
  readonly prose?: string;
  /**
   * The record type LegalHold `spec.holds.conversations` ids name (at most one registered system
   * declares it); a hold record's link to one is reported as a conversation hold.
   */
  readonly conversationType?: string;
  /**
   * The conversation a record of this system belongs to: its own id for a conversation or a hold
   * record, the conversation of a child record (recording, evaluation), null for other records.
   * With `conversationType`; DSR verification uses it to tell which records a held conversation keeps.
   */
  conversationOf?(r: { type: string; id: string }): string | null;
  /**
   * Identity record types whose identifiers unite a person for consent (engine/evaluate/consent-subjects.ts)
   * and that DSR collection starts from when no ErasurePolicy names any; none when absent.
   */
  readonly consentIdentityTypes?: readonly string[];
  /**
   * Holds follow identity (engine/evaluate/identity-holds.ts): a held record of a `sources` type
   * also protects the identity records `targets` returns for it (canonical ids).
   */
  readonly identityHolds?: {
    readonly sources: readonly string[];
    targets(r: LetheRecord): RecordRef[];
    /**
     * Set when the connector's lookup by identifier is costly (a scan): apply's re-check then reads
     * only a hold's `<idPrefix>:` identifiers, as records of this type, instead of looking them up.
     */
    readonly byIdOnly?: string;
  };
  /**
   * What a rectification request (op `rectify`) may target: identity types rewritten in place, and
   * types whose free text (`basis.textFields`) is rectified (engine/plan/rederive.ts).
   */
  readonly rectify?: {
    readonly identityTypes: readonly string[];
    readonly freeTextTypes: readonly string[];
    /**
     * In-place rectification (runner/dsr/rectify.ts): the fields of an identity record that hold
     * an identifier of each kind (`email`, `phone`); a `rectify` action names those holding the old value.
     */
    readonly identifierFields?: Readonly<Record<string, readonly string[]>>;
    /** The free-text fields of each `freeTextTypes` type a rectification corrects. */
    readonly textFields?: Readonly<Record<string, readonly string[]>>;
  };
  /**
   * Merge sets (records merged into one canonical record that stay readable under their own ids):
   * the identity type that has them, the canonical id of a record's set (null when not merged) and
   * its members. DSR discovery reports them; a native rectification is one request per set.
   */
  readonly mergeSets?: {
    readonly type: string;
    canonical(r: LetheRecord): string | null;
    members(r: LetheRecord): string[];
  };
  /**
   * The system's native erasure request (ErasurePolicy scope action `gdpr-request`, op
   * `gdpr-request`): the only type a scope entry may ask it for, and its name in reports.
   */
  readonly nativeErasure?: {
    readonly type: string;
    readonly noun: string;
    /** Rectification is a native asynchronous request too (submitted once, polled), not an in-place update. */
    readonly rectifies?: boolean;
    /** With `rectifies`: the native rectification request's name in plan reasons (`Genesys GDPR_UPDATE`). */
    readonly updateNoun?: string;
  };
}
