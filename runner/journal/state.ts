/**
 * The journal's state machine for one action (pure). The same rules check live appends and the
 * replay of a journal file, so a file can only contain histories the runner could have written.
 *
 *   not-started --intent--> in-flight --outcome--> done | failed | skipped | pending
 *   failed | skipped --intent--> in-flight            (retry in a later run)
 *   in-flight --intent{recheck}--> in-flight          (after a crash, once the system was checked)
 *   pending --outcome--> done | failed | pending      (polling; never a new intent)
 *   not-started | failed | skipped --outcome skipped--> skipped   (decided without a call)
 *   not-started | failed | skipped | refused --outcome refused--> refused (re-derivation failed;
 *                                                    no call; a later run of the plan decides anew)
 *   refused --intent--> in-flight                     (like skipped)
 *
 * `gone` (the target no longer exists) is stored as the outcome and counts as `done`.
 */
export type OutcomeStatus = 'done' | 'gone' | 'failed' | 'skipped' | 'pending' | 'refused';
export const OUTCOME_STATUSES: readonly OutcomeStatus[] = ['done', 'gone', 'failed', 'skipped', 'pending', 'refused'];

export type ActionStateName = 'not-started' | 'in-flight' | 'done' | 'failed' | 'skipped' | 'pending' | 'refused';

export interface ActionState {
  state: ActionStateName;
  /** Intents recorded (external calls started, or possibly started). */
  attempts: number;
  /** The last outcome recorded (`gone` is distinguishable from `done` here). */
  outcome?: OutcomeStatus;
  detail?: string;
  /** The system's id for the submitted work (async job, GDPR request). */
  externalId?: string;
  /** Time of the last event. */
  at?: string;
}

export const NOT_STARTED: ActionState = Object.freeze({ state: 'not-started', attempts: 0 });

export interface OutcomeInput {
  status: OutcomeStatus;
  /** Short, non-personal explanation (an error code, "held since planning", a job state). */
  detail?: string;
  externalId?: string;
}

/** Returns the state after an intent, or an error message. */
export function applyIntent(s: ActionState, at: string, recheck: boolean): ActionState | string {
  switch (s.state) {
    case 'not-started':
    case 'failed':
    case 'skipped':
    case 'refused':
      return { state: 'in-flight', attempts: s.attempts + 1, at, ...(s.externalId ? { externalId: s.externalId } : {}) };
    case 'in-flight':
      if (recheck) return { ...s, attempts: s.attempts + 1, at };
      return 'an intent is already in flight: the call may have happened; check the system, then record an intent with recheck';
    case 'pending':
      return `the action was submitted (externalId ${s.externalId ?? '?'}): poll it, never submit it again`;
    case 'done':
      return 'the action is already done';
  }
}

/** Returns the state after an outcome, or an error message. */
export function applyOutcome(s: ActionState, at: string, o: OutcomeInput): ActionState | string {
  if (!OUTCOME_STATUSES.includes(o.status)) return `unknown outcome "${String(o.status)}"`;
  const externalId = o.externalId ?? s.externalId;
  if (o.status === 'pending' && !externalId) return 'a pending outcome needs the externalId to poll';
  if (s.state === 'pending' && o.externalId && s.externalId && o.externalId !== s.externalId) {
    return `the pending job is ${s.externalId}, not ${o.externalId}`;
  }
  const decidedWithoutCall = o.status === 'skipped' || o.status === 'refused';
  const allowed =
    s.state === 'in-flight' ||
    (s.state === 'pending' && !decidedWithoutCall) ||
    (decidedWithoutCall && (s.state === 'not-started' || s.state === 'failed' || s.state === 'skipped' || s.state === 'refused'));
  if (!allowed) return `outcome "${o.status}" is not allowed for an action that is ${s.state}`;
  const state: ActionStateName = o.status === 'gone' ? 'done' : o.status;
  return {
    state,
    attempts: s.attempts,
    outcome: o.status,
    at,
    ...(o.detail !== undefined ? { detail: o.detail } : {}),
    ...(externalId !== undefined ? { externalId } : {}),
  };
}
