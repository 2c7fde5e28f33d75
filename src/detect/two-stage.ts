/**
 * Two-stage detection, as MyShake runs its neural network only after a trigger: a cheap gate
 * (STA/LTA or amplitude) runs on every sample; when it fires, the phone keeps the window around the
 * onset (`pre` seconds before it, the model's length in all) and hands it to an ONNX classifier.
 * Only if the model's probability reaches the threshold does the phone send its trigger (at the
 * window's end plus `decision_delay`, with the gate's onset, peak and ratio and the model's score);
 * the gate's later updates follow only for confirmed triggers. Inference load follows the gate's
 * trigger rate, not the number of phones.
 */
import * as z from 'zod';
import { InputError } from '../core/errors.js';
import { duration, filePath } from '../plugin/fields.js';
import type {
  DetectorCoordinator, DetectorPlugin, DetectorRuntime, DetectorSink, ResolvedDetector, SensorBlock, DetectorContext, TriggerMessage, WindowRequest,
} from '../plugin/index.js';
import { StaLtaRuntime, staLtaColumns, staLtaSchema, type StaLtaConfig } from './sta-lta.js';
import { AmplitudeRuntime, AMPLITUDE_COLUMNS, amplitudeSchema, type AmplitudeConfig } from './amplitude.js';
import { loadModel, type ModelInfo } from './model.js';
import { WindowCapture, captureColumns } from './window-capture.js';

export const twoStageSchema = z.strictObject({
  type: z.literal('two-stage'),
  gate: z.discriminatedUnion('type', [staLtaSchema, amplitudeSchema]).describe('The cheap first stage.'),
  model: filePath().describe('ONNX model (its sidecar JSON sits beside it), relative to the scenario file.'),
  threshold: z.number().min(0).max(1).optional().describe('Probability at or above which the phone sends its trigger (default: the sidecar\'s threshold).'),
  pre: duration({ min: 0 }).optional().describe('The window starts this long before the gate\'s onset, s (default: half the model\'s window).'),
  decision_delay: duration({ min: 0 }).default(0.05).describe('Time the phone takes to run the model before it can send, s.'),
});

export type TwoStageConfig = z.output<typeof twoStageSchema>;

/** The threshold a model-based detector uses. */
export function modelThreshold(det: ResolvedDetector): number {
  const t = (det.config.threshold as number | undefined) ?? det.model?.threshold;
  if (t === undefined || t === null) throw new InputError(det.model?.sidecarPath ?? det.field, { path: 'threshold', message: `expected a threshold in the sidecar or ${det.field}.threshold, found none` });
  return t;
}

/** Reads and checks a detector's model (shared by the model-based detectors). */
export const modelFiles = (config: { model: string }) => [{ field: 'model', path: config.model }];
export const prepareModel = (config: { threshold?: number }, files: Record<string, string>, where: { file: string; field: string }): Pick<ResolvedDetector, 'model'> => {
  const model = loadModel(files['model']!);
  if (config.threshold === undefined && model.threshold === null) {
    throw new InputError(where.file, { path: `${where.field}.threshold`, message: `expected a threshold: the model's sidecar ${model.sidecarPath} has none` });
  }
  return { model };
};

class TwoStageRuntime implements DetectorRuntime {
  private readonly gate: StaLtaRuntime | AmplitudeRuntime;
  private readonly capture: WindowCapture;
  private readonly model: ModelInfo;
  private readonly pre: number;
  /** Pending capture: the window's first sample (phone rate) and the gate's onset; −1 when none. */
  private readonly capStart: Float64Array;
  private readonly capOnset: Float64Array;
  private pendingTrigger: TriggerMessage | undefined;
  private readonly gateSink: DetectorSink;
  private out: DetectorSink | undefined;

  constructor(c: TwoStageConfig, det: ResolvedDetector, ctx: DetectorContext) {
    const gateCtx = { ...ctx, prefix: ctx.prefix + 'gate.' };
    this.gate = c.gate.type === 'sta-lta' ? new StaLtaRuntime(c.gate as StaLtaConfig, gateCtx) : new AmplitudeRuntime(c.gate as AmplitudeConfig, gateCtx);
    this.model = det.model!;
    this.capture = new WindowCapture(this.model, ctx.columns, ctx.prefix);
    this.pre = c.pre ?? this.model.windowS / 2;
    this.capStart = ctx.columns.f64(ctx.prefix + 'cap_start');
    this.capOnset = ctx.columns.f64(ctx.prefix + 'cap_onset');
    this.gateSink = {
      emit: (m) => {
        if (m.kind === 'trigger') this.pendingTrigger = m; // held until the model has spoken
        else this.out!.emit(m); // updates: the coordinator keeps those of confirmed triggers
      },
      submit: () => { throw new Error('a gate does not submit windows'); },
    };
  }

  reset(d: number): void {
    this.gate.reset(d);
    this.capture.reset(d);
    this.capStart[d] = -1;
  }

  process(d: number, b: SensorBlock, out: DetectorSink): void {
    this.capture.append(d, b);
    this.out = out;
    this.pendingTrigger = undefined;
    this.gate.process(d, b, this.gateSink);
    const wN = Math.round(this.model.windowS * b.fs);
    const trig = this.pendingTrigger as TriggerMessage | undefined;
    if (trig && this.capStart[d]! < 0) {
      this.capStart[d] = Math.ceil((trig.onsetDeviceTime - this.pre) * b.fs - 1e-6);
      this.capOnset[d] = trig.onsetDeviceTime;
    }
    const k0 = this.capStart[d]!;
    if (k0 < 0 || k0 + wN > this.capture.nextSample(d)) return;
    this.capStart[d] = -1;
    if (!this.capture.holds(d, k0, k0 + wN)) return; // the phone had not been monitoring long enough
    const data = new Float32Array(this.model.channels.length * this.model.samples);
    this.capture.cut(d, k0, b.fs, data);
    const end = (k0 + wN) / b.fs;
    const { amplitude, ratio } = this.gate.peakOf(d);
    out.submit({
      device: d, time: end, data,
      message: { device: d, kind: 'trigger', time: end, deviceTime: end, onsetDeviceTime: this.capOnset[d]!, amplitude, ratio, x: 0, y: 0, monitoring: 1 },
    } satisfies WindowRequest);
  }
}

/** Main thread: sends the triggers the model confirms and the gate updates that follow them. */
class TwoStageCoordinator implements DetectorCoordinator {
  private readonly threshold: number;
  private readonly delay: number;
  private readonly confirmedOnset: Float64Array;
  private readonly confirmedAt: Float64Array;

  constructor(det: ResolvedDetector, devices: number) {
    this.threshold = modelThreshold(det);
    this.delay = (det.config as TwoStageConfig).decision_delay;
    this.confirmedOnset = new Float64Array(devices).fill(NaN);
    this.confirmedAt = new Float64Array(devices);
  }

  resolve(windows: readonly WindowRequest[], scores: Float32Array): TriggerMessage[] {
    const out: TriggerMessage[] = [];
    windows.forEach((w, i) => {
      const p = scores[i]!;
      if (!(p >= this.threshold)) return;
      const m = { ...w.message, time: w.message.time + this.delay, deviceTime: w.message.deviceTime + this.delay, score: p };
      this.confirmedOnset[w.device] = w.message.onsetDeviceTime;
      this.confirmedAt[w.device] = m.time;
      out.push(m);
    });
    return out;
  }

  keep(m: TriggerMessage): boolean {
    if (m.kind !== 'update') return true;
    return Math.abs(m.onsetDeviceTime - this.confirmedOnset[m.device]!) < 1e-6 && m.time >= this.confirmedAt[m.device]!;
  }
}

export const twoStage: DetectorPlugin<TwoStageConfig> = {
  type: 'two-stage',
  summary: 'An always-on gate (STA/LTA or amplitude) that asks an ONNX model to confirm before a trigger is sent',
  reads: [],
  /** The gate runs on every sample; the model only on windows the gate opened (counted in the run). */
  cost: (det) => ({ macsPerSample: (det.config as TwoStageConfig).gate.type === 'sta-lta' ? 24 : 19, windowsPerSecond: 0 }),
  schema: twoStageSchema,
  files: modelFiles,
  prepare: prepareModel,
  columns: (det, _rows, phones, tick) => {
    const c = det.config as TwoStageConfig;
    const gate = c.gate.type === 'sta-lta' ? staLtaColumns(c.gate as StaLtaConfig, phones) : AMPLITUDE_COLUMNS;
    const maxFs = Math.max(...phones.map((p) => p.accelerometer.rate_hz));
    return [
      ...gate.map((s) => ({ ...s, name: 'gate.' + s.name })),
      ...captureColumns(det.model!, maxFs, tick),
      { name: 'cap_start', type: 'f64', fill: -1 },
      { name: 'cap_onset', type: 'f64' },
    ];
  },
  needsGyro: (det) => det.model!.channelIndex.some((i) => i >= 3),
  create: (det, ctx) => new TwoStageRuntime(det.config as TwoStageConfig, det, ctx),
  coordinator: (det, ctx) => new TwoStageCoordinator(det, ctx.devices),
};
