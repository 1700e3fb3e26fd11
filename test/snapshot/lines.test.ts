import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeLines } from '../../engine/snapshot/lines.ts';

/** What decodeLines must equal: the whole cut decoded at once, split at `\n`, an empty rest dropped. */
function reference(buf: Buffer, cut: number): string[] {
  const lines = buf.toString('utf8', 0, cut).split('\n');
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
      fc.property(fc.array(piece, { maxLength: 40 }), fc.nat(), (pieces, slack) => {
        const bytes = Buffer.concat(pieces);
        // The buffer may be longer than the cut (the splitter's read buffer is).
        const buf = Buffer.concat([bytes, Buffer.alloc(slack % 5, 0x41)]);
        expect(decodeLines(buf, bytes.length)).toEqual(reference(buf, bytes.length));
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
});
