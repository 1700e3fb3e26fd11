/** The one CSV parser of the Salesforce connector and emulator (connectors/salesforce/csv.ts). */
import { describe, expect, it } from 'vitest';
import { parseCsvRows } from '../../../connectors/salesforce/bulk-query.ts';
import { parseCsv } from '../../../connectors/salesforce/csv.ts';
import { parseCsv as emulatorCsv } from '../../../connectors/salesforce/emulator/http-util.ts';

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, embedded newlines and CRLF', () => {
    expect(parseCsv('Id,Name\r\n"1","a ""b"", c"\n2,"x\ny"\n')).toEqual({ rows: [['Id', 'Name'], ['1', 'a "b", c'], ['2', 'x\ny']], unterminated: false });
  });
  it('keeps or skips blank lines as asked; a quoted empty field alone is a row either way', () => {
    expect(parseCsv('a\n\nb\n').rows).toEqual([['a'], [''], ['b']]);
    expect(parseCsv('a\n\nb\n', { skipBlankLines: true }).rows).toEqual([['a'], ['b']]);
    expect(parseCsv('a\n""', { skipBlankLines: true }).rows).toEqual([['a'], ['']]);
  });
  it('the connector fails closed on an unterminated quoted field; the emulator takes the rest as the field', () => {
    expect(parseCsv('a,"b\n').unterminated).toBe(true);
    expect(() => parseCsvRows('Id\n"1\n')).toThrow(/unterminated quoted field/);
    expect(emulatorCsv('Id|Name\n1|"x\n', '|')).toEqual([['Id', 'Name'], ['1', 'x\n']]);
  });
});
