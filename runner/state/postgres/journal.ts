/**
 * The apply journal in PostgreSQL: the same state machine (journal/state.ts) as the file journal.
 * Every transition is checked against the row in `lethe_action_state` locked `FOR UPDATE` and
 * written with its event line in one transaction, so two runners can never both start the same
 * action: the second one's intent is refused exactly as a file journal refuses it.
 */
import type pg from 'pg';
import { checkNoPlainIdentifiers } from '../../audit/entry.ts';
import { JournalStateError, PLAN_HASH_PATTERN, type IntentInput, type Journal, type OpenJournalOptions } from '../../journal/journal.ts';
import { applyIntent, applyOutcome, NOT_STARTED, type ActionState, type OutcomeInput } from '../../journal/state.ts';
import type { StateLock } from '../types.ts';
import { inTransaction } from './db.ts';

function checkPlanHash(planHash: string): void {
  if (!PLAN_HASH_PATTERN.test(planHash)) throw new Error(`not a plan hash (expected sha256: and 64 hex digits): ${JSON.stringify(planHash.slice(0, 80))}`);
}

export async function readJournalStates(pool: pg.Pool | pg.PoolClient, planHash: string): Promise<Map<string, ActionState>> {
  checkPlanHash(planHash);
  const r = await pool.query<{ action: string; state: ActionState }>('select action, state from lethe_action_state where plan = $1', [planHash]);
  return new Map(r.rows.map((x) => [x.action, x.state]));
}

export async function listJournalPlans(pool: pg.Pool): Promise<string[]> {
  const r = await pool.query<{ plan: string }>('select distinct plan from lethe_action_state order by plan');
  return r.rows.map((x) => x.plan);
}

type Item = { action: string; kind: 'intent' | 'outcome'; next: (cur: ActionState, at: string) => ActionState | string; line: (at: string) => Record<string, unknown> };

/** Checks and writes transitions in one transaction; returns the new states. */
export async function writeTransitions(client: pg.PoolClient, planHash: string, items: readonly Item[], at: string): Promise<Array<[string, ActionState]>> {
  const ids = [...new Set(items.map((i) => i.action))];
  const cur = new Map<string, ActionState>();
  if (ids.length > 0) {
    // Rows for actions never seen first (not-started), so that FOR UPDATE has a row to lock: two
    // runners starting the same new action then queue on it instead of both inserting.
    await client.query('insert into lethe_action_state (plan, action, state) select $1, a, $3::jsonb from unnest($2::text[]) as u(a) order by a on conflict do nothing', [planHash, ids, JSON.stringify(NOT_STARTED)]);
    const r = await client.query<{ action: string; state: ActionState }>('select action, state from lethe_action_state where plan = $1 and action = any($2::text[]) order by action for update', [planHash, ids]);
    for (const x of r.rows) cur.set(x.action, x.state);
  }
  const changes = new Map<string, ActionState>();
  const lines: Array<[string, string, string]> = [];
  for (const it of items) {
    const next = it.next(changes.get(it.action) ?? cur.get(it.action) ?? NOT_STARTED, at);
    if (typeof next === 'string') throw new JournalStateError(it.action, next);
    changes.set(it.action, next);
    lines.push([it.action, it.kind, JSON.stringify(it.line(at))]);
  }
  if (lines.length === 0) return [];
  await client.query(
    'insert into lethe_journal_event (plan, action, kind, at, line) select $1, a, k, $2, l::jsonb from unnest($3::text[], $4::text[], $5::text[]) as u(a, k, l)',
    [planHash, at, lines.map((l) => l[0]), lines.map((l) => l[1]), lines.map((l) => l[2])],
  );
  await client.query(
    'insert into lethe_action_state (plan, action, state) select $1, a, s::jsonb from unnest($2::text[], $3::text[]) as u(a, s) on conflict (plan, action) do update set state = excluded.state',
    [planHash, [...changes.keys()], [...changes.values()].map((s) => JSON.stringify(s))],
  );
  return [...changes];
}

export function intentItem(it: IntentInput & { action: string }): Item {
  return {
    action: it.action,
    kind: 'intent',
    next: (cur, at) => applyIntent(cur, at, it.recheck === true),
    line: (at) => JSON.parse(JSON.stringify({ t: 'intent', action: it.action, at, op: it.op, target: it.target, recheck: it.recheck ? true : undefined })) as Record<string, unknown>,
  };
}

export function outcomeItem(it: OutcomeInput & { action: string }): Item {
  checkNoPlainIdentifiers({ detail: it.detail, externalId: it.externalId }, 'outcome');
  return {
    action: it.action,
    kind: 'outcome',
    next: (cur, at) => applyOutcome(cur, at, it),
    line: (at) => JSON.parse(JSON.stringify({ t: 'outcome', action: it.action, at, outcome: it.status, detail: it.detail, externalId: it.externalId })) as Record<string, unknown>,
  };
}

/** Opens a plan's journal; `lock` (the plan's advisory lock, none when shared) is released by close. */
export async function openPgJournal(pool: pg.Pool, planHash: string, lock: StateLock | null, options: OpenJournalOptions = {}): Promise<Journal & { reload(ids: readonly string[], from: Map<string, ActionState>): void }> {
  checkPlanHash(planHash);
  const states = await readJournalStates(pool, planHash);
  const now = options.now ?? (() => new Date());
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  const serial = (items: Item[]): Promise<void> => {
    if (closed) return Promise.reject(new Error(`journal of ${planHash} is closed`));
    const next = chain.then(async () => {
      const changes = await inTransaction(pool, (c) => writeTransitions(c, planHash, items, now().toISOString()));
      for (const [id, st] of changes) states.set(id, st);
    });
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    file: `postgres:journal/${planHash}`,
    planHash,
    torn: null,
    state: (id) => states.get(id) ?? NOT_STARTED,
    states: () => states,
    inFlight: () => [...states].filter(([, s]) => s.state === 'in-flight').map(([id]) => id).sort(),
    pending: () =>
      [...states]
        .filter(([, s]) => s.state === 'pending')
        .map(([action, s]) => ({ action, externalId: s.externalId! }))
        .sort((a, b) => (a.action < b.action ? -1 : 1)),
    recordIntent: async (action, input = {}) => serial([intentItem({ ...input, action })]),
    recordOutcome: async (action, outcome) => serial([outcomeItem({ ...outcome, action })]),
    recordIntents: async (items) => serial(items.map(intentItem)),
    recordOutcomes: async (items) => serial(items.map(outcomeItem)),
    async close() {
      if (closed) return;
      closed = true;
      await chain;
      await lock?.release();
    },
    reload(ids, from) {
      for (const id of ids) {
        const s = from.get(id);
        if (s) states.set(id, s);
        else states.delete(id);
      }
    },
  };
}
