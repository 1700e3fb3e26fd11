/** Small readable plan pairs for the Markdown tests. */
import type { Plan, PlanAction } from '../../engine/plan/types.ts';
import { action, consented, held, makePlan, policy, ref, request } from './factory.ts';

const rec = (id: string) => ref('genesys', 'recording', id);
const task = (id: string) => ref('salesforce', 'task', id);

/**
 * main: recordings kept 7 years (v1.0.0), tasks 3 years; one request executing.
 * PR: recordings kept 5 years (v1.1.0): two more recordings deleted, r1's action re-versioned;
 * task t9 newly held; t1 loses its consent protection and is purged; the request ends PARTIAL_HOLD;
 * the recordings policy now exceeds its blast-radius limit.
 */
export function retentionShortened(): { base: Plan; head: Plan } {
  const rec7 = policy('recordings-7y', '1.0.0');
  const rec5 = policy('recordings-7y', '1.1.0');
  const tasks = policy('tasks-3y');
  const consent = policy('marketing-consent', '1.0.0', 'ConsentPolicy');
  const base = makePlan({
    actions: [action('delete', rec('r1'), rec7), action('delete', task('t2'), tasks), action('delete', task('t9'), tasks)],
    protected: [consented(task('t1'), consent)],
    requests: [request('dsr-1', 'EXECUTING', 2)],
    limits: [{ policy: 'recordings-7y', actions: 1, matched: 100, maxActions: 2, maxPercent: 5, exceeded: false }],
  });
  const head = makePlan({
    actions: [
      action('delete', rec('r1'), rec5),
      action('delete', rec('r2'), rec5),
      action('delete', rec('r3'), rec5),
      action('delete', task('t2'), tasks),
      action('purge', task('t1'), consent),
    ],
    protected: [held(task('t9'), tasks, 'litigation-42')],
    requests: [request('dsr-1', 'PARTIAL_HOLD', 1)],
    needsApproval: true,
    limits: [{ policy: 'recordings-7y', actions: 3, matched: 100, maxActions: 2, maxPercent: 5, exceeded: true }],
    bundleHash: `sha256:${'c'.repeat(64)}`,
  });
  return { base, head };
}

/** `n` delete actions over `policies` policies, ids `prefix-<i>`. */
const bulkCache = new Map<string, PlanAction[]>();

export function bulkActions(n: number, prefix: string, policies = 3): PlanAction[] {
  const key = `${n}/${prefix}/${policies}`;
  const cached = bulkCache.get(key);
  if (cached) return cached;
  const out: PlanAction[] = [];
  bulkCache.set(key, out);
  for (let i = 0; i < n; i++) out.push(action('delete', rec(`${prefix}-${i}`), policy(`policy-${i % policies}`)));
  return out;
}
