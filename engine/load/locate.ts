/** Maps a path inside a document (`['spec', 'scope', 0, 'when']`) back to its YAML node and position. */
import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { position } from './yaml-file.ts';

export type PathSeg = string | number;

export interface Located {
  /** The value node at the path, or the deepest existing ancestor. */
  node: Node | null;
  /** The key node when the last segment is a map key that exists. */
  key: Node | null;
  /** True when the whole path exists. */
  exact: boolean;
}

export function locate(doc: Document.Parsed, path: readonly PathSeg[]): Located {
  let node: Node | null = doc.contents as Node | null;
  let key: Node | null = null;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return { node, key: null, exact: false };
      key = pair.key as Node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) return { node, key: null, exact: false };
      key = null;
      node = item;
    } else {
      return { node, key: null, exact: false };
    }
  }
  return { node, key, exact: true };
}

/** Line and column of the node at `path` (its key when `atKey`). */
export function positionOf(doc: Document.Parsed, lines: LineCounter, path: readonly PathSeg[], atKey = false): { line: number; col: number } {
  const l = locate(doc, path);
  const target = atKey && l.key ? l.key : (l.node ?? l.key);
  return position(lines, target?.range?.[0] ?? 0);
}

export function dotted(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** JSON pointer (`/spec/scope/0`) to path segments, numbers for array indexes. */
export function fromPointer(pointer: string, value: unknown): PathSeg[] {
  if (!pointer) return [];
  const out: PathSeg[] = [];
  let cur: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(seg);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}
