/**
 * Every external contact of the org (issue 17). Above `contactExportThreshold` contacts, one bulk
 * export (`POST /api/v2/externalcontacts/contacts/exports`, polled until SUCCEEDED, its CSV file
 * read from `downloadUrl`) replaces the cursor scan's one call per 200 contacts; below it, and as
 * the fallback when the export is not permitted (403), FAILS twice or does not complete within
 * `jobMaxPolls` polls, the scan — the reason is kept in `ctx.notes` for the run's output.
 *
 * Fail closed: the file must parse, hold every column the mapping needs, one row per contact with
 * a unique id, and exactly as many rows as the export's `resultRowCount`; and against the census
 * taken just before the export (contact-census.ts, the same rule as the scan's) it must hold every
 * contact that existed then — contacts created while the export ran may be in it or not; a contact
 * deleted meanwhile cannot be told from a lost one and fails the read. Anything else is an error,
 * never a shorter list. Rows become the same `ExternalContact` the scan returns for the fields the
 * record uses (mapping.ts `contactToRecord`).
 */
import { contactCensus, ContactTally, type ContactCensus } from './contact-census.ts';
import { isStatus, type ConnectorContext } from './context.ts';
import { CsvError, CsvReader } from './csv.ts';
import { sleep } from './limiter.ts';
import { CONTACT_EXPORT_COLUMNS, type ContactsExport, type ExternalContact, type PhoneNumber } from './native.ts';
import { afterTotal, IncompleteReadError, scanContacts } from './reads.ts';

export const EXPORTS = '/api/v2/externalcontacts/contacts/exports';
/** Submissions of an export that ends FAILED before falling back to the scan. */
const EXPORT_ATTEMPTS = 2;
/** Contacts yielded per page from the file. */
const PAGE = 1000;

type Column = (typeof CONTACT_EXPORT_COLUMNS)[number];

/** Every external contact, page by page: by bulk export above the threshold, else by scan. */
export async function* allContacts(ctx: ConnectorContext): AsyncGenerator<ExternalContact[]> {
  const census = await contactCensus(ctx.http);
  if (census.total < ctx.contactExportThreshold) return yield* scanContacts(ctx.http, ctx.scanLimit, census);
  const ready = await exportReady(ctx);
  if (typeof ready === 'string') {
    ctx.notes.push(`genesys: external contacts read by the cursor scan: ${ready}`);
    return yield* scanContacts(ctx.http, ctx.scanLimit, await contactCensus(ctx.http));
  }
  yield* readExportFile(ctx, ready, census);
}

/** A SUCCEEDED export, or why there is none (the caller falls back to the scan). */
async function exportReady(ctx: ConnectorContext): Promise<ContactsExport | string> {
  for (let attempt = 1; ; attempt++) {
    let created: ContactsExport;
    try {
      created = (await ctx.http.request<ContactsExport>('POST', EXPORTS, { body: {}, label: EXPORTS })).body;
    } catch (e) {
      if (isStatus(e, 403)) return 'the bulk export is not permitted (403: externalContacts:export:add and :view needed)';
      throw e;
    }
    if (typeof created?.id !== 'string' || !created.id) throw new IncompleteReadError(`POST ${EXPORTS}: no export id in the answer`);
    let done: ContactsExport | undefined;
    try {
      done = await waitForExport(ctx, created);
    } catch (e) {
      if (isStatus(e, 403)) return 'the bulk export is not permitted (403: externalContacts:export:view needed)';
      throw e;
    }
    if (done === undefined) return `the bulk export did not complete within ${ctx.jobMaxPolls} status polls`;
    if (done.status === 'SUCCEEDED') return done;
    if (attempt >= EXPORT_ATTEMPTS) return `the bulk export ended ${done.status} ${EXPORT_ATTEMPTS} times`;
  }
}

/** Polls until SUCCEEDED or FAILED (backing off up to `jobPollMs`); undefined after `jobMaxPolls`. */
async function waitForExport(ctx: ConnectorContext, created: ContactsExport): Promise<ContactsExport | undefined> {
  if (created.status === 'SUCCEEDED' || created.status === 'FAILED') return created;
  let delay = Math.min(25, ctx.jobPollMs);
  for (let i = 0; i < ctx.jobMaxPolls; i++) {
    await sleep(delay);
    delay = Math.min(ctx.jobPollMs, delay * 2);
    const { body } = await ctx.http.request<ContactsExport>('GET', `${EXPORTS}/${encodeURIComponent(created.id)}`, { label: `${EXPORTS}/{exportId}` });
    if (body?.status === 'SUCCEEDED' || body?.status === 'FAILED') return body;
  }
  return undefined;
}

/**
 * Reads the export file: streamed, checked row by row and counted at the end. The download is a
 * pre-signed storage link (no bearer token, not an API call against the rate limit).
 */
async function* readExportFile(ctx: ConnectorContext, done: ContactsExport, census: ContactCensus): AsyncGenerator<ExternalContact[]> {
  const where = `contact export ${done.id}`;
  const expected = done.resultRowCount;
  if (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 0) throw new IncompleteReadError(`${where}: SUCCEEDED without a resultRowCount`);
  const tally = new ContactTally(census);
  if (typeof done.downloadUrl !== 'string' || !/^https?:\/\//.test(done.downloadUrl)) throw new IncompleteReadError(`${where}: SUCCEEDED without a downloadUrl`);
  const res = await fetch(done.downloadUrl);
  if (!res.ok || !res.body) throw new IncompleteReadError(`${where}: the file download failed with HTTP ${res.status}`);
  const csv = new CsvReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const seen = new Set<string>();
  let header: Map<Column, number> | undefined;
  let width = 0;
  let page: ExternalContact[] = [];
  const take = (rows: string[][]): void => {
    for (const r of rows) {
      if (!header) {
        header = headerOf(r, where);
        width = r.length;
        continue;
      }
      if (r.length !== width) throw new IncompleteReadError(`${where}: row ${seen.size + 1} has ${r.length} fields, the header ${width}`);
      const c = contactOf(r, header);
      if (!c.id) throw new IncompleteReadError(`${where}: row ${seen.size + 1} has no id`);
      if (seen.has(c.id)) throw new IncompleteReadError(`${where}: contact ${c.id} is listed twice`);
      seen.add(c.id);
      tally.add(c);
      page.push(c);
    }
  };
  try {
    for await (const chunk of res.body) {
      take(csv.push(decoder.decode(chunk as Uint8Array, { stream: true })));
      if (page.length >= PAGE) {
        yield page;
        page = [];
      }
    }
    take(csv.push(decoder.decode()));
    csv.end();
  } catch (e) {
    if (e instanceof CsvError || e instanceof TypeError) throw new IncompleteReadError(`${where}: the file is not valid CSV (${e.message})`);
    throw e;
  }
  if (!header) throw new IncompleteReadError(`${where}: the file is empty (no header)`);
  if (seen.size !== expected) throw new IncompleteReadError(`${where}: the file holds ${seen.size} contacts, resultRowCount ${expected}`);
  if (!tally.exact()) tally.check(where, await afterTotal(ctx.http));
  if (page.length > 0) yield page;
}

function headerOf(row: string[], where: string): Map<Column, number> {
  const at = new Map<Column, number>();
  row.forEach((name, i) => {
    if ((CONTACT_EXPORT_COLUMNS as readonly string[]).includes(name)) {
      if (at.has(name as Column)) throw new IncompleteReadError(`${where}: column ${name} appears twice`);
      at.set(name as Column, i);
    }
  });
  const missing = CONTACT_EXPORT_COLUMNS.filter((c) => !at.has(c));
  if (missing.length > 0) {
    throw new IncompleteReadError(`${where}: the file lacks the columns ${missing.join(', ')} (raise connectors.genesys.contactExportThreshold above the org's contact count to read contacts by scan)`);
  }
  return at;
}

/** One row as the `ExternalContact` fields the record uses; an empty cell is an absent field. */
function contactOf(r: string[], at: Map<Column, number>): ExternalContact {
  const v = (c: Column): string | undefined => {
    const s = r[at.get(c)!];
    return s === undefined || s === '' ? undefined : s;
  };
  const c: ExternalContact = { id: v('id') ?? '', createDate: v('createDate') ?? '', modifyDate: v('modifyDate') ?? '' };
  for (const f of ['firstName', 'lastName', 'workEmail', 'personalEmail', 'otherEmail'] as const) {
    const x = v(f);
    if (x !== undefined) c[f] = x;
  }
  const type = v('type');
  if (type !== undefined) c.type = type as ExternalContact['type'];
  for (const f of ['workPhone', 'cellPhone', 'homePhone', 'otherPhone'] as const) {
    const e164 = v(`${f}.e164`);
    const display = v(`${f}.display`);
    if (e164 === undefined && display === undefined) continue;
    const p: PhoneNumber = { display: display ?? '' };
    if (e164 !== undefined) p.e164 = e164;
    c[f] = p;
  }
  const canon = v('canonicalContact.id');
  if (canon !== undefined) c.canonicalContact = { id: canon };
  const merge = v('mergeSet.ids');
  if (merge !== undefined) c.mergeSet = merge.split(';').map((id) => ({ id }));
  return c;
}
