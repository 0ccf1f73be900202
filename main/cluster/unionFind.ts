/** Disjoint sets over 0..n-1 with path halving. The caller chooses which root survives a union. */
export class UnionFind {
  readonly parent: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const parent = this.parent;
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }

  /** Makes `root` the root of `child`'s set; both must be roots. */
  attach(child: number, root: number): void {
    this.parent[child] = root;
  }
}
