/**
 * Runs one detector over one phone log exactly as the simulator runs it: the detector's own
 * columns for one device, the sensors it declared, blocks of one engine tick at its phone's rate,
 * model windows scored by ONNX Runtime on the inference pool and resolved by the detector's
 * coordinator epoch by epoch. Also: reading a detector from a detector file or a scenario.
 */
import { dirname, resolve } from 'node:path';
import { ColumnSet, type ColumnSpec } from '../../core/columns.js';
import { describeValue, InputError } from '../../core/errors.js';
import { displayPath } from '../../core/paths.js';
import { InferencePool } from '../../detect/inference/pool.js';
import { issuesToProblems } from '../../plugin/issues.js';
import type { DetectorSink, ResolvedDetector, SensorBlock, TriggerMessage, WindowRequest } from '../../plugin/index.js';
import type { PluginSet } from '../../plugin/index.js';
import { loadPhoneProfile, loadScenario, readYaml } from '../../scenario/load.js';
import type { PhoneProfile } from '../../sensors/profile.js';
import { interpolate, resample, type PhoneLog } from './logs.js';

export interface ReplayDetector {
  det: ResolvedDetector;
  profile: PhoneProfile;
  /** Where it came from (for messages). */
  source: string;
}

/**
 * A detector from a scenario (its `detector` and first phone profile) or from a detector file
 * (`type: sta-lta` and its options; files relative to it), with the phone profile given or the
 * shipped mid-range one.
 */
export function loadReplayDetector(file: string, plugins: PluginSet, phoneFile: string): ReplayDetector {
  const abs = resolve(file), shown = displayPath(abs);
  const raw = readYaml(abs) as Record<string, unknown> | null;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(shown, `expected a detector (type: ...) or a scenario, found ${describeValue(raw)}`);
  if ('detector' in raw && 'population' in raw) {
    const s = loadScenario(abs, { plugins, lateHazards: 'warn' });
    return { det: s.detectors[s.phoneDetector[0] ?? 0]!, profile: s.phones[0]!, source: `${shown} (detector)` };
  }
  const type = raw.type;
  const plugin = typeof type === 'string' ? plugins.detectors[type] : undefined;
  if (!plugin) throw new InputError(shown, { path: 'type', message: `expected one of ${Object.keys(plugins.detectors).join(', ')}, found ${describeValue(type)}` });
  const r = plugin.schema.safeParse(raw, { reportInput: true });
  if (!r.success) throw new InputError(shown, issuesToProblems(r.error.issues, plugin.schema, raw));
  const det: ResolvedDetector = { config: r.data as ResolvedDetector['config'], field: 'detector' };
  if (plugin.files) {
    const files: Record<string, string> = {};
    for (const f of plugin.files(r.data)) files[f.field] = resolve(dirname(abs), f.path);
    Object.assign(det, plugin.prepare?.(r.data, files, { file: shown, field: '(detector file)' }) ?? {});
  }
  return { det, profile: loadPhoneProfile(resolve(phoneFile)), source: shown };
}

/** Every message the detector sends over the log (times are the log's, from its first sample). */
export async function replayLog(log: PhoneLog, rd: ReplayDetector, plugins: PluginSet, o: { rateHz?: number; tick?: number; pool?: InferencePool }): Promise<{ messages: TriggerMessage[]; windows: number; rateHz: number }> {
  const plugin = plugins.detectors[rd.det.config.type]!;
  const fs = o.rateHz ?? rd.profile.accelerometer.rate_hz, tick = o.tick ?? 1;
  const per = Math.round(fs * tick);
  if (Math.abs(per - fs * tick) > 1e-9) throw new InputError('--rate', `expected a rate that gives whole samples per ${tick} s tick, found ${fs} Hz`);
  const own: ColumnSpec[] = plugin.columns(rd.det, 1, [rd.profile], tick).map((c) => ({ ...c, name: `detector.${c.name}` }));
  const reads: ColumnSpec[] = plugin.reads.filter((c) => !c.endsWith('.')).map((name) => ({ name, type: 'f32' as const }));
  const columns = ColumnSet.allocate(1, [...own, ...reads]);
  const runtime = plugin.create(rd.det, { seed: 1, prefix: 'detector.', columns, phones: [rd.profile], tick });
  const coordinator = plugin.coordinator?.(rd.det, { devices: 1 });
  const gyro = plugin.needsGyro?.(rd.det) ?? false, baro = plugin.needsBarometer?.(rd.det) ?? false;
  if (gyro && !log.gyro) throw new InputError(displayPath(log.file), `the ${rd.det.config.type} detector reads the gyroscope, and this log has none`);
  if (baro && !log.pressure) throw new InputError(displayPath(log.file), `the ${rd.det.config.type} detector reads the barometer, and this log has no pressure`);
  const ax = resample(log.t, log.ax, fs), ay = resample(log.t, log.ay, fs), az = resample(log.t, log.az, fs);
  const gx = gyro ? resample(log.gyro!.t, log.gyro!.x, fs) : null, gy = gyro ? resample(log.gyro!.t, log.gyro!.y, fs) : null, gz = gyro ? resample(log.gyro!.t, log.gyro!.z, fs) : null;
  const pfs = rd.profile.barometer?.rate_hz ?? 1;
  const pres = baro ? resample(log.pressure!.t, log.pressure!.p, pfs) : null;
  const speed = columns.has('gnss.speed') ? columns.f32('gnss.speed') : undefined, hint = { i: 0 };
  const messages: TriggerMessage[] = [];
  let pending: TriggerMessage[] = [], windows: WindowRequest[] = [], scored = 0;
  const sink: DetectorSink = { emit: (m) => pending.push(m), submit: (w) => windows.push(w) };
  /** Ends an epoch as the engine does: windows scored and resolved, then the devices' own messages vetted. */
  const settle = async () => {
    if (windows.length) {
      if (!o.pool || !rd.det.model) throw new Error(`${rd.det.config.type} submitted model windows without a model`);
      const list = windows;
      const scores = await o.pool.score(rd.det.model, { count: list.length, fill: (i, out, off) => out.set(list[i]!.data, off) });
      scored += list.length;
      pending.push(...coordinator!.resolve(list, scores));
      windows = [];
    }
    for (const m of pending.sort((a, b) => a.time - b.time)) if (!coordinator?.keep || coordinator.keep(m)) messages.push(m);
    pending = [];
  };
  const n = ax.length;
  for (let k0 = 0, step = 0; k0 < n; k0 += per, step++) {
    const m = Math.min(per, n - k0), t = k0 / fs;
    if (speed) speed[0] = log.speed ? interpolate(log.speed.t, log.speed.v, t, hint) : 0;
    const pk0 = Math.floor(t * pfs), pn = pres ? Math.max(0, Math.min(pres.length, Math.floor((t + m / fs) * pfs)) - pk0) : 0;
    const b: SensorBlock = {
      k0, n: m, fs, ax: ax.subarray(k0, k0 + m), ay: ay.subarray(k0, k0 + m), az: az.subarray(k0, k0 + m),
      gx: gx?.subarray(k0, k0 + m) ?? null, gy: gy?.subarray(k0, k0 + m) ?? null, gz: gz?.subarray(k0, k0 + m) ?? null,
      p: pres ? pres.subarray(pk0, pk0 + pn) : null, pfs, pk0, pn,
    };
    runtime.process(0, b, sink);
    if (step % 10 === 9) await settle();
  }
  await settle();
  for (const msg of messages) { msg.deviceTime = msg.time; msg.x = 0; msg.y = 0; msg.monitoring = 1; }
  return { messages, windows: scored, rateHz: fs };
}
