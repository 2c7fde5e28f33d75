/**
 * Every monitoring phone's sliding windows scored by an ONNX model: a window ends every `hop`
 * seconds (on a grid shared by all phones) and the model says how likely it holds the hazard. The
 * expensive path, for models that must see everything; its cost is the budget view's upper bound.
 *
 * The trigger logic runs on the main thread as the scores come back, in time order: the first window
 * at or above the threshold sends a `trigger` (at the window's end plus `decision_delay`), further
 * positive windows send `update`s when the peak amplitude grew, and `off_windows` negative windows
 * in a row end the trigger with a last update.
 */
import * as z from 'zod';
import { duration, filePath } from '../plugin/fields.js';
import type { DetectorCoordinator, DetectorPlugin, DetectorRuntime, DetectorSink, ResolvedDetector, SensorBlock, DetectorContext, TriggerMessage, WindowRequest } from '../plugin/index.js';
import type { ModelInfo } from './model.js';
import { WindowCapture, captureColumns } from './window-capture.js';
import { modelFiles, modelThreshold, prepareModel } from './two-stage.js';

export const onnxWindowSchema = z.strictObject({
  type: z.literal('onnx-window'),
  model: filePath().describe('ONNX model (its sidecar JSON sits beside it), relative to the scenario file.'),
  threshold: z.number().min(0).max(1).optional().describe('Probability at or above which a window counts as positive (default: the sidecar\'s threshold).'),
  hop: duration({ positive: true }).default(1).describe('A window ends every hop seconds.'),
  off_windows: z.number().int().positive().default(2).describe('Negative windows in a row that end a trigger.'),
  decision_delay: duration({ min: 0 }).default(0.05).describe('Time the phone takes to run the model before it can send, s.'),
  update_every: duration({ positive: true }).default(1).describe('Shortest gap between two messages of one trigger, s.'),
  update_growth: z.number().min(0).default(0.1).describe('Relative growth of the peak amplitude that warrants an update (0.1: 10 %).'),
});

export type OnnxWindowConfig = z.output<typeof onnxWindowSchema>;

class OnnxWindowRuntime implements DetectorRuntime {
  private readonly capture: WindowCapture;
  private readonly model: ModelInfo;
  /** Index of the next window end on the hop grid. */
  private readonly nextEnd: Float64Array;

  constructor(private readonly c: OnnxWindowConfig, det: ResolvedDetector, ctx: DetectorContext) {
    this.model = det.model!;
    this.capture = new WindowCapture(this.model, ctx.columns, ctx.prefix);
    this.nextEnd = ctx.columns.f64(ctx.prefix + 'next_end');
  }

  reset(d: number): void {
    this.capture.reset(d);
    this.nextEnd[d] = 0;
  }

  process(d: number, b: SensorBlock, out: DetectorSink): void {
    this.capture.append(d, b);
    const fs = b.fs, wN = Math.round(this.model.windowS * fs), hop = this.c.hop;
    let j = Math.max(this.nextEnd[d]!, Math.ceil((b.k0 / fs) / hop - 1e-9));
    for (;; j++) {
      const k1 = Math.ceil(j * hop * fs - 1e-6), k0 = k1 - wN;
      if (k1 > this.capture.nextSample(d)) break;
      if (!this.capture.holds(d, k0, k1)) continue;
      const data = new Float32Array(this.model.channels.length * this.model.samples);
      this.capture.cut(d, k0, fs, data);
      const end = k1 / fs;
      out.submit({
        device: d, time: end, data,
        message: { device: d, kind: 'trigger', time: end, deviceTime: end, onsetDeviceTime: end, amplitude: this.capture.lastPeak, ratio: 0, x: 0, y: 0, monitoring: 1 },
      });
    }
    this.nextEnd[d] = j;
  }
}

class OnnxWindowCoordinator implements DetectorCoordinator {
  private readonly threshold: number;
  private readonly c: OnnxWindowConfig;
  private readonly on: Uint8Array;
  private readonly onset: Float64Array;
  private readonly peak: Float32Array;
  private readonly best: Float32Array;
  private readonly sentPeak: Float32Array;
  private readonly lastSent: Float64Array;
  private readonly negatives: Uint8Array;

  constructor(det: ResolvedDetector, devices: number) {
    this.threshold = modelThreshold(det);
    this.c = det.config as OnnxWindowConfig;
    this.on = new Uint8Array(devices);
    this.onset = new Float64Array(devices);
    this.peak = new Float32Array(devices);
    this.best = new Float32Array(devices);
    this.sentPeak = new Float32Array(devices);
    this.lastSent = new Float64Array(devices);
    this.negatives = new Uint8Array(devices);
  }

  resolve(windows: readonly WindowRequest[], scores: Float32Array): TriggerMessage[] {
    const out: TriggerMessage[] = [];
    const c = this.c, delay = c.decision_delay;
    windows.forEach((w, i) => {
      const d = w.device, p = scores[i]!, m = w.message;
      const send = (kind: 'trigger' | 'update') => {
        out.push({ ...m, kind, time: m.time + delay, deviceTime: m.deviceTime + delay, onsetDeviceTime: this.onset[d]!, amplitude: this.peak[d]!, ratio: this.best[d]!, score: this.best[d]! });
        this.lastSent[d] = m.time + delay;
        this.sentPeak[d] = this.peak[d]!;
      };
      if (p >= this.threshold) {
        this.negatives[d] = 0;
        if (!this.on[d]) {
          this.on[d] = 1;
          this.onset[d] = m.deviceTime;
          this.peak[d] = m.amplitude;
          this.best[d] = p;
          send('trigger');
          return;
        }
        if (m.amplitude > this.peak[d]!) this.peak[d] = m.amplitude;
        if (p > this.best[d]!) this.best[d] = p;
        if (this.peak[d]! > this.sentPeak[d]! * (1 + c.update_growth) && m.time + delay - this.lastSent[d]! >= c.update_every) send('update');
      } else if (this.on[d] && ++this.negatives[d]! >= c.off_windows) {
        this.on[d] = 0;
        this.negatives[d] = 0;
        send('update');
      }
    });
    return out;
  }
}

export const onnxWindow: DetectorPlugin<OnnxWindowConfig> = {
  type: 'onnx-window',
  summary: 'Scores every window of the phone\'s signal with an ONNX model on the inference pool',
  reads: [],
  /** Resampling into the window costs about one multiply–add per channel sample; the model runs every hop. */
  cost: (det) => ({ macsPerSample: det.model!.channels.length, windowsPerSecond: 1 / (det.config as OnnxWindowConfig).hop }),
  schema: onnxWindowSchema,
  files: modelFiles,
  prepare: prepareModel,
  columns: (det, _rows, phones, tick) => [
    ...captureColumns(det.model!, Math.max(...phones.map((p) => p.accelerometer.rate_hz)), tick),
    { name: 'next_end', type: 'f64' },
  ],
  needsGyro: (det) => det.model!.channelIndex.some((i) => i >= 3),
  create: (det, ctx) => new OnnxWindowRuntime(det.config as OnnxWindowConfig, det, ctx),
  coordinator: (det, ctx) => new OnnxWindowCoordinator(det, ctx.devices),
};
