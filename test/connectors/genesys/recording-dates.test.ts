/**
 * A Genesys recording's retention date is the same on every read path (issue 17): the snapshot's
 * retention listing, the targeted re-read at conversation level (re-verification) and the
 * per-conversation recording metadata (lookup). A real org's recording creationTime differs from
 * its conversation's end by seconds or minutes; if the paths disagreed, re-verification would skip
 * every planned recording as "changed since planning" and retention would never run.
 */
import { describe, expect, it } from 'vitest';
import { recordingFromListing } from '../../../connectors/genesys/bulk-mapping.ts';
import { recordingToRecord } from '../../../connectors/genesys/mapping.ts';
import type { AnalyticsConversation, Recording } from '../../../connectors/genesys/native.ts';

const CID = '11111111-2222-4333-8444-555555555555';
const RID = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const conversation: AnalyticsConversation = {
  conversationId: CID,
  conversationStart: '2019-03-01T10:00:00.000Z',
  conversationEnd: '2019-03-01T10:07:00.000Z',
  originatingDirection: 'inbound',
  divisionIds: [],
  participants: [{ purpose: 'customer', sessions: [{ mediaType: 'voice', recording: true }] }] as unknown as AnalyticsConversation['participants'],
};

describe('Genesys recording dates', () => {
  it('listing (with a later creationTime), targeted re-read (no creationTime) and metadata agree on createdAt', () => {
    const listed = recordingFromListing({ conversationId: CID, recordingId: RID, creationTime: '2019-03-01T10:09:31.000Z' }, conversation);
    const reread = recordingFromListing({ conversationId: CID, recordingId: RID }, conversation);
    const meta = recordingToRecord({ id: RID, conversationId: CID, startTime: '2019-03-01T10:00:02.000Z', creationTime: '2019-03-01T10:09:31.000Z', media: 'audio', fileState: 'AVAILABLE' } as unknown as Recording, conversation);
    expect(listed.createdAt).toBe('2019-03-01T10:07:00.000Z');
    expect(reread.createdAt).toBe(listed.createdAt);
    expect(meta.createdAt).toBe(listed.createdAt);
  });

  it('a conversation that has not ended: the recording’s own creation time', () => {
    const open = { ...conversation, conversationEnd: undefined };
    expect(recordingFromListing({ conversationId: CID, recordingId: RID, creationTime: '2019-03-01T10:01:00.000Z' }, open).createdAt).toBe('2019-03-01T10:01:00.000Z');
  });
});
