/**
 * Errors about snapshot files. The message names the file and line and what is wrong, never the
 * line's content: snapshot lines are personal data.
 */
export class SnapshotError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, what: string) {
    super(line === undefined ? `${file}: ${what}` : `${file}:${line}: ${what}`);
    this.name = 'SnapshotError';
    this.file = file;
    this.line = line;
  }
}
