/**
 * The last seconds of each phone's samples, kept for a model: a ring per device (in shared columns)
 * of the channels the model reads, at the phone's rate, long enough for one model window plus one
 * tick. Windows are cut on demand and brought to the model's rate with the same zero-phase
 * low-pass and interpolation `hazardsim dataset` uses, so a model sees on the phone exactly what
 * it was trained on.
 */
import type { ColumnSpec } from '../core/columns.js';
import type { Columns } from '../plugin/columns.js';
import { resample } from '../core/resample.js';
import type { SensorBlock } from '../plugin/index.js';
import type { ModelInfo } from './model.js';

/** Samples the ring holds for phones up to `maxFs`. */
export const ringSamples = (model: Pick<ModelInfo, 'windowS'>, maxFs: number, tick: number): number =>
  Math.ceil(model.windowS * maxFs) + Math.ceil(tick * maxFs) + 2;

export function captureColumns(model: Pick<ModelInfo, 'windowS' | 'channels'>, maxFs: number, tick: number): ColumnSpec[] {
  return [
    { name: 'ring', type: 'f32', width: ringSamples(model, maxFs, tick) * model.channels.length },
    /** Sample index (at the phone's rate) of the next sample to write, and of the first one held since the last reset; −1 when empty. */
    { name: 'ring_next', type: 'f64', fill: -1 },
    { name: 'ring_first', type: 'f64', fill: -1 },
  ];
}

export class WindowCapture {
  private readonly ring: Float32Array;
  private readonly next: Float64Array;
  private readonly first: Float64Array;
  private readonly C: number;
  private readonly cap: number;
  private readonly col: Float64Array[] = [];
  /** Peak dynamic acceleration (norm of each sample's deviation from the window mean) of the last window cut, m/s². */
  lastPeak = 0;

  constructor(private readonly model: ModelInfo, columns: Columns, prefix: string) {
    this.ring = columns.f32(prefix + 'ring');
    this.next = columns.f64(prefix + 'ring_next');
    this.first = columns.f64(prefix + 'ring_first');
    this.C = model.channels.length;
    this.cap = this.ring.length / columns.rows / this.C;
  }

  reset(d: number): void {
    this.next[d] = -1;
    this.first[d] = -1;
  }

  /** Appends a block's samples of the model's channels (the ring is channel-major: one run per channel). */
  append(d: number, b: SensorBlock): void {
    if (this.next[d] !== b.k0) this.first[d] = b.k0; // first block, or a gap: start over
    const C = this.C, cap = this.cap, base = d * cap * C;
    const at = b.k0 % cap, head = Math.min(b.n, cap - at);
    for (let c = 0; c < C; c++) {
      const ci = this.model.channelIndex[c]!;
      const s = ci === 0 ? b.ax : ci === 1 ? b.ay : ci === 2 ? b.az : ci === 3 ? b.gx : ci === 4 ? b.gy : b.gz;
      if (!s) throw new Error(`model ${this.model.path} reads ${this.model.channels[c]}, which this phone does not provide`);
      const row = base + c * cap;
      this.ring.set(s.subarray(0, head), row + at);
      if (head < b.n) this.ring.set(s.subarray(head, b.n), row);
    }
    this.next[d] = b.k0 + b.n;
  }

  /** Sample index of the next sample to come (−1 before any). */
  nextSample(d: number): number {
    return this.next[d]!;
  }

  /** Whether samples [k0, k1) are all held. */
  holds(d: number, k0: number, k1: number): boolean {
    return this.first[d]! >= 0 && k0 >= this.first[d]! && k1 <= this.next[d]! && k0 >= this.next[d]! - this.cap;
  }

  /**
   * Writes the window of the model's length that starts at sample k0 (phone rate fs) into `out`
   * ([channels][samples] at the model's rate). The caller checks `holds` first.
   */
  cut(d: number, k0: number, fs: number, out: Float32Array, outOffset = 0): void {
    const m = this.model, C = this.C, cap = this.cap, base = d * cap * C;
    const wN = Math.round(m.windowS * fs), S = m.samples;
    for (let c = 0; c < C; c++) {
      let col = this.col[c];
      if (!col || col.length !== wN) this.col[c] = col = new Float64Array(wN);
      const row = base + c * cap;
      for (let i = 0, p = k0 % cap; i < wN; i++, p = p + 1 === cap ? 0 : p + 1) col[i] = this.ring[row + p]!;
      const r = fs === m.rateHz ? col : resample({ rate: fs, values: col }, m.rateHz);
      for (let i = 0; i < S; i++) out[outOffset + c * S + i] = r[Math.min(i, r.length - 1)]!;
    }
    // Peak of the accelerometer's deviation from its window mean (the amplitude a message reports).
    const acc = m.channelIndex.map((ci, c) => (ci < 3 ? c : -1)).filter((c) => c >= 0);
    let peak = 0;
    if (acc.length) {
      const mean = acc.map((c) => this.col[c]!.reduce((a, v) => a + v, 0) / wN);
      for (let i = 0; i < wN; i++) {
        let q = 0;
        acc.forEach((c, j) => { const v = this.col[c]![i]! - mean[j]!; q += v * v; });
        if (q > peak) peak = q;
      }
    }
    this.lastPeak = Math.sqrt(peak);
  }
}
