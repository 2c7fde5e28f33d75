/** A bounded max-heap of (hash, slot) pairs that keeps the k smallest hashes: how each stratum of a dataset keeps its candidates whatever order they come in. */
/** Its arrays grow up to the capacity. */
export class SmallestK {
  hash = new Uint32Array(16);
  slot = new Int32Array(16);
  size = 0;
  constructor(readonly capacity: number) {}
  /** Whether a hash would be kept. */
  wants(h: number): boolean {
    return this.size < this.capacity || h < this.hash[0]!;
  }
  /** Inserts (h, slot); returns the evicted slot or −1. */
  push(h: number, slot: number): number {
    if (this.size < this.capacity) {
      if (this.size === this.hash.length) {
        const n = Math.min(this.capacity, 2 * this.size);
        const hh = new Uint32Array(n); hh.set(this.hash); this.hash = hh;
        const ss = new Int32Array(n); ss.set(this.slot); this.slot = ss;
      }
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (this.hash[p]! >= h) break;
        this.hash[i] = this.hash[p]!; this.slot[i] = this.slot[p]!; i = p;
      }
      this.hash[i] = h; this.slot[i] = slot;
      return -1;
    }
    const evicted = this.slot[0]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.hash[r]! > this.hash[l]! ? r : l;
      if (this.hash[c]! <= h) break;
      this.hash[i] = this.hash[c]!; this.slot[i] = this.slot[c]!; i = c;
    }
    this.hash[i] = h; this.slot[i] = slot;
    return evicted;
  }
}

