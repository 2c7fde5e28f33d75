/**
 * Alerts as they reached phones, in the order they were pushed: columns in segments, so a
 * national alert's ten million receipts cost 21 bytes each instead of an object each. Iterating
 * (or `at(i)`) gives Receipt objects.
 */
export interface Receipt {
  device: number;
  event: number;
  seq: number;
  time: number;
  /** Which alert reached the phone: `be-aware`, `take-action`, or `cancel` (the event was withdrawn). */
  tier: 'be-aware' | 'take-action' | 'cancel';
}

export const TIERS = ['be-aware', 'take-action', 'cancel'] as const;
const BITS = 18, SEGMENT = 1 << BITS;

interface Segment { device: Int32Array; event: Int32Array; seq: Int32Array; time: Float64Array; tier: Uint8Array }

export class ReceiptLog implements Iterable<Receipt> {
  private readonly segments: Segment[] = [];
  length = 0;

  push(device: number, event: number, seq: number, time: number, tier: Receipt['tier']): void {
    const s = this.length >> BITS, j = this.length & (SEGMENT - 1);
    // On SharedArrayBuffers: the receipts table is written from the segments by other threads, uncopied.
    if (s === this.segments.length) {
      const buf = (bytes: number) => new SharedArrayBuffer(bytes * SEGMENT);
      this.segments.push({ device: new Int32Array(buf(4)), event: new Int32Array(buf(4)), seq: new Int32Array(buf(4)), time: new Float64Array(buf(8)), tier: new Uint8Array(buf(1)) });
    }
    const g = this.segments[s]!;
    g.device[j] = device; g.event[j] = event; g.seq[j] = seq; g.time[j] = time; g.tier[j] = TIERS.indexOf(tier);
    this.length++;
  }

  /** A column where it is, in its segments (see tables.ts Segments). */
  column(name: keyof Segment): { segments: (Int32Array | Float64Array | Uint8Array)[]; bits: number } {
    return { bits: BITS, segments: this.segments.map((g) => g[name]) };
  }

  at(i: number): Receipt {
    const g = this.segments[i >> BITS]!, j = i & (SEGMENT - 1);
    return { device: g.device[j]!, event: g.event[j]!, seq: g.seq[j]!, time: g.time[j]!, tier: TIERS[g.tier[j]!]! };
  }

  /** Each receipt's device, event, time and tier (its index in TIERS), in order, without an object each (scoring ten million). */
  forEachReceipt(visit: (device: number, event: number, time: number, tier: number) => void): void {
    this.segments.forEach((g, s) => {
      const len = Math.min(SEGMENT, this.length - s * SEGMENT);
      for (let j = 0; j < len; j++) visit(g.device[j]!, g.event[j]!, g.time[j]!, g.tier[j]!);
    });
  }

  *[Symbol.iterator](): Iterator<Receipt> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /** Every receipt as objects (small runs and tests). */
  toArray(): Receipt[] {
    return Array.from(this);
  }

  /** The log as whole columns, freshly made; `tier` indexes TIERS. */
  columns(): Segment {
    const n = this.length, out: Segment = { device: new Int32Array(n), event: new Int32Array(n), seq: new Int32Array(n), time: new Float64Array(n), tier: new Uint8Array(n) };
    this.segments.forEach((g, s) => {
      const from = s * SEGMENT, len = Math.min(SEGMENT, n - from);
      for (const k of ['device', 'event', 'seq', 'time', 'tier'] as const) (out[k] as Float64Array).set((g[k] as Float64Array).subarray(0, len), from);
    });
    return out;
  }
}
