/**
 * `hazardsim budget <model.onnx>`: what a model costs a phone, measured. Inference latency per
 * window in ONNX Runtime with one intra-op thread (p50 and p99 over seeded random windows, on this
 * machine), model size, parameters and multiply–adds per window (the sidecar's figure or a lower
 * bound from the graph's matrix products), the growth of the process's resident memory while the
 * session loads and runs, and an energy proxy (MACs × a cited energy per MAC) per window and per
 * hour at a given rate of windows.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
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

export interface BudgetOptions {
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
    w(`  energy (arithmetic; with operands from SRAM): ${fmt(result.energy.uj_per_window * 1000, 3)} / ${fmt(result.energy.uj_per_window_with_sram * 1000, 3)} nJ per window, ${fmt(result.energy.mj_per_hour, 4)} / ${fmt(result.energy.mj_per_hour_with_sram, 4)} mJ per hour at ${rate} window/s [${ENERGY_SOURCE}]`);
  }
  return 0;
}
