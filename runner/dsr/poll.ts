/**
 * Polling that can run any number of times (a daily `dsr-poll` schedule polls everything):
 * a closed request is reported as closed, not as an error; `pollAll` polls every EXECUTING
 * request, each under its own request lock, and carries on past a busy or failing one.
 */
import { UserError } from '../cli/errors.ts';
import type { DsrContext } from './lifecycle.ts';
import { pollStep, type RunnerOptions } from './workflow.ts';
import { isClosed, type StoredRequest } from './types.ts';

export type PollOutcome = { id: string; closed: true; request: StoredRequest } | { id: string; closed: false; request: StoredRequest } | { id: string; error: string };

/** Polls one request under its lock; a closed request is returned as it is (nothing to poll). */
export async function pollOne(ctx: DsrContext, id: string, runner: () => Promise<RunnerOptions>): Promise<PollOutcome> {
  const lock = await ctx.store.lockRequest(id, 'lethe dsr poll');
  try {
    const r = await ctx.store.read(id);
    if (isClosed(r.state)) return { id, closed: true, request: r };
    return { id, closed: false, request: await pollStep(ctx, id, await runner()) };
  } finally {
    await lock.release();
  }
}

/** Polls every EXECUTING request of the store; one outcome per request, errors included. */
export async function pollAll(ctx: DsrContext, runner: () => Promise<RunnerOptions>): Promise<PollOutcome[]> {
  const out: PollOutcome[] = [];
  let shared: Promise<RunnerOptions> | undefined;
  const once = (): Promise<RunnerOptions> => (shared ??= runner());
  for (const r of await ctx.store.list()) {
    // VERIFYING: a verification re-scan that was interrupted is run again.
    if (r.state !== 'EXECUTING' && r.state !== 'VERIFYING') continue;
    try {
      out.push(await pollOne(ctx, r.id, once));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      out.push({ id: r.id, error: err.message });
    }
  }
  return out;
}
