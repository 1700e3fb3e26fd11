/**
 * The Genesys native GDPR export (Art. 15), plugin capability `nativeExport`
 * (connectors/capabilities.ts): `POST /api/v2/gdpr/requests` with requestType GDPR_EXPORT, polled
 * with `GET /api/v2/gdpr/requests/{id}` until COMPLETED or ERROR, then the results downloaded from
 * `resultsUrl` (a download link that needs no bearer token). Uses the connector's own HTTP client
 * (OAuth, rate limits, retries). The filter keeps the subject's part of the export only.
 */
import type { Static } from '@sinclair/typebox';
import type { NativeExport, NativeExportClient, NativeExportResult, NativeSubject, SecretResolver, Withhold } from '../capabilities.ts';
import type { GenesysConnector } from './facts.ts';
import { GenesysHttp } from './http.ts';
import type { GdprRequest } from './native.ts';

/** The HTTP client a `spec.connectors.genesys` block names (the export's own, at the configured rate). */
export function genesysHttpFrom(raw: unknown, secret: SecretResolver): GenesysHttp {
  const g = raw as Static<typeof GenesysConnector>;
  return new GenesysHttp({
    apiUrl: g.apiUrl,
    loginUrl: g.loginUrl,
    clientId: secret(g.clientId, 'genesys.clientId'),
    clientSecret: secret(g.clientSecret, 'genesys.clientSecret'),
    ...(g.rateLimitPerMinute ? { rateLimitPerMinute: g.rateLimitPerMinute } : {}),
  });
}

/** Submits a GDPR_EXPORT (or reuses `existingId`); returns the request id. */
export async function submitGdprExport(http: GenesysHttp, subject: NativeSubject, existingId?: string): Promise<string> {
  if (existingId) return existingId;
  const body: { requestType: 'GDPR_EXPORT'; subject: GdprRequest['subject'] } = { requestType: 'GDPR_EXPORT', subject: {} };
  if (subject.name) body.subject.name = subject.name;
  if (subject.emails.length) body.subject.emailAddresses = subject.emails;
  if (subject.phones.length) body.subject.phoneNumbers = subject.phones;
  if (!body.subject.emailAddresses && !body.subject.phoneNumbers) throw new Error('the Genesys GDPR export needs an e-mail or a phone of the subject');
  const res = await http.request<GdprRequest>('POST', '/api/v2/gdpr/requests', { body, idempotent: false, label: 'gdpr export' });
  return res.body.id;
}

/** Polls until the request ends; its final status and, when COMPLETED, the exported data. */
export async function awaitGdprExport(http: GenesysHttp, id: string, options: { intervalMs?: number; timeoutMs?: number } = {}): Promise<NativeExportResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    const res = await http.request<GdprRequest>('GET', `/api/v2/gdpr/requests/${id}`, { label: 'gdpr export poll' });
    const st = res.body.status;
    if (st === 'ERROR') return { status: st, outcome: 'failed' };
    if (st === 'COMPLETED') {
      if (!res.body.resultsUrl) return { status: st, outcome: 'done' };
      const dl = await fetch(res.body.resultsUrl);
      if (!dl.ok) throw new Error(`GDPR export ${id}: download failed with HTTP ${dl.status}`);
      return { status: st, outcome: 'done', data: (await dl.json()) as unknown };
    }
    if (Date.now() >= deadline) return { status: st, outcome: 'pending' };
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 2000));
  }
}

const obj = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The export data with only the subject's external contacts, conversations and the recordings and
 * evaluations of those conversations; anything else is withheld and counted.
 */
export function filterGenesysExport(data: unknown, owns: (type: string, id: string) => boolean, withhold: Withhold): unknown {
  const root = obj(data);
  if (!root) {
    withhold('unknown');
    return {};
  }
  const has = (type: string, id: string | null): boolean => id !== null && owns(type, id);
  const convOf = (x: Record<string, unknown>): string | null => str(x.conversationId) ?? str(obj(x.conversation)?.id);
  const keep: Record<string, (x: Record<string, unknown>) => boolean> = {
    externalContacts: (x) => has('external-contact', str(x.id)),
    conversations: (x) => has('conversation', str(x.conversationId)),
    recordings: (x) => has('conversation', convOf(x)),
    evaluations: (x) => has('conversation', convOf(x)),
  };
  const out: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(root)) {
    const test = keep[k];
    if (!test || !Array.isArray(v)) {
      withhold('unknown', Array.isArray(v) ? v.length : 1);
      continue;
    }
    out[k] = [];
    for (const item of v) {
      const x = obj(item);
      if (x && test(x)) out[k].push(item);
      else if (x) withhold('other', 1, k);
      else withhold('unknown');
    }
  }
  return out;
}

export const GENESYS_NATIVE_EXPORT: NativeExport = {
  kind: 'GDPR_EXPORT',
  file: 'genesys-gdpr-export.json',
  noun: 'Genesys GDPR export',
  title: "Genesys Cloud's own GDPR export",
  open(config, secret): NativeExportClient {
    const http = genesysHttpFrom(config, secret);
    return { submit: (subject, existingId) => submitGdprExport(http, subject, existingId), wait: (id, options) => awaitGdprExport(http, id, options) };
  },
  filter: filterGenesysExport,
};
