/**
 * Credentials of `lethe serve`: bearer tokens, of which the config holds only SHA-256 hashes (a
 * presented token is hashed and looked up, hashes compared in constant time), and mutual-TLS
 * clients, by the common name of a certificate the TLS layer verified against serve.tls.clientCa.
 * Each may use a set of destinations, may or may not push events and read /metrics, and has its
 * own request rate (a token bucket that never waits: over the rate is a 429).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServeSpec } from '../../engine/schema/config.ts';
import { TokenBucket } from '../limits/token-bucket.ts';

export interface TokenGrant {
  name: string;
  destinations: ReadonlySet<string>;
  push: boolean;
  metrics: boolean;
  bucket: TokenBucket;
}

type Scopes = { name: string; destinations: readonly string[]; push?: boolean; metrics?: boolean; ratePerSecond?: number };

function grantOf(t: Scopes, defaultRatePerSecond: number): TokenGrant {
  const rate = t.ratePerSecond ?? defaultRatePerSecond;
  return { name: t.name, destinations: new Set(t.destinations), push: t.push === true, metrics: t.metrics === true, bucket: new TokenBucket({ ratePerMinute: rate * 60, burst: Math.max(1, Math.ceil(rate)) }) };
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export class TokenTable {
  private readonly byHash: Array<{ hash: Buffer; grant: TokenGrant }>;

  private readonly byCommonName = new Map<string, TokenGrant>();

  constructor(tokens: ServeSpec['tokens'], defaultRatePerSecond: number, clients: ServeSpec['clients'] = []) {
    this.byHash = (tokens ?? []).map((t) => ({ hash: Buffer.from(t.sha256, 'hex'), grant: grantOf(t, defaultRatePerSecond) }));
    for (const c of clients ?? []) this.byCommonName.set(c.commonName, grantOf(c, defaultRatePerSecond));
  }

  /** The grant of a client certificate the TLS layer verified, by its subject common name, or null. */
  authenticateClient(commonName: string | undefined): TokenGrant | null {
    return commonName === undefined ? null : (this.byCommonName.get(commonName) ?? null);
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
