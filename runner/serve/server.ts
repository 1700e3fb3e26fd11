/**
 * Wiring of `lethe serve`: config -> consent state, feed, purge outbox, HTTP app; the poll loop;
 * reload (SIGHUP) and graceful shutdown. Reads systems, never writes to them: the only outbound
 * writes are purge requests to destinations that registered an endpoint.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { FeedPoll } from '../../connectors/capabilities.ts';
import { createMaskContext, KeyError, resolveKeys, type MaskContext } from '../../engine/masking/index.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import type { ServeSpec } from '../../engine/schema/config.ts';
import { openAuditLog, type AuditLog } from '../audit/index.ts';
import { UserError } from '../cli/errors.ts';
import { capableSystems } from '../connections.ts';
import { createLogger, type Logger } from '../log.ts';
import { resolveSecret } from '../secrets.ts';
import { buildApp, type ServeApp } from './app.ts';
import { pollFeeds, type Feeds } from './feeds.ts';
import { TokenTable } from './auth.ts';
import { settleHeap } from './heap.ts';
import { createMetrics } from './metrics.ts';
import { durationMs, PurgeOutbox, type PurgeEndpoint } from './purge.ts';
import { ConsentState, loadView } from './state.ts';

export { durationMs };

export interface ServeOptions {
  config: RunnerConfig;
  /** Directory relative paths in the config are resolved against. */
  configDir: string;
  policies: string;
  snapshot: string;
  env?: NodeJS.ProcessEnv;
  host?: string;
  port?: number;
  logger?: Logger;
  /**
   * `auto`: poll every `serve.pollInterval`; `manual`: only `pollOnce()` polls (tests drive the
   * loop explicitly); `off`: no feed even if a system with a consent feed (Salesforce) is configured.
   */
  feed?: 'auto' | 'manual' | 'off';
  /** Local clock in ms (default Date.now). */
  clock?: () => number;
  /** Overrides for tests: purge backoff. */
  purgeBackoffMs?: number;
}

export interface RunningServe {
  url: string;
  app: ServeApp;
  state: ConsentState;
  purges: PurgeOutbox | null;
  /** Where purges.jsonl and serve-audit.jsonl live. */
  stateDir: string;
  /** Polls the consent sources once (null without a feed); marks the state fresh on success. */
  pollOnce(): Promise<FeedPoll | null>;
  /** Polls completed so far (successful and failed). */
  polls(): number;
  /** Rebuilds the state from the policy folder and snapshot and swaps it in (SIGHUP). */
  reload(): Promise<void>;
  /** Stops accepting, finishes in-flight requests, stops the feed and the purge sender. */
  close(): Promise<void>;
}

const DEFAULTS = { host: '127.0.0.1', port: 8787, maxStaleness: 'PT60S', pollInterval: 'PT5S', bodyLimit: 65_536, streamLimit: 256 * 1024 * 1024, ratePerSecond: 5000, purgeSla: 'P1D', purgeRetries: 8, purgeBackoffMs: 1000 };

function keysOf(config: RunnerConfig, configDir: string, env: NodeJS.ProcessEnv): Map<string, Buffer> {
  try {
    return resolveKeys(config, env, (p) => readFileSync(resolve(configDir, p)));
  } catch (err) {
    if (err instanceof KeyError) throw new UserError(err.message);
    throw err;
  }
}

/** The PEM texts of serve.tls (UserError naming the field when one cannot be read). */
function readTls(t: NonNullable<ServeSpec['tls']>, configDir: string, env: NodeJS.ProcessEnv): { cert: string; key: string; ca?: string } {
  const pem = (file: string, field: string): string => {
    try {
      return readFileSync(resolve(configDir, file), 'utf8');
    } catch (err) {
      throw new UserError(`config: serve.tls.${field}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  return { cert: pem(t.cert, 'cert'), key: resolveSecret(t.key, 'serve.tls.key', env), ...(t.clientCa ? { ca: pem(t.clientCa, 'clientCa') } : {}) };
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const spec: ServeSpec | undefined = options.config.spec.serve;
  if (!spec) throw new UserError('config: spec.serve is missing (tokens, and optionally destinations with purge endpoints): see README "Consent at query time"');
  if ((spec.tokens?.length ?? 0) + (spec.clients?.length ?? 0) === 0) throw new UserError('config: serve needs at least one of tokens and clients (nobody could call the service)');
  if (spec.clients?.length && !spec.tls?.clientCa) throw new UserError('config: serve.clients need serve.tls with clientCa (the CA their certificates chain to)');
  const env = options.env ?? process.env;
  const tls = spec.tls ? readTls(spec.tls, options.configDir, env) : undefined;
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? createLogger({ name: 'serve' });
  const now = new Date(clock()).toISOString();
  const view = await loadView({ policies: options.policies, snapshot: options.snapshot, now });
  const maxStalenessMs = durationMs(spec.maxStaleness ?? DEFAULTS.maxStaleness);
  const state = new ConsentState(view, { maxStalenessMs, freshAtMs: Date.parse(view.snapshotAt), clock });

  const keys = keysOf(options.config, options.configDir, env);
  const mask: MaskContext = createMaskContext(keys);
  const stateDir = resolve(options.configDir, options.config.spec.stateDir ?? '.lethe');

  // Purge endpoints.
  const endpoints = new Map<string, PurgeEndpoint>();
  for (const [name, d] of Object.entries(spec.destinations ?? {})) {
    endpoints.set(name, { url: d.purgeUrl, ...(d.token ? { token: resolveSecret(d.token, `serve.destinations.${name}.token`, env) } : {}), slaMs: durationMs(d.sla ?? spec.purgeSla ?? DEFAULTS.purgeSla) });
  }
  let audit: AuditLog | null = null;
  let purges: PurgeOutbox | null = null;
  const metricsRef: { m?: ReturnType<typeof createMetrics> } = {};
  if (endpoints.size > 0) {
    const keyName = spec.subjectKey ?? 'default';
    const key = keys.get(keyName);
    if (!key) throw new UserError(`serve.destinations need a subject hash key: set LETHE_HMAC_KEY${keyName === 'default' ? '' : `_${keyName.toUpperCase().replace(/-/g, '_')}`} or keys.hmac.${keyName} in the config`);
    await mkdir(stateDir, { recursive: true });
    audit = await openAuditLog(join(stateDir, 'serve-audit.jsonl'));
    purges = new PurgeOutbox({
      endpoints,
      file: join(stateDir, 'purges.jsonl'),
      audit,
      key,
      mask,
      logger: logger.child({ component: 'purge' }),
      retries: spec.purgeRetries ?? DEFAULTS.purgeRetries,
      backoffMs: options.purgeBackoffMs ?? spec.purgeBackoffMs ?? DEFAULTS.purgeBackoffMs,
      now: clock,
      onSend: (destination, outcome) => metricsRef.m?.purges.inc({ destination, outcome }),
    });
  }

  const metrics = createMetrics({
    stateAgeSeconds: () => state.ageMs() / 1000,
    purgesOverdue: () => purges?.overdue().length ?? 0,
    purgesPending: () => purges?.pending().length ?? 0,
    consentEvents: () => state.view().index.events,
  });
  metricsRef.m = metrics;

  const onEvents = (records: readonly LetheRecord[]): number => {
    if (!purges) return 0;
    const v = state.view();
    return purges.onEvents(v.bundle, v.index, records);
  };

  // The live feed: every configured system whose plugin has one (Salesforce: consent sources by SystemModstamp).
  const feedMode = options.feed ?? 'auto';
  let feed: Feeds | null = null;
  if (feedMode !== 'off') {
    const margin = 5 * 60_000; // re-read 5 minutes before the snapshot: clocks differ, events repeat harmlessly
    const since = new Date(Date.parse(view.snapshotAt) - margin).toISOString();
    const feeds = capableSystems(options.config, 'consentFeed', env).map((s) => s.capability(s.config, s.secret, since));
    feed = feeds.length > 0 ? feeds : null;
  }
  let reloading: Promise<void> | null = null;
  const reload = (): Promise<void> => {
    reloading ??= (async () => {
      try {
        const next = await loadView({ policies: options.policies, snapshot: options.snapshot, now: new Date(clock()).toISOString() }, state.replacer());
        state.swap(next);
        logger.info({ bundle: next.bundle.hash, events: next.index.events }, 'reloaded policies and snapshot');
      } finally {
        reloading = null;
      }
    })();
    return reloading;
  };
  let pollCount = 0;
  let rebuildDue = false;
  let polling: Promise<FeedPoll | null> | null = null;
  const pollOnce = (): Promise<FeedPoll | null> => {
    if (!feed) return Promise.resolve(null);
    polling ??= (async () => {
      const startedAt = clock();
      try {
        // A feed that failed does not stop the others' events; it keeps the state from being marked fresh.
        const { poll: got, failure } = await pollFeeds(feed);
        if (got.records.length > 0) {
          state.addEvents(got.records);
          metrics.feedEvents.inc(got.records.length);
          onEvents(got.records);
        }
        // An identity change (an e-mail moved, a contact merged away) may split a person: only a
        // rebuild applies it. Until it is in, the state is not marked fresh by this poll.
        const changed = got.identities.length + got.deleted.length;
        if (changed > 0) {
          const rebuild = state.noteIdentities(got.identities, got.deleted);
          metrics.identityChanges.inc({ applied: rebuild ? 'rebuild' : 'joined' }, changed);
          rebuildDue ||= rebuild;
        }
        if (failure !== null) throw failure; // a pending rebuild waits for the next complete poll
        if (rebuildDue) {
          // A reload already running was planned before this change: let it finish, then rebuild.
          if (reloading) await reloading.catch(() => undefined);
          await reload();
          rebuildDue = false; // only now: a failed rebuild fails this poll and is retried by the next
        }
        state.markFresh(startedAt);
        metrics.polls.inc({ outcome: 'ok' });
        return got;
      } catch (err) {
        metrics.polls.inc({ outcome: 'error' });
        logger.warn({ err: { type: (err as Error).name } }, 'consent feed poll failed; the state ages until the next poll succeeds');
        return null;
      } finally {
        pollCount++;
        polling = null;
      }
    })();
    return polling;
  };

  await purges?.open();
  if (feed) await pollOnce();

  let app: ServeApp;
  try {
    app = await buildApp({
      state,
      tokens: new TokenTable(spec.tokens, spec.ratePerSecond ?? DEFAULTS.ratePerSecond, spec.clients),
      metrics,
      mask,
      logger,
      bodyLimit: spec.bodyLimit ?? DEFAULTS.bodyLimit,
      streamLimit: spec.streamLimit ?? DEFAULTS.streamLimit,
      onEvents,
      now: clock,
      ...(tls ? { tls } : {}),
    });
  } catch (err) {
    const code = String((err as NodeJS.ErrnoException).code ?? '');
    if (tls && (code.startsWith('ERR_OSSL') || /PEM|certificate|key/i.test((err as Error).message))) throw new UserError(`config: serve.tls: the certificate, key or client CA cannot be used (${code || (err as Error).message})`);
    throw err;
  }
  settleHeap();
  await app.listen({ host: options.host ?? spec.host ?? DEFAULTS.host, port: options.port ?? spec.port ?? DEFAULTS.port });
  const addr = app.server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;

  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  if (feed && feedMode === 'auto') {
    const every = durationMs(spec.pollInterval ?? DEFAULTS.pollInterval);
    const loop = (): void => {
      timer = setTimeout(() => {
        void pollOnce().finally(() => {
          if (!stopped) loop();
        });
      }, every);
      timer.unref();
    };
    loop();
  }

  // Validity windows are judged when a state is built: rebuild it now and then (fail-safe for grants that lapse while serving).
  let rejudge: NodeJS.Timeout | null = null;
  if (feedMode === 'auto') {
    rejudge = setInterval(() => void reload().catch((err: unknown) => logger.error({ err: { type: (err as Error).name } }, 'periodic reload failed; still serving the previous state')), durationMs(spec.reloadEvery ?? 'PT1H'));
    rejudge.unref();
  }
  return {
    url,
    app,
    state,
    purges,
    stateDir,
    pollOnce,
    polls: () => pollCount,
    reload,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (rejudge) clearInterval(rejudge);
      await app.close();
      if (polling) await polling;
      await purges?.close();
      await audit?.close();
    },
  };
}
