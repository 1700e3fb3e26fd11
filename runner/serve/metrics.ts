/** Prometheus metrics of `lethe serve` (prom-client), on a registry of their own. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServeMetrics {
  registry: Registry;
  decisions: Counter<'endpoint' | 'destination' | 'allowed'>;
  records: Counter<'endpoint' | 'destination' | 'outcome'>;
  duration: Histogram<'route'>;
  polls: Counter<'outcome'>;
  feedEvents: Counter;
  identityChanges: Counter<'applied'>;
  purges: Counter<'destination' | 'outcome'>;
  /** duration.observe for a route, through a child kept per route (no label hashing per request). */
  observeDuration(route: string, seconds: number): void;
  /** decisions.inc for a check: counted in a plain number per label set, added to the counter when it is read. */
  countDecision(destination: string, allowed: boolean): void;
}

export function createMetrics(gauges: { stateAgeSeconds: () => number; purgesOverdue: () => number; purgesPending: () => number; consentEvents: () => number }): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lethe_serve_' });
  const durationChildren = new Map<string, { observe(v: number): void }>();
  // Checks counted per destination and outcome since the counter was last read (prom-client's inc
  // hashes the label set on every call).
  type Pending = { labels: { endpoint: 'check'; destination: string; allowed: string }; n: number };
  const allowedCounts = new Map<string, Pending>();
  const blockedCounts = new Map<string, Pending>();
  const m: ServeMetrics = {
    observeDuration(route, seconds) {
      let c = durationChildren.get(route);
      if (!c) durationChildren.set(route, (c = m.duration.labels({ route })));
      c.observe(seconds);
    },
    countDecision(destination, allowed) {
      const byDestination = allowed ? allowedCounts : blockedCounts;
      let c = byDestination.get(destination);
      if (!c) {
        c = { labels: { endpoint: 'check', destination, allowed: String(allowed) }, n: 0 };
        byDestination.set(destination, c);
      }
      c.n++;
    },
    registry,
    decisions: new Counter({
      name: 'lethe_serve_decisions_total',
      help: 'Consent checks answered, by destination (or purpose:<name>) and outcome.',
      labelNames: ['endpoint', 'destination', 'allowed'],
      registers: [registry],
      collect() {
        for (const counts of [allowedCounts, blockedCounts]) {
          for (const c of counts.values()) {
            if (c.n > 0) this.inc(c.labels, c.n);
            c.n = 0;
          }
        }
      },
    }),
    records: new Counter({ name: 'lethe_serve_records_total', help: 'NDJSON records gated or masked, by outcome (passed, blocked, dropped).', labelNames: ['endpoint', 'destination', 'outcome'], registers: [registry] }),
    duration: new Histogram({ name: 'lethe_serve_request_duration_seconds', help: 'Request latency by route.', labelNames: ['route'], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5], registers: [registry] }),
    polls: new Counter({ name: 'lethe_serve_feed_polls_total', help: 'Consent feed polls by outcome.', labelNames: ['outcome'], registers: [registry] }),
    feedEvents: new Counter({ name: 'lethe_serve_feed_events_total', help: 'Consent events received from the feed and pushes.', registers: [registry] }),
    identityChanges: new Counter({ name: 'lethe_serve_feed_identity_changes_total', help: 'Identity records (Salesforce contacts, leads) the feed saw change, by how they were applied (joined now, or by a rebuild of the state).', labelNames: ['applied'], registers: [registry] }),
    purges: new Counter({ name: 'lethe_serve_purges_total', help: 'Purge sends by destination and outcome (sent, acknowledged, failed).', labelNames: ['destination', 'outcome'], registers: [registry] }),
  };
  new Gauge({ name: 'lethe_serve_consent_state_age_seconds', help: 'Age of the consent state (time since the feed last read every source).', registers: [registry], collect() { this.set(gauges.stateAgeSeconds()); } });
  new Gauge({ name: 'lethe_serve_consent_events', help: 'Consent events in the state.', registers: [registry], collect() { this.set(gauges.consentEvents()); } });
  new Gauge({ name: 'lethe_serve_purges_pending', help: 'Purge requests not yet acknowledged.', registers: [registry], collect() { this.set(gauges.purgesPending()); } });
  new Gauge({ name: 'lethe_serve_purges_overdue', help: 'Purge requests unacknowledged past their SLA.', registers: [registry], collect() { this.set(gauges.purgesOverdue()); } });
  return m;
}
