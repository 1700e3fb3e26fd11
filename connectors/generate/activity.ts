/**
 * What a synthetic person did over the years: contact-centre interactions, CRM activities and
 * consent history. Pure functions of a PRNG and the person's dates.
 */
import type { ConsentEvent, CrmActivity, Interaction } from './world.ts';
import { CRM_SUBJECTS, QUEUES } from './names.ts';
import type { Rng } from './prng.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

type Media = Interaction['mediaType'];

const MEDIA: ReadonlyArray<readonly [Media, number]> = [['voice', 50], ['chat', 20], ['email', 20], ['message', 10]];
const INBOUND: Record<Media, number> = { voice: 0.75, chat: 1, email: 0.7, message: 0.6 };
/** Voice is mostly recorded; chats and e-mails are kept as transcripts. */
const RECORDED: Record<Media, number> = { voice: 0.85, chat: 0.95, email: 0.95, message: 0.6 };
const EVALUATED: Record<Media, number> = { voice: 0.12, chat: 0.08, email: 0.05, message: 0 };
const MINUTES: Record<Media, readonly [number, number]> = { voice: [1, 25], chat: [3, 40], email: [2, 15], message: [1, 60] };

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Uniform instant in [from, to], whole seconds. */
function between(rng: Rng, from: number, to: number): number {
  return Math.floor((from + rng.next() * Math.max(0, to - from)) / 1000) * 1000;
}

export function interactionsFor(
  rng: Rng,
  key: string,
  count: number,
  from: number,
  now: number,
  emails: readonly string[],
  phones: readonly string[],
): Interaction[] {
  const starts: number[] = [];
  for (let i = 0; i < count; i++) starts.push(between(rng, from, now - 3 * 3_600_000));
  starts.sort((a, b) => a - b);
  return starts.map((start, i) => {
    const mediaType = rng.weighted(MEDIA);
    const [lo, hi] = MINUTES[mediaType];
    const recorded = rng.chance(RECORDED[mediaType]);
    return {
      key: `${key}-i${i}`,
      mediaType,
      direction: mediaType === 'chat' || rng.chance(INBOUND[mediaType]) ? 'inbound' : 'outbound',
      start: iso(start),
      end: iso(start + rng.int(lo * 60, hi * 60) * 1000),
      address: mediaType === 'voice' || mediaType === 'message' ? rng.pick(phones) : rng.pick(emails),
      recorded,
      evaluated: recorded && rng.chance(EVALUATED[mediaType]),
      queue: rng.pick(QUEUES[mediaType]),
    };
  });
}

export function crmFor(rng: Rng, key: string, kind: 'contact' | 'lead', from: number, now: number): CrmActivity[] {
  const counts = kind === 'contact' ? { task: rng.count(1.5, 20), event: rng.count(0.4, 6), case: rng.count(0.6, 10) } : { task: rng.count(0.8, 8), event: rng.count(0.2, 3), case: 0 };
  const out: CrmActivity[] = [];
  for (const k of ['task', 'event', 'case'] as const) {
    for (let i = 0; i < counts[k]; i++) {
      out.push({ key: `${key}-${k[0]}${i}`, kind: k, at: iso(between(rng, from, now - MINUTE)), subject: rng.pick(CRM_SUBJECTS[k]) });
    }
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.key < b.key ? -1 : 1));
}

const PURPOSES: ReadonlyArray<readonly [ConsentEvent['purpose'], number]> = [['marketing', 0.65], ['analytics', 0.45], ['third-party', 0.15]];
const MODELS: ReadonlyArray<readonly [ConsentEvent['model'], number]> = [['individual', 30], ['custom-object', 30], ['contact-point-type', 40]];

/**
 * Consent history per purpose: an initial grant (or an explicit opt-out), then withdrawals and
 * re-grants over time; rarely a withdrawal at the very instant of a grant (a tie: withdrawn wins).
 */
export function consentsFor(rng: Rng, from: number, now: number): ConsentEvent[] {
  const model = rng.weighted(MODELS);
  const out: ConsentEvent[] = [];
  for (const [purpose, p] of PURPOSES) {
    const optedOut = rng.chance(0.1);
    if (!optedOut && !rng.chance(p)) continue;
    let at = between(rng, from, Math.min(now - MINUTE, from + 30 * DAY));
    let status: ConsentEvent['status'] = optedOut ? 'withdrawn' : 'granted';
    out.push({ purpose, status, at: iso(at), model });
    if (status === 'granted' && rng.chance(0.003)) {
      out.push({ purpose, status: 'withdrawn', at: iso(at), model });
      continue;
    }
    for (let flips = 0; flips < 4 && rng.chance(status === 'granted' ? 0.35 : 0.15); flips++) {
      at = between(rng, at + DAY, now - MINUTE);
      if (at >= now - MINUTE) break;
      status = status === 'granted' ? 'withdrawn' : 'granted';
      out.push({ purpose, status, at: iso(at), model });
    }
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.purpose < b.purpose ? -1 : a.purpose > b.purpose ? 1 : 0));
}
