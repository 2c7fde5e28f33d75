/**
 * Cuts labelled windows from what devices' sensors record, as the engine's tap.
 *
 * Every device keeps a ring buffer of its last window of samples. Windows start on a grid of
 * `hop` seconds; when one is complete it is labelled from what happened to the device inside it
 * (hazard and nuisance exposures, everyday-motion events, the detector firing, the activity) and
 * given a class (positive, hard negative, background) and a hash of (seed, scenario, device,
 * window). Each stratum (label × earthquake phase × detector fired) keeps only the `capacity`
 * candidates with the smallest hashes (a bounded max-heap), so the final selection does not depend
 * on which worker cut what or in which order, and rare labels are not crowded out by common ones.
 * Kept windows are appended to a temporary file (resampled to the dataset rate); their metadata
 * stays in compact arrays.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mix32 } from '../core/random.js';
import { G } from '../core/units.js';
import { resample } from '../core/resample.js';
import type { Runtimes } from '../engine/setup.js';
import type { SensorOutput } from '../engine/simulate.js';
import { Activity } from '../population/mobility.js';
import { LABEL_ID, PRIORITY, classOf, CLASSES, type WindowClass } from './labels.js';

export interface CutterOptions {
  windowS: number;
  hopS: number;
  /** Dataset sample rate, Hz. */
  rateHz: number;
  /** 3 (accelerometer) or 6 (accelerometer + gyroscope). */
  channels: 3 | 6;
  /** Candidates kept per stratum (label × phase × detector fired). */
  capacity: number;
  /** Share of quiet windows considered at all (the rest are skipped unread). */
  backgroundShare: number;
  /** Hazard windows need at least this true hazard acceleration (g) inside the window to be positives; weaker ones are ambiguous and skipped. */
  minSignalG: number;
  /** Key for window hashes. */
  key: number;
  scenario: number;
  tempFile: string;
  /** Skip windows that start before this (detectors and filters settling), s. */
  warmupS: number;
}

/** Metadata of kept candidates, column by column (transferable). */
export interface Candidates {
  count: number;
  /** Windows labelled (whether kept or not). */
  labelled: number;
  hash: Uint32Array;
  device: Int32Array;
  window: Int32Array;
  label: Uint8Array;
  cls: Uint8Array;
  phase: Uint8Array; // 0 none, 1 P, 2 S
  triggered: Uint8Array;
  intensity: Float32Array;
  distanceKm: Float32Array;
  /** Peak true hazard acceleration inside the window, g. */
  peak: Float32Array;
  context: Uint8Array;
  activity: Uint8Array;
  x: Float64Array;
  y: Float64Array;
  /** Byte offset of the window in the temporary file. */
  offset: Float64Array;
  tempFile: string;
}

interface Span {
  kind: string;
  from: number;
  to: number;
  split?: number;
  intensity?: number;
  distanceKm?: number;
}

interface DeviceState {
  fs: number;
  /** Ring of [capacity] samples × (channels + 1), interleaved; the extra one is the true hazard acceleration magnitude. */
  ring: Float32Array;
  cap: number;
  /** Samples written so far (global sample index of the next one). */
  next: number;
  /** First sample index the device produced. */
  first: number;
  /** Next window to consider. */
  nextWindow: number;
  spans: Span[];
}

/** A bounded max-heap of (hash, slot) keeping the smallest hashes; its arrays grow up to the capacity. */
class SmallestK {
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

type Meta = Omit<Candidates, 'count' | 'labelled' | 'tempFile'>;
const META_TYPES = {
  hash: Uint32Array, device: Int32Array, window: Int32Array, label: Uint8Array, cls: Uint8Array, phase: Uint8Array, triggered: Uint8Array,
  intensity: Float32Array, distanceKm: Float32Array, peak: Float32Array, context: Uint8Array, activity: Uint8Array, x: Float64Array, y: Float64Array,
  offset: Float64Array,
} as const;

function allocMeta(n: number, from?: Meta): Meta {
  const m = {} as Record<string, { set(a: ArrayLike<number>): void }>;
  for (const [k, C] of Object.entries(META_TYPES)) {
    const a = new C(n);
    if (from) a.set((from as unknown as Record<string, ArrayLike<number>>)[k]!);
    m[k] = a;
  }
  return m as unknown as Meta;
}

/**
 * Stratum of a window: its label, its phase for earthquakes (P and S windows are kept apart) and
 * whether the detector fired in it (a quiet window that fooled the detector is a hard negative).
 */
export const stratumOf = (label: number, phase: number, triggered: number): number => label * 8 + phase * 2 + triggered;

export class WindowCutter {
  private readonly o: CutterOptions;
  private readonly rt: Runtimes;
  private readonly devices = new Map<number, DeviceState>();
  /** One heap per stratum (label × phase), created when first needed. */
  private readonly heaps = new Map<number, SmallestK>();
  private readonly fd: number;
  private bytes = 0;
  private readonly windowN: number;
  /** Candidate slots (reused after eviction); grows as needed. */
  private meta: Meta = allocMeta(64);
  private readonly free: number[] = [];
  private used = 0;
  private labelled = 0;
  private readonly winBuf: Float32Array;
  /** Window samples of one channel at the device rate (scratch). */
  private col = new Float64Array(0);
  /** Write buffer of the temporary file. */
  private readonly out = new Uint8Array(1 << 20);
  private outUsed = 0;
  private readonly onset: Float64Array;
  private readonly activity: Uint8Array;
  private readonly context: Uint8Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly speed: Float32Array;

  constructor(rt: Runtimes, o: CutterOptions) {
    this.o = o;
    this.rt = rt;
    this.fd = openSync(o.tempFile, 'w');
    this.windowN = Math.round(o.windowS * o.rateHz);
    this.winBuf = new Float32Array(o.channels * this.windowN);
    const c = rt.state.columns;
    this.onset = c.f64('trigger.onset');
    this.activity = c.u8('mob.activity');
    this.context = c.u8('ctx.context');
    this.x = c.f64('gnss.x');
    this.y = c.f64('gnss.y');
    this.speed = c.f32('gnss.speed');
  }

  private state(d: number, fs: number, k0: number): DeviceState {
    let s = this.devices.get(d);
    if (!s) {
      const cap = Math.ceil((this.o.windowS + 2 * this.rt.state.clock.tick) * fs) + 2;
      s = { fs, ring: new Float32Array(cap * (this.o.channels + 1)), cap, next: k0, first: k0, nextWindow: Math.max(0, Math.ceil(this.o.warmupS / this.o.hopS - 1e-9)), spans: [] };
      this.devices.set(d, s);
    }
    return s;
  }

  private addSpan(s: DeviceState, span: Span): void {
    // The same thing again, or continuing (activities arrive tick by tick): extend it.
    for (const x of s.spans) {
      if (x.kind === span.kind && x.from <= span.to && span.from <= x.to) { x.from = Math.min(x.from, span.from); x.to = Math.max(x.to, span.to); return; }
    }
    s.spans.push(span);
  }

  /** The engine's tap: called with every device's sensor output for each tick. */
  tap = (out: SensorOutput): void => {
    const b = out.block, d = out.d;
    const s = this.state(d, b.fs, b.k0);
    const C = this.o.channels, W = C + 1;
    if (C === 6 && !out.gx) throw new Error('gyroscope channels asked for, but this phone has no gyroscope');
    // Append the tick's samples.
    for (let i = 0; i < b.n; i++) {
      const at = ((s.next + i) % s.cap) * W;
      s.ring[at] = out.ax[i]!; s.ring[at + 1] = out.ay[i]!; s.ring[at + 2] = out.az[i]!;
      if (C === 6) { s.ring[at + 3] = out.gx![i]!; s.ring[at + 4] = out.gy![i]!; s.ring[at + 5] = out.gz![i]!; }
      s.ring[at + C] = out.hazard[i]!;
    }
    s.next += b.n;
    // What happened to the device this tick.
    for (const h of this.rt.hazards) {
      const e = h.exposure?.(d, b.t0, b.t1);
      if (e) this.addSpan(s, e);
    }
    const ev = this.rt.motion.currentEvent(d);
    if (ev) this.addSpan(s, ev);
    const onset = this.onset[d]!;
    if (onset > 0 && onset >= b.t0 - 1 && onset < b.t1) this.addSpan(s, { kind: 'triggered', from: onset, to: onset + 1 });
    const act = this.activity[d]!;
    const moving = act === Activity.Walk ? (this.speed[d]! > 2.2 ? 'running' : 'walking') : act === Activity.Drive ? 'driving' : undefined;
    if (moving) this.addSpan(s, { kind: moving, from: b.t0, to: b.t1 });
    // Windows complete by the end of this tick.
    const fs = s.fs, wN = Math.round(this.o.windowS * fs);
    for (;;) {
      const start = s.nextWindow * this.o.hopS;
      const k0 = Math.ceil(start * fs - 1e-6);
      if (k0 + wN > s.next) break;
      if (k0 >= s.first && k0 >= s.next - s.cap) this.window(d, s, s.nextWindow, start, k0, wN);
      s.nextWindow++;
    }
    const horizon = b.t1 - this.o.windowS - 2;
    if (s.spans.length > 8) s.spans = s.spans.filter((x) => x.to > horizon);
  };

  private window(d: number, s: DeviceState, k: number, start: number, k0: number, wN: number): void {
    const end = start + this.o.windowS;
    this.labelled++;
    // Label: the highest-priority thing overlapping the window enough (a quarter of the window, or half of a shorter event).
    let best: Span | undefined, triggered = false, touchesHazard = false;
    for (const x of s.spans) {
      if (x.kind === 'triggered') {
        if (x.from >= start && x.from < end) triggered = true;
        continue;
      }
      const overlap = Math.min(end, x.to) - Math.max(start, x.from);
      if (overlap <= 0) continue;
      if (classOf(x.kind, false) === 'positive') touchesHazard = true;
      if (overlap < Math.min(0.25 * this.o.windowS, 0.5 * (x.to - x.from))) continue;
      if (!best || (PRIORITY[x.kind] ?? 0) > (PRIORITY[best.kind] ?? 0)) best = x;
    }
    const label = best?.kind ?? 'quiet';
    const cls: WindowClass = classOf(label, triggered);
    const C = this.o.channels, W = C + 1;
    let peak = 0;
    for (let i = 0; i < wN; i++) peak = Math.max(peak, s.ring[((k0 + i) % s.cap) * W + C]!);
    peak /= G;
    // A hazard too weak to see in this window, or only grazing it, is neither a positive nor a negative: skip it.
    if (cls === 'positive' ? peak < this.o.minSignalG : touchesHazard) return;
    const ci = CLASSES.indexOf(cls);
    const h = mix32(mix32(this.o.key ^ mix32(this.o.scenario + 0x51ed270b)) ^ mix32(d * 0x9e3779b1 + k)) >>> 0;
    // Quiet windows are most windows: most are skipped unread.
    if (label === 'quiet' && !triggered && h / 4294967296 >= this.o.backgroundShare) return;
    const labelId = LABEL_ID[label]!;
    const phase = label === 'earthquake' && best?.split !== undefined ? ((start + end) / 2 < best.split ? 1 : 2) : 0;
    const stratum = stratumOf(labelId, phase, triggered ? 1 : 0);
    let heap = this.heaps.get(stratum);
    if (!heap) this.heaps.set(stratum, (heap = new SmallestK(this.o.capacity)));
    if (!heap.wants(h)) return;
    // Extract, resample to the dataset rate, store.
    const n = this.windowN;
    if (this.col.length !== wN) this.col = new Float64Array(wN);
    const col = this.col;
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < wN; i++) col[i] = s.ring[((k0 + i) % s.cap) * W + c]!;
      const r = s.fs === this.o.rateHz ? col : resample({ rate: s.fs, values: col }, this.o.rateHz);
      for (let i = 0; i < n; i++) this.winBuf[c * n + i] = r[Math.min(i, r.length - 1)]!;
    }
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (slot >= this.meta.hash.length) this.meta = allocMeta(2 * this.meta.hash.length, this.meta);
    }
    const m = this.meta;
    m.hash[slot] = h; m.device[slot] = d; m.window[slot] = k; m.label[slot] = labelId; m.cls[slot] = ci;
    m.phase[slot] = phase;
    m.triggered[slot] = triggered ? 1 : 0;
    m.intensity[slot] = best?.intensity ?? NaN;
    m.distanceKm[slot] = best?.distanceKm ?? NaN;
    m.peak[slot] = peak;
    m.context[slot] = this.context[d]!;
    m.activity[slot] = this.activity[d]!;
    m.x[slot] = this.x[d]!;
    m.y[slot] = this.y[d]!;
    m.offset[slot] = this.bytes;
    const bytes = new Uint8Array(this.winBuf.buffer, 0, this.winBuf.byteLength);
    if (this.outUsed + bytes.length > this.out.length) this.flush();
    if (bytes.length > this.out.length) writeSync(this.fd, bytes);
    else { this.out.set(bytes, this.outUsed); this.outUsed += bytes.length; }
    this.bytes += bytes.length;
    const evicted = heap.push(h, slot);
    if (evicted >= 0) this.free.push(evicted);
  }

  private flush(): void {
    if (this.outUsed) writeSync(this.fd, this.out, 0, this.outUsed);
    this.outUsed = 0;
  }

  /** Closes the temporary file and returns the kept candidates. */
  finish(): Candidates {
    this.flush();
    closeSync(this.fd);
    const keep: number[] = [];
    for (const heap of this.heaps.values()) for (let i = 0; i < heap.size; i++) keep.push(heap.slot[i]!);
    const pick = <T extends { [k: number]: number; length: number }>(a: T, C: new (n: number) => T): T => {
      const out = new C(keep.length);
      keep.forEach((slot, i) => { out[i] = a[slot]!; });
      return out;
    };
    const m = this.meta;
    return {
      count: keep.length,
      labelled: this.labelled,
      hash: pick(m.hash, Uint32Array), device: pick(m.device, Int32Array), window: pick(m.window, Int32Array), label: pick(m.label, Uint8Array),
      cls: pick(m.cls, Uint8Array), phase: pick(m.phase, Uint8Array), triggered: pick(m.triggered, Uint8Array), intensity: pick(m.intensity, Float32Array),
      distanceKm: pick(m.distanceKm, Float32Array), peak: pick(m.peak, Float32Array), context: pick(m.context, Uint8Array), activity: pick(m.activity, Uint8Array),
      x: pick(m.x, Float64Array), y: pick(m.y, Float64Array), offset: pick(m.offset, Float64Array), tempFile: this.o.tempFile,
    };
  }
}
