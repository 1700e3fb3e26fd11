/** The Salesforce connection a `spec.connectors.salesforce` block names, with its secrets resolved. */
import type { Static } from '@sinclair/typebox';
import type { RateBudget } from '../budget.ts';
import type { SecretResolver } from '../capabilities.ts';
import type { SalesforceConnectorConfig } from './connector.ts';
import type { SalesforceConnector } from './facts.ts';

export function salesforceConnection(raw: unknown, secret: SecretResolver, budget?: RateBudget): SalesforceConnectorConfig {
  const s = raw as Static<typeof SalesforceConnector>;
  return {
    loginUrl: s.loginUrl,
    apiVersion: s.apiVersion,
    flow: s.flow,
    clientId: secret(s.clientId, 'salesforce.clientId'),
    clientSecret: secret(s.clientSecret, 'salesforce.clientSecret'),
    ...(s.username ? { username: secret(s.username, 'salesforce.username') } : {}),
    ...(s.password ? { password: secret(s.password, 'salesforce.password') } : {}),
    ...(s.bulkThreshold ? { bulkThreshold: s.bulkThreshold } : {}),
    ...(s.concurrency ? { concurrency: s.concurrency } : {}),
    ...(s.bulkQueryThreshold ? { bulkQueryThreshold: s.bulkQueryThreshold } : {}),
    ...(s.apiBudgetShare ? { apiBudgetShare: s.apiBudgetShare } : {}),
    ...(budget ? { budget } : {}),
  };
}
