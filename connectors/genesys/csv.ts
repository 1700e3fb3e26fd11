/**
 * Strict streaming CSV reader (RFC 4180: `,` separators, `"` quoting with `""` escapes, CRLF or LF
 * line ends). Anything malformed — a quote inside an unquoted field, text after a closing quote,
 * a file ending inside quotes or without its last line end — is an error naming the line.
 */
export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export class CsvReader {
  private field = '';
  private row: string[] = [];
  private quoted = false;
  /** Inside quotes; `afterQuote`: a quote just closed (or is the first of `""`). */
  private inQuotes = false;
  private afterQuote = false;
  private pendingCR = false;
  private line = 1;

  /** Rows completed by this chunk. */
  push(chunk: string): string[][] {
    const out: string[][] = [];
    for (const ch of chunk) {
      if (this.pendingCR) {
        this.pendingCR = false;
        if (ch !== '\n') throw new CsvError(`line ${this.line}: a lone carriage return`);
        continue;
      }
      if (this.inQuotes) {
        if (ch === '"') {
          this.inQuotes = false;
          this.afterQuote = true;
        } else {
          if (ch === '\n') this.line++;
          this.field += ch;
        }
        continue;
      }
      if (this.afterQuote && ch === '"') {
        this.field += '"';
        this.inQuotes = true;
        this.afterQuote = false;
        continue;
      }
      if (ch === ',') {
        this.endField();
      } else if (ch === '\r' || ch === '\n') {
        this.endField();
        out.push(this.row);
        this.row = [];
        this.line++;
        this.pendingCR = ch === '\r';
      } else if (this.afterQuote) {
        throw new CsvError(`line ${this.line}: text after a closing quote`);
      } else if (ch === '"') {
        if (this.field !== '' || this.quoted) throw new CsvError(`line ${this.line}: a quote inside an unquoted field`);
        this.inQuotes = true;
        this.quoted = true;
      } else {
        this.field += ch;
      }
    }
    return out;
  }

  /** Checks the file ended cleanly (after a line end, outside quotes). */
  end(): void {
    if (this.inQuotes) throw new CsvError(`line ${this.line}: the file ends inside a quoted field`);
    if (this.field !== '' || this.quoted || this.row.length > 0) throw new CsvError(`line ${this.line}: the file ends without a line end (cut short?)`);
  }

  private endField(): void {
    this.row.push(this.field);
    this.field = '';
    this.quoted = false;
    this.afterQuote = false;
  }
}
