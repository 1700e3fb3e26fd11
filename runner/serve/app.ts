/**
 * The HTTP surface of `lethe serve` (fastify). Routes declare their TypeBox schemas, which validate
 * requests, serialise responses and make the OpenAPI document (/openapi.json). Every /v1 route needs
 * a bearer token or a verified client certificate (mutual TLS) allowed the destination it names,
 * and /metrics one with the metrics scope; errors are JSON `{error:{code,message}}` and a
 * client's mistake is always a 4xx. Logs carry request ids, token names and destinations, never a
 * body, an identifier or a token.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyRequest } from 'fastify';
import { identifier, normalizeIdentifierKey } from '../../connectors/normalize.ts';
import { prepareMasking, maskRecord, type MaskContext, CoverageError, UnknownKeyError } from '../../engine/masking/index.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { Logger } from '../log.ts';
import { mayUse, type TokenGrant, type TokenTable } from './auth.ts';
import { checkConsent, knownDestination } from './decide.ts';
import type { ServeMetrics } from './metrics.ts';
import { streamRecords } from './ndjson.ts';
import { CheckRequest, CheckResponse, DestinationParams, ErrorResponse, EventRequest, EventResponse, Health } from './schemas.ts';
import type { ConsentState } from './state.ts';

export interface ServeContext {
  state: ConsentState;
  tokens: TokenTable;
  metrics: ServeMetrics;
  mask: MaskContext;
  logger: Logger;
  bodyLimit: number;
  streamLimit: number;
  /** Called with a pushed consent event once it is in the state; returns purge requests queued. */
  onEvents?: (records: readonly LetheRecord[]) => number;
  /** Ready only when loaded and fresh (the default), or a reason. */
  notReady?: () => string | null;
  /** Clock for pushed events without `at` (ms). */
  now?: () => number;
  /** HTTPS (PEM texts); with `ca`, client certificates are requested and verified against it. */
  tls?: { cert: string; key: string; ca?: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    grant?: TokenGrant;
  }
}

export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

const ERR = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 429: ErrorResponse };

/** The flat request's identifier fields and the identifier kind each gives. */
const ID_FIELDS = [['email', 'email'], ['phone', 'phone'], ['salesforceId', 'sf'], ['genesysId', 'gc']] as const;

/** The subject's normalised identifiers from a request body; 400 when there are none. */
export function subjectIdentifiers(body: { identifiers?: string[]; email?: string; phone?: string; salesforceId?: string; genesysId?: string }): string[] {
  // The usual data-action call names one e-mail or phone: no set to build or sort.
  if (body.identifiers === undefined) {
    let given = 0;
    for (const [field] of ID_FIELDS) if (body[field] !== undefined) given++;
    const field = given !== 1 ? undefined : body.email !== undefined ? 'email' : body.phone !== undefined ? 'phone' : undefined;
    if (field) {
      const id = identifier(field, body[field]!);
      if (!id) throw new HttpError(400, 'bad-identifier', `${field} is not a usable ${field}`);
      return [id];
    }
  }
  const out = new Set<string>();
  body.identifiers?.forEach((raw, i) => {
    const id = normalizeIdentifierKey(raw);
    if (!id) throw new HttpError(400, 'bad-identifier', `identifiers[${i}] is not a usable identifier (kind:value, e.g. email:… or phone:+…)`);
    out.add(id);
  });
  for (const [field, kind] of ID_FIELDS) {
    const raw = body[field];
    if (raw === undefined) continue;
    const id = identifier(kind, raw);
    if (!id) throw new HttpError(400, 'bad-identifier', `${field} is not a usable ${kind === 'sf' || kind === 'gc' ? 'id' : kind}`);
    out.add(id);
  }
  if (out.size === 0) throw new HttpError(400, 'missing-identifiers', 'no subject identifiers: give identifiers, email, phone, salesforceId or genesysId');
  return [...out].sort();
}

function requireDestination(ctx: ServeContext, req: FastifyRequest, destination: string): void {
  if (!knownDestination(ctx.state.view().bundle, destination)) {
    throw new HttpError(404, 'unknown-destination', `unknown destination "${destination}": no MaskingPolicy or ConsentPolicy names it`);
  }
  if (!req.grant || !mayUse(req.grant, destination)) throw new HttpError(403, 'forbidden-destination', `this token may not use destination "${destination}"`);
}

/** The grant of a connection's verified client certificate (mutual TLS), remembered per socket. */
function clientGrantOf(ctx: ServeContext): (socket: Socket) => TokenGrant | null {
  const bySocket = new WeakMap<Socket, TokenGrant | null>();
  return (socket) => {
    if (!(socket as TLSSocket).encrypted) return null;
    let grant = bySocket.get(socket);
    if (grant === undefined) {
      const tls = socket as TLSSocket;
      grant = tls.authorized ? ctx.tokens.authenticateClient(tls.getPeerCertificate().subject?.CN) : null;
      bySocket.set(socket, grant);
    }
    return grant;
  };
}

/**
 * Request ids in the UUID layout: a random prefix per app and a counter. Unique (the prefix has 92
 * random bits; the counter does not wrap in 2^48 requests) and ~6 times cheaper in garbage than
 * randomUUID per request; an id identifies a request, it grants nothing, so it need not be
 * unpredictable.
 */
function requestIds(): () => string {
  const prefix = randomUUID().slice(0, 24);
  let n = 0;
  return () => prefix + (++n).toString(16).padStart(12, '0');
}

/** The fastify app (not listening yet). */
export async function buildApp(ctx: ServeContext) {
  const https = ctx.tls ? { cert: ctx.tls.cert, key: ctx.tls.key, ...(ctx.tls.ca ? { ca: ctx.tls.ca, requestCert: true, rejectUnauthorized: false } : {}) } : null;
  const clientGrant = clientGrantOf(ctx);
  const app = Fastify({
    ...(https ? { https } : {}),
    loggerInstance: ctx.logger,
    bodyLimit: ctx.bodyLimit,
    genReqId: requestIds(),
    requestIdHeader: false,
    return503OnClosing: true,
    // One line per request, written by onResponse below with the request id as a field: no child
    // logger per request (pino redacts each child's bindings, which dominated a consent check).
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (logger) => logger,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'lethe serve', version: '1', description: 'Consent and masking decided at query time (see README "Consent at query time").' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, clientCertificate: { type: 'mutualTLS', description: 'A client certificate chaining to serve.tls.clientCa, mapped by common name (serve.clients).' } as unknown as { type: 'http'; scheme: string } } },
      security: [{ bearer: [] }, { clientCertificate: [] }],
    },
  });

  // NDJSON bodies are read as streams by the route (their own size limit).
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'application/json-seq'], (_req, payload, done) => done(null, payload));

  // Hooks take callbacks rather than being async: a promise per hook per request was garbage.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    const metricsRoute = req.url === '/metrics' || req.url.startsWith('/metrics?');
    if (!req.url.startsWith('/v1/') && !metricsRoute) return done();
    const grant = clientGrant(req.raw.socket) ?? ctx.tokens.authenticate(req.headers.authorization);
    if (!grant) {
      reply.header('www-authenticate', 'Bearer');
      return done(new HttpError(401, 'unauthorized', 'a valid bearer token or client certificate is required'));
    }
    if (metricsRoute && !grant.metrics) return done(new HttpError(403, 'forbidden-metrics', `${grant.name} may not read metrics (give it metrics: true)`));
    if (!grant.bucket.tryTake()) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(grant.bucket.waitTimeMs() / 1000))));
      return done(new HttpError(429, 'rate-limited', `token ${grant.name} is over its request rate`));
    }
    req.grant = grant;
    done();
  });

  // One line and one latency observation per request. The route is known when the route is
  // declared (onRoute gives each its own hook); a request no route matched counts as `unknown`.
  const responded = (req: FastifyRequest, reply: import('fastify').FastifyReply, route: string): void => {
    ctx.metrics.observeDuration(route, reply.elapsedTime / 1000);
    if (ctx.logger.isLevelEnabled('info')) ctx.logger.info({ reqId: req.id, method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, ...(req.grant ? { token: req.grant.name } : {}) }, 'request');
  };
  app.addHook('onRoute', (route) => {
    const url = route.url;
    const hook = (req: FastifyRequest, reply: import('fastify').FastifyReply, done: () => void): void => {
      responded(req, reply, url);
      done();
    };
    route.onResponse = route.onResponse ? [...[route.onResponse].flat(), hook] : [hook];
  });
  app.addHook('onResponse', (req, reply, done) => {
    if (req.is404) responded(req, reply, 'unknown');
    done();
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    let status = err instanceof HttpError ? err.statusCode : (err.statusCode ?? 500);
    let code = err instanceof HttpError ? err.code : 'bad-request';
    let message = err.message;
    if (!(err instanceof HttpError)) {
      if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) code = 'bad-json';
      else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') code = 'too-large';
      else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') code = 'unsupported-media-type';
      else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') code = 'empty-body';
      else if (err.validation) code = 'invalid-request';
      if (status >= 500) {
        ctx.logger.error({ reqId: req.id, err: { type: err.name, code: err.code } }, 'internal error');
        status = 500;
        code = 'internal';
        message = 'internal error (see the service log by request id)';
      }
    }
    void reply.status(status).type('application/json; charset=utf-8').send({ error: { code, message }, requestId: req.id });
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: { code: 'not-found', message: `no route ${req.method} ${req.url.split('?')[0]}` }, requestId: req.id });
  });

  app.get('/healthz', { schema: { hide: false, response: { 200: Health } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { response: { 200: Health, 503: Health } } }, async (_req, reply) => {
    const why = ctx.notReady?.() ?? null;
    const stale = ctx.state.staleness();
    const age = ctx.state.ageMs() / 1000;
    if (why || stale) return reply.status(503).send({ status: 'not-ready', stateAgeSeconds: age, reason: why ?? `consent state is ${Math.round(age)} s old (at most ${stale!.maxSeconds} s)` });
    return { status: 'ready', stateAgeSeconds: age };
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // Synchronous (no promise per check); what it throws goes to the error handler like the rest.
  // Answers are serialised by JSON.stringify (one flat string, a third of the garbage of the
  // compiled schema serialiser, which concatenates): every answer is built here field by field in
  // the schema's order (an undefined field is left out), so the schema still says exactly what is sent.
  app.post('/v1/consent/check', { schema: { summary: 'May this subject\'s data go to a destination now?', body: CheckRequest, response: { 200: CheckResponse, ...ERR } }, serializerCompiler: () => JSON.stringify }, (req) => {
    const body = req.body;
    if ((body.destination === undefined) === (body.purpose === undefined)) throw new HttpError(400, 'destination-or-purpose', 'give exactly one of destination and purpose');
    const ids = subjectIdentifiers(body);
    const view = ctx.state.view();
    let purposes: string[];
    if (body.destination !== undefined) {
      requireDestination(ctx, req, body.destination);
      purposes = view.gates.purposes(body.destination);
    } else {
      const purpose = body.purpose!;
      const dests = view.bundle.consent.filter((p) => p.spec.purpose === purpose).flatMap((p) => p.spec.destinations);
      if (dests.length === 0) throw new HttpError(404, 'unknown-purpose', `unknown purpose "${purpose}": no ConsentPolicy names it`);
      if (!req.grant!.destinations.has('*') && !dests.some((d) => req.grant!.destinations.has(d))) throw new HttpError(403, 'forbidden-purpose', `this token may not ask about purpose "${purpose}"`);
      purposes = [purpose];
    }
    const answer = checkConsent(view.index, ids, purposes, ctx.state.staleness());
    ctx.metrics.countDecision(body.destination ?? `purpose:${body.purpose}`, answer.allowed);
    const out: Omit<CheckResponse, 'destination' | 'purpose'> & { destination: string | undefined; purpose: string | undefined } = {
      allowed: answer.allowed,
      status: answer.status,
      reason: answer.reason,
      destination: body.destination,
      purpose: body.purpose,
      purposes: answer.purposes,
      bundle: view.bundle.hash,
      stateAgeSeconds: ctx.state.ageMs() / 1000,
      requestId: req.id,
    };
    return out as CheckResponse; // JSON.stringify leaves out the undefined one
  });

  app.post('/v1/consent/events', { schema: { summary: 'Record a consent event (e.g. a withdrawal taken in a Genesys flow).', body: EventRequest, response: { 202: EventResponse, ...ERR } } }, async (req, reply) => {
    if (!req.grant!.push) throw new HttpError(403, 'forbidden-push', 'this token may not record consent events');
    const body = req.body;
    const ids = subjectIdentifiers(body);
    if (!ctx.state.view().bundle.consent.some((p) => p.spec.purpose === body.purpose)) throw new HttpError(404, 'unknown-purpose', `unknown purpose "${body.purpose}": no ConsentPolicy names it`);
    const at = body.at ? new Date(Date.parse(body.at)).toISOString() : new Date((ctx.now ?? Date.now)()).toISOString();
    const id = `push-${randomUUID()}`;
    const record: LetheRecord = { system: 'lethe', type: 'consent', id, createdAt: at, identifiers: ids, links: [], fields: { purpose: body.purpose, status: body.status, at, model: 'push', source: body.source ?? req.grant!.name } };
    ctx.state.addEvents([record]);
    ctx.metrics.feedEvents.inc();
    const purges = ctx.onEvents?.([record]) ?? 0;
    ctx.logger.info({ reqId: req.id, token: req.grant!.name, event: id, purpose: body.purpose, status: body.status }, 'consent event recorded');
    return reply.status(202).send({ accepted: true, event: `lethe/${id}`, purges, requestId: req.id });
  });

  const ndjsonSchema = (summary: string) => ({
    summary,
    params: DestinationParams,
    consumes: ['application/x-ndjson'],
    produces: ['application/x-ndjson'],
    response: { 200: { description: 'Allowed records, one per line; counts in Lethe-* headers (small answers) and trailers (always).', content: { 'application/x-ndjson': { schema: { type: 'string' } } } }, ...ERR },
  });

  const ndjsonRoute = (kind: 'gate' | 'mask') => async (req: FastifyRequest<{ Params: { destination: string } }>, reply: import('fastify').FastifyReply) => {
    const destination = req.params.destination;
    requireDestination(ctx, req, destination);
    const ctype = String(req.headers['content-type'] ?? '');
    if (!/^application\/(x-ndjson|jsonl|json-seq)\b/.test(ctype)) throw new HttpError(415, 'unsupported-media-type', 'send records as application/x-ndjson');
    const view = ctx.state.view();
    let coverage: Map<string, import('../../engine/schema/index.ts').MaskingPolicy> | null = null;
    if (kind === 'mask') {
      const policies = view.bundle.masking.filter((p) => p.spec.destination === destination);
      if (policies.length === 0) throw new HttpError(404, 'no-masking-policy', `no MaskingPolicy for destination "${destination}"`);
      try {
        coverage = prepareMasking(policies, ctx.mask);
      } catch (err) {
        if (err instanceof CoverageError || err instanceof UnknownKeyError) throw new HttpError(409, 'masking-unusable', err.message);
        throw err;
      }
    }
    reply.hijack();
    const { state } = ctx;
    const { counts, error } = await streamRecords({
      input: req.raw,
      res: reply.raw,
      limitBytes: ctx.streamLimit,
      requestId: req.id,
      decide: (record, line) => {
        // The current view for every record: a withdrawal the feed saw a moment ago applies now.
        const allowed = state.view().gates.allows(destination, record, state.staleness() !== null);
        if (!allowed) return { out: null, outcome: 'blocked' };
        if (!coverage) return { out: line, outcome: 'passed' };
        const policy = coverage.get(`${record.system}/${record.type}`);
        if (!policy) return { out: null, outcome: 'dropped' };
        return { out: JSON.stringify(maskRecord(record, policy, ctx.mask)), outcome: 'passed' };
      },
    });
    for (const outcome of ['passed', 'blocked', 'dropped'] as const) if (counts[outcome] > 0) ctx.metrics.records.inc({ endpoint: kind, destination, outcome }, counts[outcome]);
    ctx.metrics.observeDuration(`/v1/${kind}/:destination`, reply.elapsedTime / 1000);
    ctx.logger.info({ reqId: req.id, token: req.grant!.name, route: `/v1/${kind}/:destination`, destination, ...counts, ...(error ? { error: error.code, line: error.line } : {}) }, `${kind} stream done`);
  };

  app.post('/v1/gate/:destination', { schema: ndjsonSchema('Only the records whose subjects\' consent allows the destination, unchanged.') }, ndjsonRoute('gate'));
  app.post('/v1/mask/:destination', { schema: ndjsonSchema('Only the allowed records, masked as `lethe mask` masks them for the destination.') }, ndjsonRoute('mask'));

  return app;
}

export type ServeApp = Awaited<ReturnType<typeof buildApp>>;
