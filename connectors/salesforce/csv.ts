/**
 * RFC 4180 CSV (quoted fields, doubled quotes, LF or CRLF), shared by the connector's Bulk API 2.0
 * query reader and the emulator's ingest/query routes. Pure: callers decide what an unterminated
 * quoted field means (the connector fails closed, the emulator takes the rest as the field).
 */
export interface CsvParse {
  rows: string[][];
  /** The text ended inside a quoted field. */
  unterminated: boolean;
}

export function parseCsv(text: string, options: { delimiter?: string; skipBlankLines?: boolean } = {}): CsvParse {
  const delimiter = options.delimiter ?? ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  /** The current line has a delimiter or a quote (so `""` alone is a row, a blank line is not). */
  let any = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') {
      quoted = true;
      any = true;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (!options.skipBlankLines || any || field !== '' || row.length > 0) {
        row.push(field);
        rows.push(row);
      }
      row = [];
      field = '';
      any = false;
    } else {
      field += c;
      any = true;
    }
    i++;
  }
  if (any || field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return { rows, unterminated: quoted };
}
