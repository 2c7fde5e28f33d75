/**
 * hazardsim's signal mode against the numpy peer (../shared/peers/numpy_signal_pipeline.py), side by
 * side in one run: 100,000 stationary phones × 60 s, 3-axis 50 Hz white noise plus gravity, a
 * high-pass and a recursive STA/LTA per phone. The peer runs on one core (numpy); hazardsim on 1 and
 * 2 worker threads. Prints phone-seconds per wall second and the ratio. Skips the peer, with a
 * message, when python3 with numpy or the peer file is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { loadScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/engine/run.js';
import { builtinPlugins } from '../src/plugins.js';
import type { Bench } from './harness.js';

const PHONES = Number(process.env.PEER_PHONES ?? 100_000);
const SECONDS = Number(process.env.PEER_SECONDS ?? 60);
const REPEATS = Math.max(1, Number(process.env.PEER_REPEATS ?? 3));
const PEER = join(PACKAGE_ROOT, '..', 'shared', 'peers', 'numpy_signal_pipeline.py');
/** Corner of the peer's one-pole high-pass (a = 0.98 at 50 Hz): 1/(2π RC) with RC = a/(fs (1 − a)). */
const PEER_CORNER_HZ = 1 / (2 * Math.PI * (0.98 / (50 * (1 - 0.98))));

/** Runs the numpy peer; phone-seconds per second, or a reason it could not run. */
function runPeer(): number | string {
  if (!existsSync(PEER)) return `no peer at ${PEER}`;
  const r = spawnSync('python3', [PEER, String(PHONES), String(SECONDS)], { encoding: 'utf8' });
  if (r.error) return `python3 not found (${r.error.message})`;
  if (r.status !== 0) return `the peer failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
  const m = /([\d,]+) phone-s\/s/.exec(r.stdout);
  if (!m) return `could not read the peer's output: ${r.stdout.trim()}`;
  return Number(m[1]!.replace(/,/g, ''));
}

export const peerBench: Bench = {
  name: 'peer',
  description: `${PHONES.toLocaleString('en-US')} phones on tables × ${SECONDS} s, white noise + gravity, high-pass, recursive STA/LTA: hazardsim against the numpy peer`,
  async run(record) {
    const dir = mkdtempSync(join(tmpdir(), 'hazardsim-peer-'));
    try {
      const file = join(dir, 'peer.yaml');
      writeFileSync(file, stringify({
        name: 'peer', seed: 1, duration: `${SECONDS}s`, tick: '1s', world: join(PACKAGE_ROOT, 'worlds/grid-city.geojson'),
        population: {
          devices: PHONES, eligibility: 'all',
          phones: [{ profile: join(PACKAGE_ROOT, 'agents/phones/white-noise.yaml') }],
          behaviours: [{ profile: join(PACKAGE_ROOT, 'agents/behaviours/on-table.yaml') }],
        },
        hazards: [],
        // The peer's filter: a one-pole high-pass with a = 0.98 at 50 Hz, i.e. RC = a/(fs(1 − a)) = 0.98 s, corner 1/(2π RC).
        detector: { type: 'sta-lta', method: 'recursive', highpass_order: 1, highpass_hz: PEER_CORNER_HZ, sta: '0.5s', lta: '10s', on_ratio: 4, off_ratio: 1.5, min_amplitude_g: 0.01 },
        server: { type: 'cell-ratio' },
      }));
      const scenario = loadScenario(file, { plugins: builtinPlugins });
      // Each side runs REPEATS times; the medians are compared (a 2-core machine's timings wander by ±5 %).
      const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
      const ours: Record<number, number> = {};
      for (const threads of [1, 2]) {
        const walls: number[] = [], busy: number[] = [];
        for (let i = 0; i < REPEATS; i++) {
          const r = await runScenario(scenario, { plugins: builtinPlugins, threads });
          walls.push(r.figures.wallSeconds);
          busy.push(r.figures.simulateSeconds);
        }
        ours[threads] = (PHONES * SECONDS) / median(walls);
        record(`peer.hazardsim.threads${threads}.wall_s`, median(walls), `s end to end, median of ${REPEATS} (placement, workers, server included)`);
        record(`peer.hazardsim.threads${threads}.simulate_s`, median(busy), 's in the device stages per thread, median');
        record(`peer.hazardsim.threads${threads}.phone_seconds_per_s`, ours[threads]!, 'phone-s/s end to end (median run)');
        record(`peer.hazardsim.threads${threads}.phone_seconds_per_s_best`, (PHONES * SECONDS) / Math.min(...walls), 'phone-s/s end to end (best run)');
      }
      const runs: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const peer = runPeer();
        if (typeof peer === 'string') {
          process.stdout.write(`  (numpy peer skipped: ${peer})\n`);
          return;
        }
        runs.push(peer);
      }
      const peer = median(runs);
      record('peer.numpy.phone_seconds_per_s', peer, `phone-s/s (one core, median of ${REPEATS})`);
      record('peer.ratio.threads1', ours[1]! / peer, '× the peer (hazardsim 1 thread, end to end, medians)');
      record('peer.ratio.threads2', ours[2]! / peer, '× the peer (hazardsim 2 threads, end to end, medians; target ≥ 2.5)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
