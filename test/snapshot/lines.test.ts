import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeLines, readLineBatchesSync } from '../../engine/snapshot/lines.ts';

/** What decodeLines must equal: the whole cut decoded at once, split at `\n`, an empty rest dropped. */
function reference(buf: Buffer, cut: number, from = 0): string[] {
  const lines = buf.toString('utf8', from, cut).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Bytes biased towards newlines, ASCII, valid multi-byte characters and broken sequences. */
const piece = fc.oneof(
  fc.constant(Buffer.from('\n')),
  fc.string({ maxLength: 6 }).map((s) => Buffer.from(s, 'utf8')),
  fc.constantFrom('í', 'ı', 'ß', '€', '😀', '\uFEFF').map((s) => Buffer.from(s, 'utf8')),
  fc.uint8Array({ minLength: 1, maxLength: 4 }).map((a) => Buffer.from(a)),
  fc.constantFrom([0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3], [0xff], [0xed, 0xa0, 0x80]).map((a) => Buffer.from(a)),
);

describe('decodeLines', () => {
  it('gives the same lines as decoding the whole cut at once, for ASCII, multi-byte and malformed bytes', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.nat(), fc.nat(), (pieces, slack, skip) => {
        const bytes = Buffer.concat(pieces);
        // The buffer may be longer than the cut (the splitter's read buffer is), and decoding may
        // start past its beginning (a skipped BOM).
        const buf = Buffer.concat([bytes, Buffer.alloc(slack % 5, 0x41)]);
        const from = Math.min(skip % 4, bytes.length);
        expect(decodeLines(buf, bytes.length, from)).toEqual(reference(buf, bytes.length, from));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps empty lines and a last line without a newline', () => {
    const buf = Buffer.from('a\n\nb\nc');
    expect(decodeLines(buf, buf.length)).toEqual(['a', '', 'b', 'c']);
    const wide = Buffer.from('Lucía\n\nı\nz');
    expect(decodeLines(wide, wide.length)).toEqual(['Lucía', '', 'ı', 'z']);
    expect(decodeLines(Buffer.from('\n'), 1)).toEqual(['']);
  });

  it('skips a BOM at the file start as bytes: a file of only a BOM has no lines', () => {
    const dir = tmpdir();
    const only = join(dir, `lethe-bom-only-${process.pid}.ndjson`);
    writeFileSync(only, Buffer.from([0xef, 0xbb, 0xbf]));
    expect([...readLineBatchesSync(only, 0, 3)]).toEqual([]);
    const two = join(dir, `lethe-bom-two-${process.pid}.ndjson`);
    writeFileSync(two, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"ı"}\n\uFEFFx\n')]));
    // Only the first BOM goes; one inside a later line is content.
    expect([...readLineBatchesSync(two, 0, statSync(two).size)].flatMap((b) => b.lines)).toEqual(['{"a":"ı"}', '\uFEFFx']);
  });
});
