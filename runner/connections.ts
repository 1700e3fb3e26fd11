/** Builds the connectors a runner config names (the only place config becomes live connections). */
import type { RunnerConfig } from '../engine/schema/index.ts';
import { createGenesysConnector } from '../connectors/genesys/connector.ts';
import { createSalesforceConnector, type SalesforceConnectorConfig } from '../connectors/salesforce/connector.ts';
import { createSnapshotConnectors } from '../connectors/snapshot/connector.ts';
import type { Connector } from '../connectors/types.ts';
import { UserError } from './cli/errors.ts';
import { resolveSecret } from './secrets.ts';

export function connectorsFromConfig(config: RunnerConfig, env: NodeJS.ProcessEnv = process.env): Connector[] {
  const c = config.spec.connectors;
  const out: Connector[] = [];
  if (c.snapshot) {
    if (c.genesys || c.salesforce) throw new UserError('config: a snapshot connector cannot be combined with live connectors');
    const snap = createSnapshotConnectors(c.snapshot.dir);
    return [snap.genesys, snap.salesforce];
  }
  if (c.genesys) {
    const g = c.genesys;
    out.push(
      createGenesysConnector({
        apiUrl: g.apiUrl,
        loginUrl: g.loginUrl,
        clientId: resolveSecret(g.clientId, 'genesys.clientId', env),
        clientSecret: resolveSecret(g.clientSecret, 'genesys.clientSecret', env),
        ...(g.rateLimitPerMinute ? { rateLimitPerMinute: g.rateLimitPerMinute } : {}),
        ...(g.concurrency ? { concurrency: g.concurrency } : {}),
      }),
    );
  }
  if (c.salesforce) out.push(createSalesforceConnector(salesforceConfigFrom(config, env)));
  if (out.length === 0) throw new UserError('config: spec.connectors names no system');
  return out;
}

/** The Salesforce connection a runner config names, with its secrets resolved. */
export function salesforceConfigFrom(config: RunnerConfig, env: NodeJS.ProcessEnv = process.env): SalesforceConnectorConfig {
  const s = config.spec.connectors.salesforce;
  if (!s) throw new UserError('config: spec.connectors.salesforce is missing');
  return {
    loginUrl: s.loginUrl,
    apiVersion: s.apiVersion,
    flow: s.flow,
    clientId: resolveSecret(s.clientId, 'salesforce.clientId', env),
    clientSecret: resolveSecret(s.clientSecret, 'salesforce.clientSecret', env),
    ...(s.username ? { username: resolveSecret(s.username, 'salesforce.username', env) } : {}),
    ...(s.password ? { password: resolveSecret(s.password, 'salesforce.password', env) } : {}),
    ...(s.bulkThreshold ? { bulkThreshold: s.bulkThreshold } : {}),
    ...(s.concurrency ? { concurrency: s.concurrency } : {}),
    ...(s.bulkQueryThreshold ? { bulkQueryThreshold: s.bulkQueryThreshold } : {}),
    ...(s.apiBudgetShare ? { apiBudgetShare: s.apiBudgetShare } : {}),
  };
}
