/**
 * Is a full read of the external contacts complete, although contacts were created and deleted
 * while it ran (issue 17)? One rule for the bulk export and the cursor scan.
 *
 * Before the read, the listing's `total` T0 is taken, with the server's `Date` header of that
 * answer; `since` = that date − 1 s is a moment no later than the one T0 counts (the header is
 * truncated to the second; the listing answers in well under a second). The read then counts its
 * *old* contacts: those with a `createDate` before `since`. Every old contact existed when T0 was
 * counted, so old ≤ T0 always; the read is accepted only when old = T0: then every contact that
 * existed when the read began is in it. What this proves, and what it cannot:
 * - contacts **created** during the read are tolerated: present (extra rows, `createDate` ≥
 *   `since`) or absent (created after the read passed them: the next read has them);
 * - a contact created within the second before T0 is counted by T0 but not as old: the read fails
 *   (retried next run) — the rule never guesses on the side of a shorter list;
 * - a contact **deleted** during the read, before the read reached it, leaves old < T0, and no
 *   count can tell it from a contact the read lost: the world "Y deleted, X kept" and the world
 *   "Y lost, X deleted after the read passed it" give the same T0, the same rows and the same total
 *   afterwards. Telling them apart needs the ids of the deleted contacts (an audit query), so such a
 *   read fails closed (the error gives the totals before and after) and the next run reads again;
 * - old > T0 (a contact the listing did not count, or an id the read invented) fails too;
 * - without a `Date` header there is no `since`: every contact counts as old and the read must hold
 *   exactly T0 contacts, as before churn was tolerated.
 */
import type { GenesysHttp } from './http.ts';
import type { ExternalContact } from './native.ts';
import { IncompleteReadError } from './reads.ts';

const LISTING = '/api/v2/externalcontacts/contacts';
/** How much earlier than the answer's `Date` header the counted moment may be (header truncated to the second). */
const DATE_SLACK_MS = 1000;

/** The org's contact count before a full read, and the moment it holds for. */
export interface ContactCensus {
  total: number;
  /** ms since the epoch (server clock); undefined when the answer had no `Date` header. */
  since?: number;
}

/** One call: the listing's `total` and the server's `Date` of the answer. */
export async function contactCensus(http: GenesysHttp): Promise<ContactCensus> {
  const head = await http.request<{ total?: number }>('GET', LISTING, { query: { pageSize: 1 }, label: LISTING });
  const total = head.body?.total;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) throw new IncompleteReadError(`${LISTING}: no total in the answer`);
  const date = head.headers['date'];
  const at = typeof date === 'string' ? Date.parse(date) : Number.NaN;
  return Number.isFinite(at) ? { total, since: at - DATE_SLACK_MS } : { total };
}

/** Counts a read's contacts against the census (ids are de-duplicated by the caller). */
export class ContactTally {
  private old = 0;
  private fresh = 0;

  readonly census: ContactCensus;

  constructor(census: ContactCensus) {
    this.census = census;
  }

  add(c: ExternalContact): void {
    if (this.isOld(c)) this.old++;
    else this.fresh++;
  }

  /** Would these further contacts (not yet added) leave none of the census's contacts unread? */
  completedBy(more: readonly ExternalContact[]): boolean {
    return this.old + more.filter((c) => this.isOld(c)).length >= this.census.total;
  }

  /** The read holds exactly the census's contacts (plus any created since): `check` passes. */
  exact(): boolean {
    return this.old === this.census.total;
  }

  /** Throws unless the read holds exactly the census's contacts, plus any created since. `after`: the total read afterwards (for the message). */
  check(where: string, after?: number): void {
    const { total, since } = this.census;
    const counted = since === undefined ? 'contacts' : `contacts created before ${new Date(since).toISOString()}`;
    if (this.old > total) throw new IncompleteReadError(`${where}: read ${this.old} ${counted}, but the listing counted ${total} then`);
    if (this.old < total) {
      const now = after === undefined ? '' : `; it counts ${after} now`;
      throw new IncompleteReadError(
        `${where}: ${total - this.old} of the ${total} contacts the listing counted before the read are missing${now} ` +
          '(a contact deleted during the read cannot be told from one the read lost: the next run reads again)',
      );
    }
  }

  /** Contacts read that were created since the census (`createDate` at or after `since`). */
  get created(): number {
    return this.fresh;
  }

  private isOld(c: ExternalContact): boolean {
    if (this.census.since === undefined) return true;
    const t = Date.parse(c.createDate);
    // No usable createDate: not counted as old, so it can never hide a missing contact.
    return Number.isFinite(t) && t < this.census.since;
  }
}
