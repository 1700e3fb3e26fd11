/**
 * A hand-made request history for the DPO report tests (stored requests as the store keeps them,
 * built by the intake's own buildRequest, then moved to their states by hand):
 *
 * - March 2026: three received (A, B, C); A and B closed in March (10 and 20 days, on time);
 *   C (received 1 Mar, due 31 Mar) still open, so overdue at the end of March.
 * - D: received 20 Feb, extended on 10 Mar (due 22 Mar -> 22 May), open: never overdue at a month end.
 * - E: received 10 Jan, due 9 Feb, closed late on 20 Feb (41 days): closed in February, not on time.
 * - F: received 5 Jan (due 4 Feb), extended only on 15 Feb to 4 Apr: overdue on 10 Feb; rejected
 *   on 25 Feb (51 days, on time by the extended date).
 * C's discovery saw a hold record with conflicting fields whose case reference is hostile markup.
 */
import { buildRequest } from '../../runner/dsr/intake.ts';
import type { StoredRequest } from '../../runner/dsr/types.ts';
import type { DsrState } from '../../engine/schema/index.ts';
import { KEY } from '../engine/fixtures.ts';

export const HOSTILE_CASE = '<img src=x onerror="window.__pwned=3">LH-1';

function request(key: string, receivedAt: string, state: DsrState, extra: Partial<StoredRequest> = {}): StoredRequest {
  const r = buildRequest({ type: key === 'E' ? 'access' : 'erasure', emails: [`${key.toLowerCase()}.subject@mail.test`], receivedAt }, { hmacKey: KEY, actor: 'dpo@example.com', now: () => new Date(receivedAt) });
  return { ...r, state, ...extra };
}

export function dsrHistory(): Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', StoredRequest> {
  return {
    A: request('A', '2026-03-02T09:00:00.000Z', 'COMPLETE', { closedAt: '2026-03-12T09:00:00.000Z' }),
    B: request('B', '2026-03-05T09:00:00.000Z', 'COMPLETE', { closedAt: '2026-03-25T09:00:00.000Z' }),
    C: request('C', '2026-03-01T00:00:00.000Z', 'DPO_REVIEW', {
      discovery: { at: '2026-03-02T00:00:00.000Z', found: 7, flagged: 0, held: 1, holdConflicts: [{ hold: 'record:salesforce/a0B5g00000LpQ2xEAF', caseRef: HOSTILE_CASE, conflict: 'active-but-expired' }] },
    }),
    D: request('D', '2026-02-20T00:00:00.000Z', 'EXECUTING', {
      dueAt: '2026-05-22T00:00:00.000Z',
      extension: { reason: 'many systems', by: 'P2M', previousDueAt: '2026-03-22T00:00:00.000Z', at: '2026-03-10T00:00:00.000Z', actor: 'dpo@example.com' },
    }),
    E: request('E', '2026-01-10T00:00:00.000Z', 'COMPLETE', { closedAt: '2026-02-20T00:00:00.000Z' }),
    F: request('F', '2026-01-05T00:00:00.000Z', 'REJECTED', {
      dueAt: '2026-04-04T00:00:00.000Z',
      extension: { reason: 'complex', by: 'P2M', previousDueAt: '2026-02-04T00:00:00.000Z', at: '2026-02-15T00:00:00.000Z', actor: 'dpo@example.com' },
      closedAt: '2026-02-25T00:00:00.000Z',
      rejection: { basis: 'GDPR Art. 12(5)(b): manifestly unfounded', at: '2026-02-25T00:00:00.000Z', actor: 'dpo@example.com' },
    }),
  };
}
