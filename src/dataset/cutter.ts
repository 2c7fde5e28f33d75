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
import { mix32 } from '../core/random.js';
import { G } from '../core/units.js';
import { resample } from '../core/resample.js';
import type { Runtimes } from '../engine/setup.js';
import type { SensorOutput } from '../engine/simulate.js';
import { Activity } from '../population/mobility.js';
import { LABEL_ID, classOf, CLASSES, type WindowClass } from './labels.js';
import { SmallestK } from './smallest-k.js';
import { CandidateSlots, stratumOf, type Candidates } from './candidates.js';
import { addSpan, labelWindow, type Span } from './window-label.js';
import { WindowFile } from './window-file.js';

export { stratumOf, type Candidates } from './candidates.js';

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

export class WindowCutter {
  private readonly o: CutterOptions;
  private readonly rt: Runtimes;
  private readonly devices = new Map<number, DeviceState>();
  /** One heap per stratum (label × phase), created when first needed. */
  private readonly heaps = new Map<number, SmallestK>();
  private readonly file: WindowFile;
  private readonly windowN: number;
  /** Candidate slots (reused after eviction). */
  private readonly slots = new CandidateSlots();
  private labelled = 0;
  private readonly winBuf: Float32Array;
  /** Window samples of one channel at the device rate (scratch). */
  private col = new Float64Array(0);
  private readonly onset: Float64Array;
  private readonly activity: Uint8Array;
  private readonly context: Uint8Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly speed: Float32Array;

  constructor(rt: Runtimes, o: CutterOptions) {
    this.o = o;
    this.rt = rt;
    this.file = new WindowFile(o.tempFile);
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
      if (e) addSpan(s.spans, e);
    }
    const ev = this.rt.motion.currentEvent(d);
    if (ev) addSpan(s.spans, ev);
    const onset = this.onset[d]!;
    if (onset > 0 && onset >= b.t0 - 1 && onset < b.t1) addSpan(s.spans, { kind: 'triggered', from: onset, to: onset + 1 });
    const act = this.activity[d]!;
    const moving = act === Activity.Walk ? (this.speed[d]! > 2.2 ? 'running' : 'walking') : act === Activity.Drive ? 'driving' : undefined;
    if (moving) addSpan(s.spans, { kind: moving, from: b.t0, to: b.t1 });
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
    const { best, label, triggered, touchesHazard } = labelWindow(s.spans, start, this.o.windowS);
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
    const slot = this.slots.take();
    const m = this.slots.meta;
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
    m.offset[slot] = this.file.append(new Uint8Array(this.winBuf.buffer, 0, this.winBuf.byteLength));
    const evicted = heap.push(h, slot);
    if (evicted >= 0) this.slots.release(evicted);
  }

  /** Closes the temporary file and returns the kept candidates. */
  finish(): Candidates {
    this.file.close();
    const keep: number[] = [];
    for (const heap of this.heaps.values()) for (let i = 0; i < heap.size; i++) keep.push(heap.slot[i]!);
    return this.slots.pick(keep, this.labelled, this.o.tempFile);
  }
}
