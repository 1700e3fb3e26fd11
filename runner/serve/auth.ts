/**
 * Bearer tokens of `lethe serve`: the config holds only SHA-256 hashes; a presented token is hashed
 * and looked up (hashes compared in constant time). Each token may use a set of destinations and
 * has its own request rate (a token bucket that never waits: over the rate is a 429).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServeSpec } from '../../engine/schema/config.ts';
import { TokenBucket } from '../limits/token-bucket.ts';

export interface TokenGrant {
  name: string;
  destinations: ReadonlySet<string>;
  push: boolean;
  bucket: TokenBucket;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export class TokenTable {
  private readonly byHash: Array<{ hash: Buffer; grant: TokenGrant }>;

  constructor(tokens: ServeSpec['tokens'], defaultRatePerSecond: number) {
    this.byHash = tokens.map((t) => {
      const rate = t.ratePerSecond ?? defaultRatePerSecond;
      return {
        hash: Buffer.from(t.sha256, 'hex'),
        grant: { name: t.name, destinations: new Set(t.destinations), push: t.push === true, bucket: new TokenBucket({ ratePerMinute: rate * 60, burst: Math.max(1, Math.ceil(rate)) }) },
      };
    });
  }

  /** Recently presented valid headers (tokens are in this process's memory anyway); bounded. */
  private readonly recent = new Map<string, TokenGrant>();

  /** The grant of an `Authorization` header value, or null. */
  authenticate(header: string | undefined): TokenGrant | null {
    if (!header) return null;
    const hit = this.recent.get(header);
    if (hit) return hit;
    const grant = this.lookup(header);
    if (grant) {
      if (this.recent.size >= 1024) this.recent.clear();
      this.recent.set(header, grant);
    }
    return grant;
  }

  private lookup(header: string): TokenGrant | null {
    if (!/^Bearer\s+\S+$/i.test(header)) return null;
    const presented = Buffer.from(sha256Hex(header.replace(/^Bearer\s+/i, '').trim()), 'hex');
    let found: TokenGrant | null = null;
    for (const t of this.byHash) if (timingSafeEqual(t.hash, presented)) found = t.grant;
    return found;
  }
}

export function mayUse(grant: TokenGrant, destination: string): boolean {
  return grant.destinations.has('*') || grant.destinations.has(destination);
}
