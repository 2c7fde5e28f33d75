/**
 * `hazardsim calibrate`: measures the constants the earthquake servers assume, on calibration
 * scenarios that no headline number is reported on, and writes them with the hash of what produced
 * them. Measured here (calibration reads truth, as scoring does; servers never do):
 * - amplitude_to_pga: true PGA over the peak a phone reports once its S wave has passed (median);
 * - p_to_s_amplitude: that peak over the peak the same phone reported before its S wave (median);
 * - background_per_phone_hour: triggers per monitored phone-hour with no hazard.
 */
import { join, relative } from 'node:path';
import { G } from '../core/units.js';
import { canonicalJson, sha256 } from '../core/canonical.js';
import type { ResolvedScenario } from '../scenario/load.js';
import type { RunResult } from '../engine/run.js';
import { CALIBRATION_DIR, type QuakeServerCalibration } from '../server/calibration.js';

/** Median and its distribution-free 95 % interval (order statistics n/2 ± 1.96 √n / 2). */
export function medianWithInterval(values: number[]): { value: number; ci95: [number, number]; n: number } {
  const s = [...values].sort((a, b) => a - b), n = s.length;
  if (!n) return { value: NaN, ci95: [NaN, NaN], n: 0 };
  const med = n % 2 ? s[(n - 1) >> 1]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
  const half = 0.98 * Math.sqrt(n);
  const lo = s[Math.max(0, Math.floor(n / 2 - half))]!, hi = s[Math.min(n - 1, Math.ceil(n / 2 + half))]!;
  return { value: med, ci95: [lo, hi], n };
}

/** Per phone and earthquake: the peak it reported before its S wave and after it (m/s²), and the true PGA (g). */
export function amplitudePairs(result: RunResult): { pgaG: number; beforeS: number; afterS: number }[] {
  const out: { pgaG: number; beforeS: number; afterS: number }[] = [];
  const byDevice = new Map<number, { t: number; a: number }[]>();
  for (const s of result.triggers) {
    const m = s.message;
    if ((m.channel ?? 'shaking') !== 'shaking') continue;
    let list = byDevice.get(m.device);
    if (!list) byDevice.set(m.device, (list = []));
    list.push({ t: m.time, a: m.amplitude });
  }
  for (const truth of result.truths) {
    const dv = truth.devices;
    if (truth.kind !== 'earthquake' || !dv) continue;
    for (const [d, list] of byDevice) {
      if (!dv.reached[d]) continue;
      const p = dv.first[d]!, s = dv.impact[d]!;
      let before = 0, after = 0;
      for (const { t, a } of list) {
        if (t < p - 1 || t > s + 40) continue;
        if (t < s) before = Math.max(before, a);
        else if (t >= s + 1) after = Math.max(after, a);
      }
      out.push({ pgaG: dv.intensity[d]!, beforeS: before, afterS: after });
    }
  }
  return out;
}

/** Builds the calibration from the two runs. */
export function quakeServerCalibration(o: {
  amplitudes: { scenario: ResolvedScenario; result: RunResult };
  quiet: { scenario: ResolvedScenario; result: RunResult };
  version: string;
}): QuakeServerCalibration {
  const pairs = amplitudePairs(o.amplitudes.result).filter((p) => p.pgaG >= 0.01 && p.afterS > 0);
  const ratio = medianWithInterval(pairs.map((p) => (p.pgaG * G) / p.afterS));
  const ps = medianWithInterval(pairs.filter((p) => p.beforeS > 0).map((p) => p.afterS / p.beforeS));
  const q = o.quiet.result;
  const hours = q.budget.reduce((s, b) => s + b.monitored_device_hours, 0);
  const k = q.messages.triggers;
  const rate = k / hours, se = Math.sqrt(Math.max(k, 1)) / hours;
  const scenarios = [o.amplitudes.scenario, o.quiet.scenario].map((s) => ({ file: relative(CALIBRATION_DIR, join(s.dir, s.file.split('/').pop()!)), hash: s.hash }));
  return {
    kind: 'hazardsim-calibration/quake-server',
    version: 1,
    produced_by: { command: 'hazardsim calibrate', hazardsim: o.version, scenarios, hash: sha256(canonicalJson(scenarios.map((s) => s.hash))) },
    constants: {
      amplitude_to_pga: { ...ratio, how: 'median over phones (PGA ≥ 0.01 g) of true PGA / the peak the phone reported ≥ 1 s after its S arrival' },
      p_to_s_amplitude: { ...ps, value: Math.max(1, ps.value), how: 'median over phones that triggered before their S arrival of the peak after S / the peak before S' },
      background_per_phone_hour: { value: rate, ci95: [Math.max(0, rate - 1.96 * se), rate + 1.96 * se], n: k, how: 'triggers per monitored phone-hour with no hazard (Poisson interval)' },
    },
  };
}

