/**
 * Many strings sent between threads as one text and their lengths. Structured cloning copies one
 * string instead of thousands (each with its own header and allocation), and the receiver gets
 * slices of one string: V8 makes a slice of 13 characters or more a small view of its parent, so
 * the thousands of action texts a plan keeps are views the garbage collector moves cheaply, not
 * 650-byte strings it copies from space to space.
 */
import type { ActionEntry } from '../plan/collect.ts';

export interface Packed {
  text: string;
  lengths: number[];
}

export class Packer {
  private parts: string[] = [];
  private lengths: number[] = [];

  get size(): number {
    return this.parts.length;
  }

  push(s: string): void {
    this.parts.push(s);
    this.lengths.push(s.length);
  }

  /** The strings pushed since the last take(), packed; the packer is empty again. */
  take(): Packed {
    const p = { text: this.parts.join(''), lengths: this.lengths };
    this.parts = [];
    this.lengths = [];
    return p;
  }
}

/** The strings of a Packed, in order. */
export function unpack(p: Packed): string[] {
  const out = new Array<string>(p.lengths.length);
  let at = 0;
  for (let i = 0; i < p.lengths.length; i++) {
    const n = p.lengths[i]!;
    out[i] = p.text.slice(at, at + n);
    at += n;
  }
  if (at !== p.text.length) throw new Error(`packed strings: lengths add up to ${at}, the text has ${p.text.length} characters`);
  return out;
}

/**
 * The actions of a batch (ActionEntry fields): their JSON, their target ids and action ids (two
 * per action), and per action an index into a table of the few distinct [system, type, op,
 * policy, request, counterRequest] tuples.
 */
export interface PackedActions {
  json: Packed;
  ids: Packed;
  kind: number[];
  kinds: string[][];
}

/** Builds PackedActions. */
export class ActionPacker {
  private json = new Packer();
  private ids = new Packer();
  private kind: number[] = [];
  private kinds: string[][] = [];
  private kindIndex = new Map<string, number>();

  get size(): number {
    return this.kind.length;
  }

  push(e: ActionEntry): void {
    // Consecutive actions mostly share their kind: compared with the last one before any lookup.
    const last = this.kinds[this.kind[this.kind.length - 1] ?? -1];
    let k: number | undefined;
    if (last && last[0] === e.system && last[1] === e.type && last[2] === e.op && last[3] === e.policy && last[4] === e.request && last[5] === e.counterRequest) {
      k = this.kind[this.kind.length - 1]!;
    } else {
      const parts = [e.system, e.type, e.op, e.policy, e.request, e.counterRequest];
      const key = JSON.stringify(parts);
      k = this.kindIndex.get(key);
      if (k === undefined) {
        k = this.kinds.length;
        this.kinds.push(parts);
        this.kindIndex.set(key, k);
      }
    }
    this.kind.push(k);
    this.json.push(e.json);
    this.ids.push(e.id);
    this.ids.push(e.actionId);
  }

  take(): PackedActions {
    const p = { json: this.json.take(), ids: this.ids.take(), kind: this.kind, kinds: this.kinds };
    this.kind = [];
    this.kinds = [];
    this.kindIndex = new Map();
    return p;
  }
}

/** The ActionEntries of PackedActions (parallel.ts). */
export function unpackActions(p: PackedActions): ActionEntry[] {
  const json = unpack(p.json);
  const ids = unpack(p.ids);
  const out = new Array<ActionEntry>(json.length);
  for (let i = 0; i < json.length; i++) {
    const k = p.kinds[p.kind[i]!]!;
    out[i] = { system: k[0]!, type: k[1]!, id: ids[2 * i]!, op: k[2] as ActionEntry['op'], policy: k[3]!, request: k[4]!, actionId: ids[2 * i + 1]!, counterRequest: k[5]!, json: json[i]! };
  }
  return out;
}
