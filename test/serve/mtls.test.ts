/**
 * Mutual TLS as an alternative to bearer tokens: certificates are made by the openssl CLI in a
 * temporary directory at test time (no private key is committed). A client certificate that chains
 * to serve.tls.clientCa is mapped by its common name to destinations and scopes like a token; an
 * unverified certificate or an unknown name is no credential (401); bearer tokens still work over
 * HTTPS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServe } from '../../runner/serve/server.ts';
import { UserError } from '../../runner/cli/errors.ts';
import { consent, contact, NOW, serveConfig, startTest, TOKEN, writeSnapshot } from './helpers.ts';

let dir: string;
let serve: RunningServe;
const pem: Record<string, string> = {};

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A P-256 key and a certificate for `cn` signed by `ca` (or self-signed when ca is null). */
function issue(name: string, cn: string, ca: string | null, ext?: string): void {
  if (!ca) {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${cn}`, '-days', '2');
    return;
  }
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...(ext ? ['-extfile', ext] : []));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-serve-mtls-'));
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  issue('ca', 'lethe test client CA', null);
  issue('rogue-ca', 'some other CA', null);
  issue('server', '127.0.0.1', 'ca', 'server.ext');
  issue('flow', 'genesys-flow', 'ca');
  issue('stranger', 'not-configured', 'ca');
  issue('forged', 'genesys-flow', 'rogue-ca');
  for (const f of ['ca.crt', 'server.key', 'flow.crt', 'flow.key', 'stranger.crt', 'stranger.key', 'forged.crt', 'forged.key']) pem[f] = await readFile(join(dir, f), 'utf8');
  const config = serveConfig({
    tls: { cert: join(dir, 'server.crt'), key: { env: 'TEST_SERVE_TLS_KEY' }, clientCa: join(dir, 'ca.crt') },
    clients: [{ name: 'flow', commonName: 'genesys-flow', destinations: ['crm-sync'], metrics: true }],
  });
  serve = await startTest({ snapshot: await writeSnapshot([consent('c1', ['email:ann@example.com'], 'marketing', 'granted', '2025-01-01T00:00:00.000Z')], [contact('003000000000001AAA', ['email:ann@example.com'])], NOW), config, env: { TEST_SERVE_TLS_KEY: pem['server.key']! } });
});
afterAll(async () => {
  await serve?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST', path: string, options: { client?: 'flow' | 'stranger' | 'forged'; token?: string; body?: unknown } = {}): Promise<{ status: number; json: any }> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${serve.url}${path}`,
      {
        method,
        ca: pem['ca.crt'],
        ...(options.client ? { cert: pem[`${options.client}.crt`], key: pem[`${options.client}.key`] } : {}),
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let json: unknown = text;
          try {
            json = JSON.parse(text);
          } catch {
            /* metrics text */
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const check = { email: 'ann@example.com', destination: 'crm-sync' };

describe('lethe serve: mutual TLS', () => {
  it('serves HTTPS; a verified client certificate is a credential with its destinations and scopes', async () => {
    expect(serve.url.startsWith('https://127.0.0.1:')).toBe(true);
    expect(await call('POST', '/v1/consent/check', { client: 'flow', body: check })).toMatchObject({ status: 200, json: { allowed: true, status: 'OPTED_IN' } });
    const other = await call('POST', '/v1/consent/check', { client: 'flow', body: { ...check, destination: 'analytics-export' } });
    expect(other).toMatchObject({ status: 403, json: { error: { code: 'forbidden-destination' } } });
    const metrics = await call('GET', '/metrics', { client: 'flow' });
    expect(metrics.status).toBe(200);
    expect(String(metrics.json)).toMatch(/lethe_serve_decisions_total/);
    expect((await call('POST', '/v1/consent/events', { client: 'flow', body: { email: 'ann@example.com', purpose: 'marketing', status: 'withdrawn' } })).json.error.code).toBe('forbidden-push');
  });

  it('no certificate and no token, a certificate from another CA, or an unknown common name: 401', async () => {
    expect((await call('POST', '/v1/consent/check', { body: check })).status).toBe(401);
    expect((await call('POST', '/v1/consent/check', { client: 'forged', body: check })).status).toBe(401);
    expect((await call('POST', '/v1/consent/check', { client: 'stranger', body: check })).status).toBe(401);
  });

  it('bearer tokens still work over HTTPS, with their own scopes', async () => {
    expect((await call('POST', '/v1/consent/check', { token: TOKEN, body: check })).status).toBe(200);
    expect((await call('GET', '/metrics', { token: TOKEN })).status).toBe(403);
  });

  it('clients without a client CA, or an unusable key, are a clear config error', async () => {
    const snapshot = await writeSnapshot([], [], NOW);
    const noCa = serveConfig({ tls: { cert: join(dir, 'server.crt'), key: { env: 'K' } }, clients: [{ name: 'flow', commonName: 'genesys-flow', destinations: ['*'] }] });
    await expect(startTest({ snapshot, config: noCa, env: { K: pem['server.key']! } })).rejects.toThrow(/serve.clients need serve.tls with clientCa/);
    const badKey = serveConfig({ tls: { cert: join(dir, 'server.crt'), key: { env: 'K' }, clientCa: join(dir, 'ca.crt') } });
    const err = await startTest({ snapshot, config: badKey, env: { K: 'not a key' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(String((err as Error).message)).toMatch(/serve\.tls/);
    expect(String((err as Error).message)).not.toContain('not a key');
  });
});
