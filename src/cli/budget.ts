/**
 * `hazardsim budget <model.onnx>`: what a model costs a phone, measured. Inference latency per
 * window in ONNX Runtime with one intra-op thread (p50 and p99 over seeded random windows, on this
 * machine), model size, parameters and multiply–adds per window (the sidecar's figure or a lower
 * bound from the graph's matrix products), the growth of the process's resident memory while the
 * session loads and runs, and an energy proxy (MACs × a cited energy per MAC) per window and per
 * hour at a given rate of windows.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPhoneProfile } from '../scenario/load.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import * as ort from 'onnxruntime-node';
import { quantileSorted } from 'simple-statistics';
import { InputError } from '../core/errors.js';
import { displayPath } from '../core/paths.js';
import { FastRandom } from '../core/random.js';
import { ENERGY_SOURCE, PJ_PER_FP32_MAC, PJ_PER_FP32_MAC_WITH_SRAM } from '../detect/energy.js';
import { loadModel, type ModelInfo } from '../detect/model.js';
import type { PluginSet } from '../plugin/index.js';
import type { ResolvedScenario } from '../scenario/load.js';
import { fmt, fmtInt } from './common.js';

/** The phone profiles `budget` reports per class unless told: the shipped ones with their power figures. */
const SHIPPED_PHONES = ['budget', 'mid-range', 'flagship'].map((n) => `agents/phones/${n}.yaml`);

export interface BudgetOptions {
  /** Phone profiles to report per class (default: the shipped budget, mid-range and flagship). */
  phones?: string[];
  model: string;
  windows?: number;
  windowsPerSecond?: number;
  json?: boolean;
}

/** Latency per window (ms, p50 and p99 over `windows` seeded random windows after 20 warm-up runs) and resident-memory growth (MB) of a model in ONNX Runtime on one thread. */
export async function measureModel(m: ModelInfo, windows: number): Promise<{ p50: number; p99: number; rssGrowthMb: number }> {
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const session = await ort.InferenceSession.create(m.path, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const r = FastRandom.of(1, 'budget'), n = m.channels.length * m.samples, data = new Float32Array(n);
  const run = async () => {
    for (let i = 0; i < n; i++) data[i] = 0.05 * r.normal();
    const t0 = performance.now();
    const out = await session.run({ [m.inputName]: new ort.Tensor('float32', data, [1, m.channels.length, m.samples]) });
    const ms = performance.now() - t0;
    const y = out[m.outputName]?.data as ArrayLike<number> | undefined;
    if (!y || !Number.isFinite(y[0]!)) throw new InputError(displayPath(m.path), `the model answered ${y ? y[0] : 'nothing'} for a window: expected a probability`);
    peak = Math.max(peak, process.memoryUsage().rss);
    return ms;
  };
  try {
    for (let i = 0; i < 20; i++) await run(); // warm-up: first runs allocate and optimise
    const ms: number[] = [];
    for (let i = 0; i < windows; i++) ms.push(await run());
    ms.sort((a, b) => a - b);
    return { p50: quantileSorted(ms, 0.5), p99: quantileSorted(ms, 0.99), rssGrowthMb: (peak - rss0) / 1048576 };
  } finally {
    await session.release();
  }
}

/** Warnings for a scenario's `budget`: each model-based detector's size, parameters, multiply-adds, windows per hour and measured latency against the limits set. */
export async function budgetWarnings(s: ResolvedScenario, plugins: PluginSet): Promise<string[]> {
  const b = s.config.budget;
  if (!b) return [];
  const out: string[] = [];
  for (const det of s.detectors) {
    const m = det.model;
    if (!m) continue;
    const over = (what: string, value: number, limit: number | undefined, unit = '') => { if (limit !== undefined && value > limit) out.push(`budget: the model of ${det.field} (${displayPath(m.path)}) ${what} ${Number.isInteger(value) ? value : +value.toPrecision(4)}${unit}, over the budget's ${limit}${unit}`); };
    over('has', statSync(m.path).size, b.model_bytes, ' bytes');
    over('has', m.parameters, b.parameters, ' parameters');
    over('needs', m.macsPerWindow, b.macs_per_window, ' multiply-adds per window');
    over('is called', plugins.detectors[det.config.type]!.cost(det).windowsPerSecond * 3600, b.inference_calls_per_device_hour, ' times per monitored hour at most');
    if (b.latency_p99_ms !== undefined) over('takes (p99, ONNX Runtime on 1 thread, this machine)', (await measureModel(m, 200)).p99, b.latency_p99_ms, ' ms per window');
  }
  return out;
}

/**
 * Per phone class: the measured per-window cost (latency and memory measured here: the same model
 * on this machine), the class's sample rate, and its energy per hour — the model's arithmetic at
 * the window rate plus keeping the IMU on (the profile's datasheet current × supply voltage) — and
 * the share of a day's battery (15.4 Wh) that takes.
 */
function phoneClasses(files: string[] | undefined, m: { macs: number; rate: number; p50: number; p99: number; rssMb: number }) {
  const list = files?.length ? files : SHIPPED_PHONES.map((f) => join(PACKAGE_ROOT, f));
  return list.map((f) => {
    const p = loadPhoneProfile(resolve(f));
    const imu = p.power ? (p.power.imu_current_ua * 1e-6 * p.power.supply_v * 3600 * 1000) : null; // mJ per hour
    const model = (m.macs * PJ_PER_FP32_MAC * m.rate * 3600) / 1e9;
    return {
      phone: p.name, rate_hz: p.accelerometer.rate_hz, imu_current_ua: p.power?.imu_current_ua ?? null, imu_source: p.power?.source ?? null,
      latency_ms: { p50: m.p50, p99: m.p99, measured_on: 'this machine' }, memory_mb: m.rssMb, macs_per_window: m.macs,
      model_mj_per_hour: model, imu_mj_per_hour: imu, battery_share_per_day: imu === null ? null : ((imu + model) * 24) / (15.4 * 3600 * 1000),
    };
  });
}

export async function budgetCommand(o: BudgetOptions): Promise<number> {
  const windows = o.windows ?? 500, rate = o.windowsPerSecond ?? 1;
  if (!Number.isInteger(windows) || windows < 10 || windows > 100_000) throw new InputError('--windows', `expected a whole number of windows from 10 to 100000, found ${o.windows}`);
  if (!(rate > 0 && rate <= 1000)) throw new InputError('--windows-per-second', `expected a rate from 0 to 1000, found ${o.windowsPerSecond}`);
  const path = resolve(o.model);
  if (!/\.onnx$/i.test(path)) throw new InputError(displayPath(path), 'expected an ONNX model (.onnx) with its sidecar JSON');
  const m = loadModel(path);
  const lat = await measureModel(m, windows);
  const macs = m.macsPerWindow;
  const result = {
    schema_version: 1, model: displayPath(path), sha256: m.sha256, bytes: statSync(path).size, parameters: m.parameters,
    input: { channels: m.channels, samples: m.samples, rate_hz: m.rateHz },
    macs_per_window: macs, macs_source: m.macsSource,
    latency_ms: { p50: lat.p50, p99: lat.p99, windows, threads: 1, machine: 'this machine' },
    peak_rss_growth_mb: lat.rssGrowthMb,
    phone_classes: phoneClasses(o.phones, { macs, rate, p50: lat.p50, p99: lat.p99, rssMb: lat.rssGrowthMb }),
    energy: {
      source: ENERGY_SOURCE,
      uj_per_window: (macs * PJ_PER_FP32_MAC) / 1e6, uj_per_window_with_sram: (macs * PJ_PER_FP32_MAC_WITH_SRAM) / 1e6,
      windows_per_second: rate, mj_per_hour: (macs * PJ_PER_FP32_MAC * rate * 3600) / 1e9, mj_per_hour_with_sram: (macs * PJ_PER_FP32_MAC_WITH_SRAM * rate * 3600) / 1e9,
    },
  };
  if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`hazardsim budget ${result.model} (${m.channels.join(',')} × ${m.samples} samples at ${m.rateHz} Hz)`);
    w(`  size ${fmtInt(result.bytes)} bytes, ${fmtInt(m.parameters)} parameters, ${fmtInt(macs)} multiply-adds per window (${m.macsSource})`);
    w(`  latency per window (ONNX Runtime, 1 thread, ${windows} windows, this machine): p50 ${fmt(result.latency_ms.p50, 3)} ms, p99 ${fmt(result.latency_ms.p99, 3)} ms`);
    w(`  resident memory grew ${fmt(result.peak_rss_growth_mb, 1)} MB while the session loaded and ran`);
    w(`  per phone class (latency measured here, on one thread of this machine, not on the class's processor; energy = the model's arithmetic + keeping the IMU on):`);
    w(`    ${'class'.padEnd(11)} ${'IMU'.padEnd(9)} ${'rate'.padStart(6)} ${'latency p50/p99'.padStart(16)} ${'memory'.padStart(8)} ${'MACs/window'.padStart(12)} ${'model mJ/h'.padStart(11)} ${'IMU mJ/h'.padStart(9)} ${'battery/day'.padStart(11)}`);
    for (const c of result.phone_classes) {
      w(`    ${c.phone.padEnd(11)} ${String(c.imu_current_ua ?? '–').padStart(5)} µA ${String(c.rate_hz).padStart(4)} Hz ${`${fmt(c.latency_ms.p50, 3)}/${fmt(c.latency_ms.p99, 3)} ms`.padStart(16)} ${`${fmt(c.memory_mb, 1)} MB`.padStart(8)} ${fmtInt(c.macs_per_window).padStart(12)} ${fmt(c.model_mj_per_hour, 3).padStart(11)} ${c.imu_mj_per_hour === null ? '–'.padStart(9) : fmt(c.imu_mj_per_hour, 0).padStart(9)} ${c.battery_share_per_day === null ? '–'.padStart(11) : `${fmt(100 * c.battery_share_per_day, 2)} %`.padStart(11)}`);
    }
    w(`    (IMU currents from each profile's datasheet; battery: 15.4 Wh, a 4,000 mAh cell at 3.85 V)`);
    w(`  energy (arithmetic; with operands from SRAM): ${fmt(result.energy.uj_per_window * 1000, 3)} / ${fmt(result.energy.uj_per_window_with_sram * 1000, 3)} nJ per window, ${fmt(result.energy.mj_per_hour, 4)} / ${fmt(result.energy.mj_per_hour_with_sram, 4)} mJ per hour at ${rate} window/s [${ENERGY_SOURCE}]`);
  }
  return 0;
}
