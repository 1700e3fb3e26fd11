/** Several consent feeds polled together (runner/serve/feeds.ts): merged in order; a failure is returned, never hides the others' events. */
import { describe, expect, it } from 'vitest';
import type { ConsentFeed, FeedPoll } from '../../connectors/capabilities.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { pollFeeds } from '../../runner/serve/feeds.ts';

const rec = (system: string, id: string): LetheRecord => ({ system, type: 'consent', id, createdAt: '2026-01-01T00:00:00.000Z', identifiers: [`email:${id}@x.test`], links: [], fields: {} });
const feed = (poll: FeedPoll | Error): ConsentFeed & { polls: number } => {
  const f = {
    polls: 0,
    poll: async (): Promise<FeedPoll> => {
      f.polls++;
      if (poll instanceof Error) throw poll;
      return poll;
    },
  };
  return f;
};

describe('pollFeeds', () => {
  it('merges every feed in order and reports no failure when all succeed', async () => {
    const a = feed({ records: [rec('a', '1')], identities: [rec('a', 'i')], deleted: ['a/contact/x'], rows: 3 });
    const b = feed({ records: [rec('b', '2')], identities: [], deleted: [], rows: 1 });
    const got = await pollFeeds([a, b]);
    expect(got.failure).toBeNull();
    expect(got.poll.records.map((r) => r.id)).toEqual(['1', '2']);
    expect(got.poll).toMatchObject({ deleted: ['a/contact/x'], rows: 4 });
    expect(got.poll.identities).toHaveLength(1);
  });

  it('a failing feed does not stop the others; its error is returned (the first one)', async () => {
    const boom = new Error('partial page');
    const a = feed(boom);
    const b = feed({ records: [rec('b', '2')], identities: [], deleted: [], rows: 1 });
    const c = feed(new Error('later'));
    const got = await pollFeeds([a, b, c]);
    expect(got.failure).toBe(boom);
    expect(got.poll.records.map((r) => r.id)).toEqual(['2']);
    expect([a.polls, b.polls, c.polls]).toEqual([1, 1, 1]);
  });

  it('no feeds: nothing read, no failure', async () => {
    expect(await pollFeeds([])).toEqual({ poll: { records: [], identities: [], deleted: [], rows: 0 }, failure: null });
  });
});
