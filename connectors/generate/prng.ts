/**
 * A small seeded PRNG (sfc32) and the draws the generator needs. Never Math.random: the same seed
 * gives the same world. Streams are derived per person from (seed, index, purpose) so one person's
 * draws do not depend on how many draws another person made.
 */

/** 32-bit mix (murmur3 finaliser). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes integers and strings into a 32-bit value, deterministically. */
export function hash32(...parts: Array<number | string>): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    if (typeof p === 'number') {
      const lo = p >>> 0;
      const hi = Math.floor(p / 0x100000000) >>> 0;
      h = mix32(h ^ lo) + 0x632be5ab;
      h = mix32(h ^ hi);
    } else {
      for (let i = 0; i < p.length; i++) h = mix32(h ^ p.charCodeAt(i)) + i;
      h = mix32(h ^ p.length);
    }
  }
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seedParts: Array<number | string>) {
    this.a = hash32(1, ...seedParts);
    this.b = hash32(2, ...seedParts);
    this.c = hash32(3, ...seedParts);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** sfc32: a uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let x = this.next() * total;
    for (const [v, w] of choices) {
      x -= w;
      if (x < 0) return v;
    }
    return choices[choices.length - 1]![0];
  }

  /** Geometric-like count with the given mean (0 allowed), capped. */
  count(mean: number, cap: number): number {
    if (mean <= 0) return 0;
    const p = 1 / (mean + 1);
    let n = 0;
    while (n < cap && !this.chance(p)) n++;
    return n;
  }
}

/** mulberry32: a small, fast, deterministic 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
