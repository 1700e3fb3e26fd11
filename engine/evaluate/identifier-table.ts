/**
 * A compact, exact set of identifier strings, each given a dense number (0, 1, 2… in insertion
 * order). For indexes that must remember every identifier of millions of identity records: a
 * `Map<string, number>` keeps each string (a heap object) and a map entry, ~100 bytes per
 * identifier; this keeps the characters in one byte arena and the numbers and hashes in typed
 * arrays, ~44 bytes per identifier, and leaves nothing for the garbage collector to trace.
 *
 * Exact, never hashed down: two identifiers get the same number only when they are equal.
 * Identifiers with a character above U+00FF (rare: they are normalised keys) go to a plain Map.
 */
const EMPTY = 0;

/** FNV-1a of the characters (a non-negative 31-bit number), or -1 when one is above U+00FF. */
function latin1Hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return -1;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return (h ^ (h >>> 15)) & 0x7fffffff;
}

export class IdentifierTable {
  /** Latin-1 characters of every stored identifier, back to back. */
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  /** start[n] to start[n + 1]: where identifier n's characters are (empty for wide ones). */
  private start = new Int32Array(1 << 12);
  private n = 0;
  /** Each identifier's hash (latin1Hash), so probes and growth never re-read characters. */
  private hashes = new Int32Array(1 << 12);
  /** 1 for identifiers kept in `wide`. */
  private isWide = new Uint8Array(1 << 12);
  /** Open addressing (linear probing), identifier number + 1 per slot, load at most 1/2. */
  private slots = new Int32Array(1 << 12);
  private readonly wide = new Map<string, number>();

  /** Number of identifiers stored. */
  get size(): number {
    return this.n;
  }

  /** The identifier's number, or -1 when it was never added. */
  get(s: string): number {
    const h = latin1Hash(s);
    if (h < 0) return this.wide.get(s) ?? -1;
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = this.slots[i]!;
      if (v === EMPTY) return -1;
      if (this.hashes[v - 1] === h && this.equals(v - 1, s)) return v - 1;
    }
  }

  /** The identifier's number, adding it when new (then it is `size - 1`). */
  add(s: string): number {
    const h = latin1Hash(s);
    if (h < 0) {
      const w = this.wide.get(s);
      if (w !== undefined) return w;
      const n = this.push(true, 0);
      this.wide.set(s, n);
      return n;
    }
    let mask = this.slots.length - 1;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const v = this.slots[i]!;
      if (v === EMPTY) break;
      if (this.hashes[v - 1] === h && this.equals(v - 1, s)) return v - 1;
    }
    if ((this.n + 1) * 2 > this.slots.length) {
      this.rehash();
      mask = this.slots.length - 1;
      for (i = h & mask; this.slots[i] !== EMPTY; i = (i + 1) & mask);
    }
    while (this.used + s.length > this.arena.length) this.arena = grow(this.arena, this.arena.length * 2);
    const at = this.used;
    const arena = this.arena;
    for (let k = 0; k < s.length; k++) arena[at + k] = s.charCodeAt(k);
    this.used += s.length;
    const n = this.push(false, h);
    this.slots[i] = n + 1;
    return n;
  }

  /** Registers identifier n, whose characters (if any) end at `used`. */
  private push(wide: boolean, hash: number): number {
    const n = this.n++;
    if (n + 2 > this.start.length) {
      this.start = grow(this.start, this.start.length * 2);
      this.isWide = grow(this.isWide, this.start.length);
      this.hashes = grow(this.hashes, this.start.length);
    }
    this.start[n + 1] = this.used;
    this.hashes[n] = hash;
    if (wide) this.isWide[n] = 1;
    return n;
  }

  private equals(n: number, s: string): boolean {
    if (this.isWide[n] === 1) return false;
    const a = this.start[n]!;
    if (this.start[n + 1]! - a !== s.length) return false;
    const arena = this.arena;
    for (let k = 0; k < s.length; k++) if (arena[a + k] !== s.charCodeAt(k)) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let n = 0; n < this.n; n++) {
      if (this.isWide[n] === 1) continue;
      let i = this.hashes[n]! & mask;
      while (slots[i] !== EMPTY) i = (i + 1) & mask;
      slots[i] = n + 1;
    }
    this.slots = slots;
  }
}

function grow<T extends Uint8Array | Int32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
