/** Test helpers for the issue-16 DSR tests: read a ustar archive, parse a certificate body. */
import type { CertificateBody } from '../../runner/certificate/certificate.ts';

/** Files of a ustar archive (as written by runner/dsr/tar.ts): name -> UTF-8 text. */
export function untar(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (let off = 0; off + 512 <= buf.length; ) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    out.set(name, buf.subarray(off + 512, off + 512 + size).toString('utf8'));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

export type CertBody = CertificateBody;

export function certificateOf(text: string): CertBody {
  return (JSON.parse(text) as { body: CertBody }).body;
}
