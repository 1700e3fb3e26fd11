/**
 * Versioned schema of the PostgreSQL state. Applied only by `lethe state migrate` (never when a
 * runner opens the store: an older schema is an error telling to migrate). Each migration runs in
 * one transaction under an advisory lock, and is recorded in `lethe_schema_migrations`. A
 * migration, once released, is never edited: add the next one.
 */
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'journal, gdpr registry, audit log (insert-only), locks, schedule',
    sql: `
create table lethe_journal_event (
  seq bigserial primary key,
  plan text not null,
  action text not null,
  kind text not null check (kind in ('intent', 'outcome')),
  at text not null,
  line jsonb not null
);
create index lethe_journal_event_plan on lethe_journal_event (plan, seq);
create table lethe_action_state (
  plan text not null,
  action text not null,
  state jsonb not null,
  primary key (plan, action)
);
create table lethe_gdpr_request (
  subject text not null,
  plan text not null,
  state text not null check (state in ('reserved', 'submitted')),
  external_id text,
  at text not null,
  primary key (subject, plan)
);
create table lethe_gdpr_event (
  seq bigserial primary key,
  subject text not null,
  plan text not null,
  t text not null check (t in ('reserve', 'submitted', 'released')),
  external_id text,
  reason text,
  at text not null
);
create table lethe_audit (
  log text not null,
  seq bigint not null check (seq >= 1),
  hash text not null,
  prev text not null,
  entry text not null,
  primary key (log, seq),
  unique (log, hash)
);
create function lethe_refuse_change() returns trigger language plpgsql as $f$
begin
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end
$f$;
create trigger lethe_audit_append_only before update or delete on lethe_audit
  for each row execute function lethe_refuse_change();
create trigger lethe_audit_no_truncate before truncate on lethe_audit
  for each statement execute function lethe_refuse_change();
revoke update, delete, truncate on lethe_audit from public;
create table lethe_lock_holder (
  name text primary key,
  lock_key integer not null,
  backend_pid integer not null,
  purpose text not null,
  pid integer not null,
  hostname text not null,
  started_at text not null,
  command text
);
create table lethe_schedule (
  id integer primary key check (id = 1),
  state jsonb not null
);
`,
  },
  {
    version: 2,
    name: 'batch claims: a plan\'s batches shared by several runners',
    sql: `
create table lethe_batch_claim (
  plan text not null,
  batch text not null,
  owner_key integer,
  claims integer not null default 0,
  done boolean not null default false,
  primary key (plan, batch)
);
`,
  },
  {
    version: 3,
    name: 'audit sink: signed checkpoints, insert-only',
    sql: `
create table lethe_audit_checkpoint (
  log text not null,
  seq bigint not null,
  hash text not null,
  checkpoint text not null,
  primary key (log, seq, hash)
);
create trigger lethe_audit_checkpoint_append_only before update or delete on lethe_audit_checkpoint
  for each row execute function lethe_refuse_change();
create trigger lethe_audit_checkpoint_no_truncate before truncate on lethe_audit_checkpoint
  for each statement execute function lethe_refuse_change();
revoke update, delete, truncate on lethe_audit_checkpoint from public;
`,
  },
  {
    version: 4,
    name: 'dsr request store: request records with a revision (compare-and-swap)',
    sql: `
create table lethe_dsr_request (
  id text primary key,
  revision integer not null check (revision >= 1),
  state text not null,
  record jsonb not null,
  updated_at timestamptz not null default now()
);
`,
  },
  {
    version: 5,
    name: 'rate budget per org: request buckets, job slots, API allocation',
    sql: `
create table lethe_rate_bucket (
  key text primary key,
  tat double precision not null default 0
);
comment on table lethe_rate_bucket is 'GCRA token bucket per org/client: tat = theoretical arrival time, ms since the epoch on the database clock';
create function lethe_rate_take(p_key text, p_n integer, p_interval double precision, out base double precision, out now_ms double precision)
language plpgsql as $f$
begin
  now_ms := extract(epoch from clock_timestamp()) * 1000;
  update lethe_rate_bucket set tat = greatest(tat, now_ms) + p_n * p_interval where key = p_key returning tat - p_n * p_interval into base;
  if not found then
    insert into lethe_rate_bucket (key) values (p_key) on conflict do nothing;
    update lethe_rate_bucket set tat = greatest(tat, now_ms) + p_n * p_interval where key = p_key returning tat - p_n * p_interval into base;
  end if;
end
$f$;
create table lethe_api_allocation (
  key text primary key,
  used bigint,
  max_calls bigint,
  since bigint not null default 0
);
comment on table lethe_api_allocation is 'daily API allocation per org: last usage the system reported and the calls runners reserved since';
create function lethe_api_take(p_key text, p_used bigint, p_max bigint, p_share double precision, p_n integer, out granted integer, out used bigint, out max_calls bigint, out since bigint)
language plpgsql as $f$
declare
  r lethe_api_allocation%rowtype;
  room bigint;
begin
  insert into lethe_api_allocation (key) values (p_key) on conflict do nothing;
  select * into r from lethe_api_allocation a where a.key = p_key for update;
  if p_used is not null and (r.used is null or p_used > r.used) then
    r.used := p_used;
    r.since := 0;
  end if;
  if p_max is not null then r.max_calls := p_max; end if;
  if r.max_calls is null or r.max_calls <= 0 or p_share >= 1 then
    granted := p_n;
  else
    room := floor(p_share * r.max_calls)::bigint - coalesce(r.used, 0) - r.since;
    granted := greatest(0, least(p_n::bigint, room))::integer;
  end if;
  r.since := r.since + granted;
  update lethe_api_allocation a set used = r.used, max_calls = r.max_calls, since = r.since where a.key = p_key;
  used := r.used;
  max_calls := r.max_calls;
  since := r.since;
end
$f$;
`,
  },
];

export const LATEST = MIGRATIONS.at(-1)!.version;
/** Advisory lock namespace ('LETH') for every lock the state takes. */
export const LOCK_SPACE = 0x4c455448;

async function ensureTable(client: pg.PoolClient | pg.Client): Promise<void> {
  await client.query('create table if not exists lethe_schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())');
}

/** The schema version of the database (0 when never migrated). */
export async function schemaVersion(client: pg.Pool | pg.PoolClient | pg.Client): Promise<number> {
  const t = await client.query<{ t: string | null }>("select to_regclass('lethe_schema_migrations')::text as t");
  if (!t.rows[0]?.t) return 0;
  const r = await client.query<{ v: number | null }>('select max(version) as v from lethe_schema_migrations');
  return r.rows[0]?.v ?? 0;
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: Array<{ version: number; name: string }>;
}

/**
 * Applies every migration newer than the database, each in its own transaction; with
 * `grantRunner`, lets that role read and write the state but only read and insert the audit log.
 */
export async function migrate(pool: pg.Pool, options: { grantRunner?: string } = {}): Promise<MigrateResult> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1, 0)', [LOCK_SPACE]);
    try {
      await ensureTable(client);
      const from = await schemaVersion(client);
      if (from > LATEST) throw new Error(`the database schema is version ${from}, newer than this runner knows (${LATEST}): upgrade Lethe`);
      const applied: MigrateResult['applied'] = [];
      for (const m of MIGRATIONS.filter((x) => x.version > from)) {
        await client.query('begin');
        try {
          await client.query(m.sql);
          await client.query('insert into lethe_schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
          await client.query('commit');
        } catch (err) {
          await client.query('rollback');
          throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
        }
        applied.push({ version: m.version, name: m.name });
      }
      if (options.grantRunner !== undefined) await grantRunner(client, options.grantRunner);
      return { from, to: Math.max(from, LATEST), applied };
    } finally {
      await client.query('select pg_advisory_unlock($1, 0)', [LOCK_SPACE]);
    }
  } finally {
    client.release();
  }
}

async function grantRunner(client: pg.PoolClient, role: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`not a role name: ${JSON.stringify(role)}`);
  await client.query(`grant select, insert, update, delete on lethe_journal_event, lethe_action_state, lethe_gdpr_request, lethe_gdpr_event, lethe_lock_holder, lethe_schedule, lethe_batch_claim to ${role}`);
  await client.query(`grant select on lethe_schema_migrations to ${role}`);
  await client.query(`grant select, insert, update on lethe_dsr_request to ${role}`);
  if ((await schemaVersion(client)) >= 5) await client.query(`grant select, insert, update on lethe_rate_bucket, lethe_api_allocation to ${role}`);
  await client.query(`grant usage on all sequences in schema public to ${role}`);
  await client.query(`grant select, insert on lethe_audit to ${role}`);
  await client.query(`grant select, insert on lethe_audit_checkpoint to ${role}`);
  await client.query(`revoke update, delete, truncate on lethe_audit, lethe_audit_checkpoint from ${role}`);
}
