/**
 * The live consent feeds of `lethe serve`: one per configured system whose plugin offers
 * `consentFeed` (connectors/capabilities.ts), polled together. Each feed is complete or throws and
 * advances its own cursors only on success, so the events of the feeds that succeeded are applied
 * even when another failed; the failure is returned, and the poll does not count as fresh.
 */
import type { ConsentFeed, FeedPoll } from '../../connectors/capabilities.ts';

export type Feeds = readonly ConsentFeed[];

/** Polls every feed in order; the merged result and the first failure (null when all succeeded). */
export async function pollFeeds(feeds: Feeds): Promise<{ poll: FeedPoll; failure: unknown }> {
  const poll: FeedPoll = { records: [], identities: [], deleted: [], rows: 0 };
  let failure: unknown = null;
  for (const feed of feeds) {
    try {
      const got = await feed.poll();
      poll.records.push(...got.records);
      poll.identities.push(...got.identities);
      poll.deleted.push(...got.deleted);
      poll.rows += got.rows;
    } catch (err) {
      failure ??= err;
    }
  }
  return { poll, failure };
}
