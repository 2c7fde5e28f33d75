/**
 * The on-device budget view: for each detector and phone profile, what detection costs a phone —
 * inference calls per device-hour, the model's parameters and multiply–adds per window, and an
 * energy proxy (multiply–adds per device-hour, the always-on trigger included) — plus what the
 * inference pool measured (latency per window and per batch, p50/p99; worker heap).
 */
import { quantileSorted } from 'simple-statistics';
import { basename } from 'node:path';
import type { ResolvedScenario } from '../scenario/load.js';
import type { ModelInfo, PluginSet } from '../plugin/index.js';
import type { ModelStats } from '../detect/inference/pool.js';


export interface DetectorBudget {
  detector: string;
  field: string;
  phone: string;
  rate_hz: number;
  monitored_device_hours: number;
  model: null | { file: string; sha256: string; parameters: number; macs_per_window: number; macs_source: string };
  inference_calls: number;
  inference_calls_per_device_hour: number;
  /** Energy proxy: multiply–adds per device-hour (trigger on every sample + model per call). */
  macs_per_device_hour: number;
  /** Measured on the pool (not deterministic; the run's manifest keeps it). */
  timing?: {
    window_us_p50: number; window_us_p99: number; batch_ms_p50: number; batch_ms_p99: number; mean_batch: number; worker_heap_peak_mb: number; retries: number;
  };
}

const q = (xs: number[], p: number) => (xs.length ? quantileSorted([...xs].sort((a, b) => a - b), p) : 0);

export function detectorBudget(o: { scenario: ResolvedScenario; plugins: PluginSet; windowCounts: Float64Array[]; monitoredSeconds: Float64Array; stats: (m: ModelInfo) => ModelStats | undefined }): DetectorBudget[] {
  const s = o.scenario, rows: DetectorBudget[] = [];
  s.phones.forEach((phone, p) => {
    const di = s.phoneDetector[p]!, det = s.detectors[di]!, cfg = det.config;
    const hours = o.monitoredSeconds[p]! / 3600;
    const calls = o.windowCounts[di]![p]!;
    const cost = o.plugins.detectors[cfg.type]!.cost(det);
    const fs = phone.accelerometer.rate_hz;
    const m = det.model;
    const perHour = hours > 0 ? calls / hours : 0;
    const row: DetectorBudget = {
      detector: cfg.type, field: det.field, phone: phone.name, rate_hz: fs, monitored_device_hours: hours,
      model: m ? { file: basename(m.path), sha256: m.sha256, parameters: m.parameters, macs_per_window: m.macsPerWindow, macs_source: m.macsSource } : null,
      inference_calls: calls, inference_calls_per_device_hour: perHour,
      macs_per_device_hour: cost.macsPerSample * fs * 3600 + perHour * (m?.macsPerWindow ?? 0),
    };
    const st = m ? o.stats(m) : undefined;
    if (st && st.batches) {
      const perWindow = st.computeMs.map((ms, i) => (1000 * ms) / st.batchSizes[i]!);
      row.timing = {
        window_us_p50: q(perWindow, 0.5), window_us_p99: q(perWindow, 0.99), batch_ms_p50: q(st.latencyMs, 0.5), batch_ms_p99: q(st.latencyMs, 0.99),
        mean_batch: st.windows / st.batches, worker_heap_peak_mb: st.heapPeakBytes / 2 ** 20, retries: st.retries,
      };
    }
    rows.push(row);
  });
  return rows;
}
