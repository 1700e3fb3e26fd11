/** The OpenAPI document of `lethe serve`, generated from the routes' TypeBox schemas. */
import { emptyBundle } from '../../engine/bundle.ts';
import { createMaskContext } from '../../engine/masking/index.ts';
import { createLogger } from '../log.ts';
import { buildApp } from './app.ts';
import { TokenTable } from './auth.ts';
import { createMetrics } from './metrics.ts';
import { ConsentState, viewOf } from './state.ts';

export async function openApiDocument(): Promise<unknown> {
  const state = new ConsentState(viewOf(emptyBundle(), [], [], '2000-01-01T00:00:00.000Z'), { maxStalenessMs: 0, freshAtMs: 0 });
  const app = await buildApp({
    state,
    tokens: new TokenTable([], 1),
    metrics: createMetrics({ stateAgeSeconds: () => 0, purgesOverdue: () => 0, purgesPending: () => 0, consentEvents: () => 0 }),
    mask: createMaskContext(new Map()),
    logger: createLogger({ level: 'silent', destination: { write: () => true } as never }),
    bodyLimit: 1024,
    streamLimit: 1024,
  });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return doc;
}
