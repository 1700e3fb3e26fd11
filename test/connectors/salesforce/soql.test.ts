import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SalesforceStore } from '../../../connectors/salesforce/emulator/store.ts';
import { prepareSoql } from '../../../connectors/salesforce/emulator/soql/evaluate.ts';
import { SoqlError, tokenize } from '../../../connectors/salesforce/emulator/soql/lexer.ts';
import { parseSoql } from '../../../connectors/salesforce/emulator/soql/parser.ts';
import { EmptyListError, soqlIdList, soqlString } from '../../../connectors/salesforce/soql.ts';

function store(): SalesforceStore {
  const s = new SalesforceStore();
  s.insert('Contact', { FirstName: 'Ann', LastName: 'Lee', Email: 'ann@example.com', Phone: '+15550001', CreatedDate: '2019-01-01T00:00:00.000Z' });
  s.insert('Contact', { FirstName: 'Bob', LastName: "O'Brien", Email: 'bob_x@example.com', CreatedDate: '2020-06-01T00:00:00.000Z' });
  s.insert('Contact', { FirstName: null, LastName: 'Back\\slash', Email: '100%@example.com', CreatedDate: '2021-01-01T00:00:00.000Z', DoNotCall: true });
  return s;
}

function run(s: SalesforceStore, q: string, all = false): Array<Record<string, unknown>> {
  return prepareSoql(q).run(s, { includeDeleted: all, version: '60.0' }).records;
}

const names = (rows: Array<Record<string, unknown>>): unknown[] => rows.map((r) => r.LastName);

describe('SOQL lexer and parser', () => {
  it('decodes every SOQL escape sequence and rejects others', () => {
    const t = tokenize(String.raw`'a\nb\rc\td\be\ff\"g\'h\\i\u0041\N'`)[0]!;
    expect(t.kind === 'string' && t.value).toBe('a\nb\rc\td\be\ff"g\'h\\iA\n');
    expect(() => tokenize(String.raw`'bad\q'`)).toThrow(SoqlError);
    expect(() => tokenize(`'unterminated`)).toThrow(/Unterminated/);
    expect(() => tokenize(String.raw`'\u12'`)).toThrow(SoqlError);
  });

  it('parses fields, relationship paths, WHERE, ORDER BY, LIMIT and OFFSET', () => {
    const q = parseSoql("SELECT Id, Who.Type FROM Task WHERE (Subject = 'x' OR NOT Status != 'y') AND WhoId NOT IN ('a') ORDER BY CreatedDate DESC NULLS FIRST, Id LIMIT 5 OFFSET 2");
    expect(q.fields).toEqual([['Id'], ['Who', 'Type']]);
    expect(q.orderBy).toEqual([
      { path: ['CreatedDate'], direction: 'DESC', nulls: 'FIRST' },
      { path: ['Id'], direction: 'ASC', nulls: 'FIRST' },
    ]);
    expect(q.limit).toBe(5);
    expect(q.offset).toBe(2);
    expect(q.where?.kind).toBe('and');
  });

  it('reports syntax errors as MALFORMED_QUERY', () => {
    for (const bad of ['SELECT FROM Contact', 'SELECT Id Contact', "SELECT Id FROM Contact WHERE Email = 'a' AND", 'SELECT Id FROM Contact LIMIT x', 'SELECT Id FROM Contact WHERE Email ~ 1', "SELECT Id FROM Contact WHERE Email = 'a' extra"]) {
      expect(() => parseSoql(bad), bad).toThrow(expect.objectContaining({ errorCode: 'MALFORMED_QUERY' }));
    }
  });

  it('reports unknown objects and fields', () => {
    expect(() => prepareSoql('SELECT Id FROM Nope')).toThrow(expect.objectContaining({ errorCode: 'INVALID_TYPE' }));
    expect(() => prepareSoql('SELECT Foo FROM Contact')).toThrow(expect.objectContaining({ errorCode: 'INVALID_FIELD' }));
    expect(() => prepareSoql('SELECT Who.Foo FROM Task')).toThrow(expect.objectContaining({ errorCode: 'INVALID_FIELD' }));
    expect(() => prepareSoql("SELECT Id FROM Contact WHERE CreatedDate = '2020-01-01'")).toThrow(expect.objectContaining({ errorCode: 'INVALID_FIELD' }));
  });
});

describe('SOQL evaluation', () => {
  it('compares case-insensitively, with IN, NOT IN, null and date literals', () => {
    const s = store();
    expect(names(run(s, "SELECT LastName FROM Contact WHERE Email = 'ANN@example.com'"))).toEqual(['Lee']);
    expect(names(run(s, "SELECT LastName FROM Contact WHERE LastName IN ('lee', 'o\\'brien') ORDER BY LastName"))).toEqual(['Lee', "O'Brien"]);
    expect(names(run(s, "SELECT LastName FROM Contact WHERE LastName NOT IN ('Lee')"))).toHaveLength(2);
    expect(names(run(s, 'SELECT LastName FROM Contact WHERE FirstName = null'))).toEqual(['Back\\slash']);
    expect(names(run(s, 'SELECT LastName FROM Contact WHERE CreatedDate >= 2020-01-01T00:00:00Z AND DoNotCall = false'))).toEqual(["O'Brien"]);
    expect(names(run(s, "SELECT LastName FROM Contact WHERE LastName = 'Back\\\\slash'"))).toEqual(['Back\\slash']);
    expect(names(run(s, "SELECT LastName FROM Contact WHERE NOT (Email = 'ann@example.com' OR DoNotCall = true)"))).toEqual(["O'Brien"]);
  });

  it('matches LIKE with % and _ and treats \\% and \\_ as literals', () => {
    const s = store();
    expect(names(run(s, "SELECT LastName FROM Contact WHERE Email LIKE '%x@%'"))).toEqual(["O'Brien"]);
    expect(names(run(s, "SELECT LastName FROM Contact WHERE Email LIKE 'bo__x%'"))).toEqual(["O'Brien"]);
    expect(names(run(s, "SELECT LastName FROM Contact WHERE Email LIKE '%\\_%'"))).toEqual(["O'Brien"]);
    expect(names(run(s, "SELECT LastName FROM Contact WHERE Email LIKE '%\\%%'"))).toEqual(['Back\\slash']);
    expect(names(run(s, "SELECT LastName FROM Contact WHERE Email LIKE '1_0\\%@%'"))).toEqual(['Back\\slash']);
  });

  it('orders with NULLS FIRST/LAST, limits, offsets and counts', () => {
    const s = store();
    expect(run(s, 'SELECT FirstName FROM Contact ORDER BY FirstName ASC NULLS LAST').map((r) => r.FirstName)).toEqual(['Ann', 'Bob', null]);
    expect(run(s, 'SELECT FirstName FROM Contact ORDER BY FirstName DESC').map((r) => r.FirstName)).toEqual(['Bob', 'Ann', null]);
    expect(run(s, 'SELECT FirstName FROM Contact ORDER BY CreatedDate LIMIT 1 OFFSET 1').map((r) => r.FirstName)).toEqual(['Bob']);
    expect(prepareSoql('SELECT count() FROM Contact').run(s, { includeDeleted: false, version: '60.0' })).toEqual({ totalSize: 3, records: [] });
  });

  it('nests relationship fields with attributes and hides deleted rows from query only', () => {
    const s = store();
    const [contact] = run(s, "SELECT Id FROM Contact WHERE LastName = 'Lee'");
    const cid = String(contact!.Id);
    s.insert('Task', { WhoId: cid, Subject: 'Call' });
    const [task] = run(s, 'SELECT Id, Who.Type, Who.Name FROM Task');
    expect(task!.Who).toEqual({ attributes: { type: 'Contact', url: `/services/data/v60.0/sobjects/Contact/${cid}` }, Type: 'Contact', Name: 'Ann Lee' });
    expect(task!.attributes).toMatchObject({ type: 'Task' });
    s.softDelete(cid);
    expect(run(s, "SELECT Id FROM Contact WHERE LastName = 'Lee'")).toHaveLength(0);
    expect(run(s, "SELECT Id, IsDeleted FROM Contact WHERE LastName = 'Lee'", true)).toEqual([expect.objectContaining({ IsDeleted: true })]);
    expect(run(s, 'SELECT Id FROM Task')).toHaveLength(0); // cascaded
  });
});

describe('soqlString (the one escaping function)', () => {
  it('escapes quote, backslash and control characters', () => {
    expect(soqlString("x' OR Name != '")).toBe(String.raw`'x\' OR Name != \''`);
    expect(soqlString('a\\b\nc\rd\te"')).toBe(String.raw`'a\\b\nc\rd\te\"'`);
    expect(soqlString('\u0001')).toBe(String.raw`'\u0001'`);
  });

  it('round-trips any string through the SOQL lexer', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const t = tokenize(soqlString(s));
        expect(t).toHaveLength(2);
        expect(t[0]).toMatchObject({ kind: 'string', value: s });
      }),
      { numRuns: 100 },
    );
  });

  it('refuses an empty id list and malformed ids', () => {
    expect(() => soqlIdList([])).toThrow(EmptyListError);
    expect(() => soqlIdList(["003' OR Id != '"])).toThrow();
    expect(soqlIdList(['003000000000001AAA'])).toBe("('003000000000001AAA')");
  });
});
