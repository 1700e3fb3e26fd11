/** Realistic records and policy conditions, shared by the condition tests and the benchmark. */
import type { LetheRecord } from '../../engine/records.ts';

/** Conditions as policies write them (macros included), by a short name. */
export const POLICY_CONDITIONS: Record<string, unknown> = {
  audioRecording: { '==': [{ var: 'fields.mediaType' }, 'audio'] },
  queueOneOf: { in: [{ var: 'fields.queue' }, ['support', 'billing', 'sales', 'complaints', 'retention', 'collections']] },
  voiceOrChatNotFlagged: {
    and: [
      { '==': [{ var: 'type' }, 'conversation'] },
      { in: [{ var: 'fields.mediaType' }, ['voice', 'chat']] },
      { '!': { var: 'fields.flagged' } },
    ],
  },
  createdBetween: { '<=': ['2016-01-01T00:00:00.000Z', { var: 'createdAt' }, '2020-01-01T00:00:00.000Z'] },
  closedLongAgo: {
    and: [{ '!': { missing: ['fields.closedAt'] } }, { olderThan: [{ var: 'fields.closedAt' }, 'P2Y'] }],
  },
  openOrNoStatus: { or: [{ missing: ['fields.status'] }, { '!=': [{ var: 'fields.status' }, 'Closed'] }] },
  hasEmailIdentifier: { some: [{ var: 'identifiers' }, { '==': [{ substr: [{ var: '' }, 0, 6] }, 'email:'] }] },
  linkedToConversation: { some: [{ var: 'links' }, { '==': [{ var: 'type' }, 'conversation'] }] },
  marketingLead: {
    or: [
      { and: [{ '==': [{ var: 'type' }, 'lead'] }, { in: [{ var: 'fields.leadSource' }, ['Web', 'Event', 'Partner']] }] },
      { and: [{ '==': [{ var: 'type' }, 'contact'] }, { '!': { var: 'fields.hasOptedOutOfEmail' } }, { newerThan: [{ var: 'createdAt' }, 'P5Y'] }] },
      { in: ['phone:+44', { var: 'identifiers.0' }] },
    ],
  },
};

/** A small deterministic PRNG (mulberry32), so the same seed gives the same records. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = [
  ['genesys', 'conversation'], ['genesys', 'recording'], ['genesys', 'evaluation'], ['genesys', 'external-contact'],
  ['salesforce', 'contact'], ['salesforce', 'lead'], ['salesforce', 'task'], ['salesforce', 'case'],
] as const;
const QUEUES = ['support', 'billing', 'sales', 'complaints', 'retention', 'collections', 'vip', 'technical'];

/** `count` synthetic records shaped like the connectors' (DESIGN §2); no real personal data. */
export function makeRecords(count: number, seed = 1): LetheRecord[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const date = (from: number, to: number): string => new Date(from + rnd() * (to - from)).toISOString();
  const t2015 = Date.UTC(2015, 0, 1);
  const t2024 = Date.UTC(2024, 0, 1);
  const out: LetheRecord[] = [];
  for (let i = 0; i < count; i++) {
    const [system, type] = pick(TYPES);
    const identifiers: string[] = [];
    if (rnd() < 0.8) identifiers.push(`email:user${i % 997}@example.com`);
    if (rnd() < 0.6) identifiers.push(`phone:+${pick(['44', '1', '49'])}7700${String(i % 10000).padStart(6, '0')}`);
    if (system === 'salesforce') identifiers.push(`sf:003${String(i).padStart(15, '0')}`);
    if (rnd() < 0.5) identifiers.reverse();
    const links = type === 'recording' || type === 'evaluation' ? [{ system, type: 'conversation', id: `c-${i >> 2}` }] : [];
    const fields: Record<string, unknown> = {};
    if (system === 'genesys') {
      fields.mediaType = type === 'recording' ? pick(['audio', 'screen']) : pick(['voice', 'chat', 'email', 'message']);
      fields.direction = pick(['inbound', 'outbound']);
      fields.queue = pick(QUEUES);
      if (rnd() < 0.1) fields.flagged = true;
    } else {
      fields.status = pick(['Open', 'Closed', 'Closed', 'Pending']);
      if (fields.status === 'Closed' && rnd() < 0.8) fields.closedAt = date(t2015, t2024);
      fields.leadSource = pick(['Web', 'Event', 'Partner', 'Phone', '']);
      fields.hasOptedOutOfEmail = rnd() < 0.3;
    }
    out.push({ system, type, id: `${type}-${i}`, createdAt: date(t2015, t2024), identifiers, links, fields });
  }
  return out;
}
