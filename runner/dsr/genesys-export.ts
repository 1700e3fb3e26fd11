/**
 * The Genesys native GDPR export (Art. 15): `POST /api/v2/gdpr/requests` with requestType
 * GDPR_EXPORT, polled with `GET /api/v2/gdpr/requests/{id}` until COMPLETED or ERROR, then the
 * results downloaded from `resultsUrl` (a download link that needs no bearer token). Uses the
 * connector's own HTTP client (OAuth, rate limits, retries).
 */
import { GenesysHttp } from '../../connectors/genesys/http.ts';
import type { GdprRequest } from '../../connectors/genesys/native.ts';
import type { RunnerConfig } from '../../engine/schema/index.ts';
import { UserError } from '../cli/errors.ts';
import { resolveSecret } from '../secrets.ts';
import type { PlainSubject } from './types.ts';

export function genesysHttpFrom(config: RunnerConfig, env: NodeJS.ProcessEnv): GenesysHttp | null {
  const g = config.spec.connectors.genesys;
  if (!g) return null;
  return new GenesysHttp({
    apiUrl: g.apiUrl,
    loginUrl: g.loginUrl,
    clientId: resolveSecret(g.clientId, 'genesys.clientId', env),
    clientSecret: resolveSecret(g.clientSecret, 'genesys.clientSecret', env),
    ...(g.rateLimitPerMinute ? { rateLimitPerMinute: g.rateLimitPerMinute } : {}),
  });
}

/** Submits a GDPR_EXPORT (or reuses `existingId`); returns the request id. */
export async function submitGdprExport(http: GenesysHttp, subject: PlainSubject, existingId?: string): Promise<string> {
  if (existingId) return existingId;
  const body: { requestType: 'GDPR_EXPORT'; subject: GdprRequest['subject'] } = { requestType: 'GDPR_EXPORT', subject: {} };
  if (subject.name) body.subject.name = subject.name;
  if (subject.emails.length) body.subject.emailAddresses = subject.emails;
  if (subject.phones.length) body.subject.phoneNumbers = subject.phones;
  if (!body.subject.emailAddresses && !body.subject.phoneNumbers) throw new UserError('the Genesys GDPR export needs an e-mail or a phone of the subject');
  const res = await http.request<GdprRequest>('POST', '/api/v2/gdpr/requests', { body, idempotent: false, label: 'gdpr export' });
  return res.body.id;
}

/** Polls until the request ends; returns its final status and, when COMPLETED, the exported data. */
export async function awaitGdprExport(http: GenesysHttp, id: string, options: { intervalMs?: number; timeoutMs?: number } = {}): Promise<{ status: string; data?: unknown }> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    const res = await http.request<GdprRequest>('GET', `/api/v2/gdpr/requests/${id}`, { label: 'gdpr export poll' });
    const st = res.body.status;
    if (st === 'ERROR') return { status: st };
    if (st === 'COMPLETED') {
      if (!res.body.resultsUrl) return { status: st };
      const dl = await fetch(res.body.resultsUrl);
      if (!dl.ok) throw new Error(`GDPR export ${id}: download failed with HTTP ${dl.status}`);
      return { status: st, data: (await dl.json()) as unknown };
    }
    if (Date.now() >= deadline) return { status: st };
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 2000));
  }
}
