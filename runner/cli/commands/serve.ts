/**
 * `lethe serve`: the query-time consent and masking service (runner/serve/). Serves until SIGINT or
 * SIGTERM (finishing requests in flight); SIGHUP reloads the policy folder and the snapshot.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { openApiDocument } from '../../serve/openapi.ts';
import { startServe } from '../../serve/server.ts';
import { createLogger } from '../../log.ts';
import { UserError } from '../errors.ts';
import { formatProblem, hasErrors, loadConfigFile } from '../../../engine/load/index.ts';

export interface ServeCommandOptions {
  config?: string;
  policies?: string;
  snapshot?: string;
  host?: string;
  port?: string;
  writeOpenapi?: string;
}

export async function writeOpenApi(file: string): Promise<void> {
  const doc = await openApiDocument();
  try {
    await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
  } catch (err) {
    throw new UserError(`cannot write ${file}: ${(err as Error).message}`);
  }
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('Serve consent checks, record gating and masking over HTTP at query time, with consent kept current by a live Salesforce feed and pushed events; withdrawals are propagated to destinations with purge endpoints.')
    .option('--config <file>', 'runner config with a `serve` section (tokens, staleness, purge endpoints) and the Salesforce connection for the live feed')
    .option('--policies <dir>', 'policy folder (default: config spec.policies, else `policies`)')
    .option('--snapshot <dir>', 'snapshot holding the consent events and identity records the state starts from (default: config connectors.snapshot.dir)')
    .option('--host <address>', 'address to listen on (default: serve.host, else 127.0.0.1)')
    .option('--port <port>', 'port (default: serve.port, else 8787)')
    .option('--write-openapi <file>', 'write the OpenAPI document to this file and exit')
    .addHelpText(
      'after',
      '\nRoutes: POST /v1/consent/check, POST /v1/consent/events, POST /v1/gate/{destination}, POST /v1/mask/{destination},\n' +
        'GET /healthz, GET /readyz, GET /metrics, GET /openapi.json. Signals: SIGHUP reloads policies and snapshot; SIGINT/SIGTERM stop gracefully.\n' +
        'Credentials: bearer tokens (serve.tokens, stored as SHA-256) or client certificates (serve.tls with clientCa, serve.clients by common name);\n' +
        '  /metrics needs one with metrics: true.\n' +
        'Exit codes: 0 stopped cleanly, 1 bad config/policies/snapshot or cannot listen.\n' +
        'Examples:\n' +
        '  lethe serve --config lethe.yaml --snapshot snap\n' +
        '  lethe serve --write-openapi docs/openapi.json\n',
    )
    .action(async (opts: ServeCommandOptions) => {
      if (opts.writeOpenapi) {
        await writeOpenApi(opts.writeOpenapi);
        return;
      }
      if (!opts.config) throw new UserError('--config is required (a runner config with a serve section)');
      const c = await loadConfigFile(opts.config, { now: new Date().toISOString() });
      if (!c.config || hasErrors(c.problems)) throw new UserError(`config ${opts.config} is not valid:\n${c.problems.filter((p) => p.severity === 'error').map(formatProblem).join('\n')}`);
      const loaded = c.config;
      const configDir = dirname(resolve(opts.config));
      const policies = opts.policies ?? resolve(configDir, loaded.spec.policies ?? 'policies');
      const snapshot = opts.snapshot ?? loaded.spec.connectors.snapshot?.dir;
      if (!snapshot) throw new UserError('--snapshot is required (or connectors.snapshot.dir in the config)');
      let port: number | undefined;
      if (opts.port !== undefined) {
        port = Number(opts.port);
        if (!/^\d+$/.test(opts.port) || port > 65535) throw new UserError(`--port must be a whole number from 0 to 65535 (got ${JSON.stringify(opts.port)})`);
      }
      const logger = createLogger({ name: 'serve' });
      let running;
      try {
        running = await startServe({ config: loaded, configDir, policies, snapshot, ...(opts.host ? { host: opts.host } : {}), ...(port !== undefined ? { port } : {}), logger });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE' || e.code === 'EACCES') throw new UserError(`cannot listen: ${e.message}`);
        throw err;
      }
      const serving = running;
      logger.info({ url: serving.url }, 'lethe serve ready');
      process.on('SIGHUP', () => {
        serving.reload().catch((err: unknown) => logger.error({ err: { type: (err as Error).name, message: err instanceof UserError ? err.message : 'reload failed' } }, 'reload failed; still serving the previous state'));
      });
      await new Promise<void>((done) => {
        const stop = (signal: NodeJS.Signals): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          logger.info({ signal }, 'stopping: finishing requests in flight');
          serving.close().then(done, done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
