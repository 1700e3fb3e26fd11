/** Union-find over dense integer ids (an Int32Array of parents), with path compression. */

/** The root of x's set; compresses the path on the way. */
export function findRoot(parent: Int32Array, x: number): number {
  let r = x;
  while (parent[r] !== r) r = parent[r]!;
  while (parent[x] !== r) {
    const next = parent[x]!;
    parent[x] = r;
    x = next;
  }
  return r;
}
