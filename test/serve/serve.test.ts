/** lethe serve over real HTTP on 127.0.0.1: consent check, push, NDJSON gate/mask, auth, bad input, freshness, reload, shutdown. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServe } from '../../runner/serve/server.ts';
import { consent, contact, memoryLog, metricsText, NARROW_TOKEN, NOW, post, PUSH_TOKEN, serveConfig, startTest, TOKEN, writeSnapshot } from './helpers.ts';

const ANN = ['email:ann@example.com', 'sf:003000000000001AAA'];
const BOB = ['email:bob@example.com'];
const events = [
  consent('a01000000000001AAA', ['sf:003000000000001AAA'], 'marketing', 'granted', '2025-01-01T00:00:00.000Z'),
  consent('a01000000000002AAA', BOB, 'marketing', 'granted', '2025-01-01T00:00:00.000Z'),
  consent('a01000000000003AAA', BOB, 'marketing', 'withdrawn', '2025-02-01T00:00:00.000Z'),
];
const contacts = [contact('003000000000001AAA', ANN)];

let serve: RunningServe;
let logLines: string[];

beforeAll(async () => {
  const log = memoryLog();
  logLines = log.lines;
  serve = await startTest({ snapshot: await writeSnapshot(events, contacts, NOW), logger: log.logger });
});
afterAll(async () => serve?.close());

describe('POST /v1/consent/check', () => {
  it('answers per person: a grant under one identifier covers the person\'s other identifiers', async () => {
    const r = await post(`${serve.url}/v1/consent/check`, { email: 'Ann@Example.com', destination: 'crm-sync' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ allowed: true, status: 'OPTED_IN', destination: 'crm-sync', purposes: [{ purpose: 'marketing', status: 'granted', since: '2025-01-01T00:00:00.000Z', event: 'salesforce/a01000000000001AAA' }] });
    expect(r.json.bundle).toBe(serve.state.view().bundle.hash);
    expect(r.headers.get('x-request-id')).toBe(r.json.requestId);
  });

  it('withdrawn -> not allowed, OPTED_OUT, with the deciding event', async () => {
    const r = await post(`${serve.url}/v1/consent/check`, { identifiers: ['email:bob@example.com'], destination: 'crm-sync' });
    expect(r.json).toMatchObject({ allowed: false, status: 'OPTED_OUT', purposes: [{ status: 'withdrawn', event: 'salesforce/a01000000000003AAA' }] });
  });

  it('no event -> not allowed, UNKNOWN (fail closed)', async () => {
    const r = await post(`${serve.url}/v1/consent/check`, { phone: '+1 555 000 1111', purpose: 'marketing' });
    expect(r.json).toMatchObject({ allowed: false, status: 'UNKNOWN', purpose: 'marketing' });
    expect(r.json.reason).toMatch(/cannot be determined/);
  });

  it('an ungated destination is NOT_GATED and allowed', async () => {
    const r = await post(`${serve.url}/v1/consent/check`, { email: 'zed@example.com', destination: 'analytics-export' });
    expect(r.json).toMatchObject({ allowed: true, status: 'NOT_GATED', purposes: [] });
  });
});

describe('authentication and limits', () => {
  it('401 without a token or with a wrong one; 403 for a destination the token lacks', async () => {
    expect((await post(`${serve.url}/v1/consent/check`, { email: 'a@b.cd', destination: 'crm-sync' }, null)).status).toBe(401);
    expect((await post(`${serve.url}/v1/consent/check`, { email: 'a@b.cd', destination: 'crm-sync' }, 'nope')).json.error.code).toBe('unauthorized');
    const r = await post(`${serve.url}/v1/consent/check`, { email: 'a@b.cd', destination: 'crm-sync' }, NARROW_TOKEN);
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('forbidden-destination');
  });

  it('429 past a token\'s rate (bucket of one, refilled once in 1000 s)', async () => {
    const config = serveConfig();
    config.spec.serve!.tokens![0]!.ratePerSecond = 0.001;
    const s = await startTest({ snapshot: await writeSnapshot(events, contacts, NOW), config });
    try {
      expect((await post(`${s.url}/v1/consent/check`, { email: 'a@b.cd', destination: 'crm-sync' })).status).toBe(200);
      const r = await post(`${s.url}/v1/consent/check`, { email: 'a@b.cd', destination: 'crm-sync' });
      expect(r.status).toBe(429);
      expect(r.json.error.code).toBe('rate-limited');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});

describe('bad input is a 4xx JSON error naming the problem', () => {
  const cases: Array<[string, string, unknown, string | undefined, number, string]> = [
    ['malformed JSON', '/v1/consent/check', '{"email": ', 'application/json', 400, 'bad-json'],
    ['unknown destination', '/v1/consent/check', { email: 'a@b.cd', destination: 'nowhere' }, undefined, 404, 'unknown-destination'],
    ['missing identifiers', '/v1/consent/check', { destination: 'crm-sync' }, undefined, 400, 'missing-identifiers'],
    ['an unusable e-mail', '/v1/consent/check', { email: 'not an address', destination: 'crm-sync' }, undefined, 400, 'bad-identifier'],
    ['both destination and purpose', '/v1/consent/check', { email: 'a@b.cd', destination: 'crm-sync', purpose: 'marketing' }, undefined, 400, 'destination-or-purpose'],
    ['an unknown field', '/v1/consent/check', { email: 'a@b.cd', destination: 'crm-sync', extra: 1 }, undefined, 400, 'invalid-request'],
    ['an oversized body', '/v1/consent/check', { email: 'a@b.cd', destination: 'crm-sync', identifiers: Array.from({ length: 50 }, (_, i) => `email:${'x'.repeat(300)}${i}@b.cd`).concat('x'.repeat(70_000)) }, undefined, 413, 'too-large'],
    ['unknown destination (gate)', '/v1/gate/nowhere', '{}\n', 'application/x-ndjson', 404, 'unknown-destination'],
    ['a JSON body to an NDJSON route', '/v1/gate/crm-sync', { a: 1 }, 'application/json', 415, 'unsupported-media-type'],
    ['an unknown route', '/v1/nothing', {}, undefined, 404, 'not-found'],
  ];
  for (const [name, path, body, type, status, code] of cases) {
    it(name, async () => {
      const r = await post(`${serve.url}${path}`, body, TOKEN, type);
      expect(r.status).toBe(status);
      expect(r.json.error.code).toBe(code);
      expect(typeof r.json.error.message).toBe('string');
    });
  }

  it('an NDJSON line that is not a record: 400 naming the line', async () => {
    const ok = JSON.stringify(contact('003000000000001AAA', ANN));
    const r = await post(`${serve.url}/v1/gate/crm-sync`, `${ok}\n\n{"system":"salesforce"}\n`, TOKEN, 'application/x-ndjson');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'not-a-record', line: 3 });
    const bad = await post(`${serve.url}/v1/mask/crm-sync`, `${ok}\n{nope\n`, TOKEN, 'application/x-ndjson');
    expect(bad.json.error).toMatchObject({ code: 'bad-json', line: 2 });
  });

  it('a bad line after the answer started streaming ends it with an error line and a Lethe-Error trailer', async () => {
    const line = JSON.stringify(contact('003000000000001AAA', ANN, { Pad: 'p'.repeat(500) }));
    const n = 300; // > 64 KiB of passed output
    const body = `${`${line}\n`.repeat(n)}not json\n`;
    const { status, text, trailers } = await rawPost(`${serve.url}/v1/gate/crm-sync`, body);
    expect(status).toBe(200);
    const lines = text.trim().split('\n');
    expect(lines.length).toBe(n + 1);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ error: { code: 'bad-json', line: n + 1 } });
    expect(trailers['lethe-error']).toMatch(/^bad-json: line 301/);
    expect(trailers['lethe-passed']).toBe(String(n));
  });
});

/** A POST with node:http, to read trailers. */
function rawPost(url: string, body: string, token = TOKEN): Promise<{ status: number; text: string; headers: Record<string, unknown>; trailers: Record<string, string | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers, trailers: res.trailers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('NDJSON gate and mask', () => {
  const annRec = contact('003000000000001AAA', ANN);
  const bobRec = contact('003000000000002AAA', BOB, { FirstName: 'Bob', Email: 'bob@example.com' });
  const task = { system: 'salesforce', type: 'task', id: '00T000000000001AAA', createdAt: '2024-01-01T00:00:00.000Z', identifiers: ANN, links: [], fields: {} };
  const body = [annRec, bobRec, task].map((r) => JSON.stringify(r)).join('\n') + '\n';

  it('gate passes allowed lines unchanged, counts in headers and trailers', async () => {
    const r = await rawPost(`${serve.url}/v1/gate/crm-sync`, body);
    expect(r.status).toBe(200);
    expect(r.text).toBe(`${JSON.stringify(annRec)}\n${JSON.stringify(task)}\n`);
    expect(r.headers['lethe-passed']).toBe('2');
    expect(r.headers['lethe-blocked']).toBe('1');
    expect(r.trailers['lethe-read']).toBe('3');
  });

  it('mask gates, then masks as lethe mask does; uncovered types are dropped', async () => {
    const r = await rawPost(`${serve.url}/v1/mask/crm-sync`, body);
    expect(r.text.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ system: 'salesforce', type: 'contact', id: '003000000000001AAA', createdAt: '2024-01-01T00:00:00.000Z', identifiers: [], links: [], fields: { FirstName: 'Ann', LastName: 'Lee', Email: 'ann@example.com' } }]);
    expect(r.trailers).toMatchObject({ 'lethe-passed': '1', 'lethe-blocked': '1', 'lethe-dropped': '1' });
  });
});

describe('consent events, freshness, metrics, logs', () => {
  it('a pushed withdrawal takes effect for the next decision; only push tokens may push', async () => {
    const denied = await post(`${serve.url}/v1/consent/events`, { email: 'ann@example.com', purpose: 'marketing', status: 'withdrawn' });
    expect(denied.status).toBe(403);
    const r = await post(`${serve.url}/v1/consent/events`, { salesforceId: '003000000000001AAA', purpose: 'marketing', status: 'withdrawn', at: '2026-05-01T00:00:00Z', source: 'ivr' }, PUSH_TOKEN);
    expect(r.status).toBe(202);
    expect(r.json.event).toMatch(/^lethe\/push-/);
    const after = await post(`${serve.url}/v1/consent/check`, { email: 'ann@example.com', destination: 'crm-sync' });
    expect(after.json).toMatchObject({ allowed: false, status: 'OPTED_OUT', purposes: [{ status: 'withdrawn', since: '2026-05-01T00:00:00.000Z' }] });
  });

  it('a stale state answers "not allowed" and /readyz is 503', async () => {
    let t = Date.parse(NOW);
    const s = await startTest({ snapshot: await writeSnapshot(events, contacts, NOW), clock: () => t, config: serveConfig({ maxStaleness: 'PT60S' }) });
    try {
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
      t += 61_000;
      const r = await post(`${s.url}/v1/consent/check`, { email: 'ann@example.com', destination: 'crm-sync' });
      expect(r.json).toMatchObject({ allowed: false, status: 'UNKNOWN' });
      expect(r.json.reason).toMatch(/61 s old/);
      expect((await fetch(`${s.url}/readyz`)).status).toBe(503);
      const g = await rawPost(`${s.url}/v1/gate/crm-sync`, `${JSON.stringify(contact('003000000000001AAA', ANN))}\n`);
      expect(g.text).toBe('');
      expect(g.headers['lethe-blocked']).toBe('1');
    } finally {
      await s.close();
    }
  });

  it('/metrics needs a token with the metrics scope, exposes decisions and staleness and no subject data; /openapi.json documents the routes; /healthz', async () => {
    expect((await fetch(`${serve.url}/metrics`)).status).toBe(401);
    const denied = await fetch(`${serve.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('forbidden-metrics');
    const m = await metricsText(serve.url);
    expect(m).not.toMatch(/@|email:|phone:|sf:|gc:/);
    expect(m).toMatch(/lethe_serve_decisions_total\{endpoint="check",destination="crm-sync",allowed="true"\} \d+/);
    expect(m).toMatch(/lethe_serve_consent_state_age_seconds \d/);
    expect(m).toMatch(/lethe_serve_request_duration_seconds_bucket/);
    const doc = (await (await fetch(`${serve.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/readyz', '/v1/consent/check', '/v1/consent/events', '/v1/gate/{destination}', '/v1/mask/{destination}']);
    expect(await (await fetch(`${serve.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('counts every check once per destination and outcome, and logs one line per request with its route', async () => {
    const count = (m: string): number => [...m.matchAll(/lethe_serve_decisions_total\{endpoint="check",destination="crm-sync",allowed="(?:true|false)"\} (\d+)/g)].reduce((a, x) => a + Number(x[1]), 0);
    const before = count(await metricsText(serve.url));
    for (let k = 0; k < 3; k++) expect((await post(`${serve.url}/v1/consent/check`, { email: 'ann@example.com', destination: 'crm-sync' })).status).toBe(200);
    const m = await metricsText(serve.url);
    expect(count(m) - before).toBe(3);
    expect(count(await metricsText(serve.url))).toBe(count(m)); // reading does not count again
    expect(m).toMatch(/lethe_serve_request_duration_seconds_count\{route="\/v1\/consent\/check"\} \d+/);
    expect((await post(`${serve.url}/v1/nothing`, {})).status).toBe(404);
    // A request's line is written when its answer has been handed to the socket, which may be just
    // after the client has read it: look again for a bounded number of turns.
    const lines = () => logLines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; route?: string; status?: number; reqId?: string });
    const has = (route: string, status: number): boolean => lines().some((l) => l.msg === 'request' && l.route === route && l.status === status && typeof l.reqId === 'string');
    for (let k = 0; k < 200 && !has('unknown', 404); k++) await new Promise((r) => setTimeout(r, 10));
    expect(has('/v1/consent/check', 200)).toBe(true);
    expect(has('unknown', 404)).toBe(true);
  });

  it('no identifier, e-mail or token ever reaches the log', () => {
    const all = logLines.join('');
    expect(all).toContain('"reqId"');
    for (const secret of ['ann@example.com', 'Ann@Example.com', 'bob@example.com', '003000000000001AAA', TOKEN, PUSH_TOKEN]) expect(all).not.toContain(secret);
    // The phone asked about (+1 555 000 1111) in any spacing; not a bare "555", which request ids
    // (UUIDs), timings and pids contain by chance.
    expect(all).not.toMatch(/555[\s-]?000[\s-]?1111/);
  });
});

describe('operations', () => {
  it('reload swaps the state while a stream is in flight; the stream completes and live events survive the reload', async () => {
    const s = await startTest({ snapshot: await writeSnapshot(events, contacts, NOW) });
    try {
      await post(`${s.url}/v1/consent/events`, { email: 'bob@example.com', purpose: 'marketing', status: 'granted', at: '2026-05-01T00:00:00Z' }, PUSH_TOKEN);
      const line = `${JSON.stringify(contact('003000000000002AAA', BOB))}\n`;
      const { req, done } = streamingPost(`${s.url}/v1/gate/crm-sync`);
      req.write(line);
      await s.reload();
      req.end(line);
      const r = await done;
      expect(r.status).toBe(200);
      expect(r.trailers['lethe-passed']).toBe('2');
      expect((await post(`${s.url}/v1/consent/check`, { email: 'bob@example.com', destination: 'crm-sync' })).json.allowed).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('a grant whose validity window ends while serving stops counting once the state is rebuilt (reload)', async () => {
    let t = Date.parse(NOW);
    const windowed = { ...consent('0ZY000000000001AAA', ['email:win@example.com'], 'marketing', 'granted', '2025-01-01T00:00:00.000Z') };
    windowed.fields = { ...windowed.fields, effectiveFrom: '2025-01-01T00:00:00.000Z', effectiveTo: new Date(t + 3600_000).toISOString() };
    const s = await startTest({ snapshot: await writeSnapshot([windowed], [], NOW), clock: () => t, config: serveConfig({ maxStaleness: 'P7D' }) });
    try {
      expect((await post(`${s.url}/v1/consent/check`, { email: 'win@example.com', destination: 'crm-sync' })).json.allowed).toBe(true);
      t += 2 * 3600_000;
      await s.reload();
      const r = await post(`${s.url}/v1/consent/check`, { email: 'win@example.com', destination: 'crm-sync' });
      expect(r.json).toMatchObject({ allowed: false, status: 'OPTED_OUT' });
    } finally {
      await s.close();
    }
  });

  it('close() lets a request in flight finish', async () => {
    const s = await startTest({ snapshot: await writeSnapshot(events, contacts, NOW) });
    const { req, done, started } = streamingPost(`${s.url}/v1/gate/crm-sync`);
    // More than 64 KiB of passing records: the answer starts (headers arrive) while the request is open.
    const line = `${JSON.stringify(contact('003000000000001AAA', ANN, { Pad: 'p'.repeat(500) }))}\n`;
    req.write(line.repeat(200));
    await started;
    const closing = s.close();
    req.end(line);
    const r = await done;
    await closing;
    expect(r.status).toBe(200);
    expect(r.trailers['lethe-passed']).toBe('201');
  });
});

function streamingPost(url: string): { req: ReturnType<typeof request>; started: Promise<void>; done: Promise<{ status: number; text: string; trailers: Record<string, string | undefined> }> } {
  let req!: ReturnType<typeof request>;
  let onStart!: () => void;
  const started = new Promise<void>((r) => (onStart = r));
  const done = new Promise<{ status: number; text: string; trailers: Record<string, string | undefined> }>((resolve, reject) => {
    req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${TOKEN}` } }, (res) => {
      onStart();
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, trailers: res.trailers }));
    });
    req.on('error', reject);
  });
  req.flushHeaders();
  return { req, started, done };
}
