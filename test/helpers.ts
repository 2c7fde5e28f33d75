/** Test helpers: small worlds and scenarios in temporary folders, and running the real CLI. */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { stringify } from 'yaml';
import { buildGridCity } from '../src/world/build/grid-city.js';
import { tunedEnv } from '../src/cli/malloc-tuning.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

export function tempDir(prefix = 'hazardsim-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A 10 × 10 km grid city with 1 km cells, written into `dir`. */
export function smallWorld(dir: string, options: Parameters<typeof buildGridCity>[0] = {}): string {
  const file = join(dir, 'small-city.geojson');
  writeFileSync(file, JSON.stringify(buildGridCity({ name: 'small-city', sizeKm: 10, cellKm: 1, ...options })));
  return file;
}

/** A small earthquake scenario as a plain object (paths absolute). */
export function smallScenario(dir: string, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'small',
    seed: 7,
    duration: '90s',
    tick: '1s',
    world: smallWorld(dir),
    population: {
      devices: 400,
      phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }],
      behaviours: [{ profile: join(ROOT, 'agents/behaviours/on-table.yaml') }],
    },
    hazards: [{ type: 'earthquake', origin_time: '20s', lon: -120.03, lat: 36.0, depth_km: 8, magnitude: 5.5 }],
    detector: { type: 'sta-lta' },
    network: {
      uplink: { latency: { distribution: 'lognormal', median: '0.5s', sigma: 0.5 }, loss: 0.02 },
      push: { latency: { distribution: 'lognormal', median: '1s', sigma: 0.5 }, loss: 0.01 },
    },
    server: { type: 'cell-ratio', cell_km: 5, min_active: 5, min_fraction: 0.3 },
    ...patch,
  };
}

/** Writes a scenario object as YAML into dir/name.yaml and returns its path. */
export function writeScenario(dir: string, scenario: unknown, name = 'scenario.yaml'): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, typeof scenario === 'string' ? scenario : stringify(scenario));
  return file;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment the CLI runs in: glibc's malloc settings already given, as `run` and `calibrate`
 * would restart themselves with (malloc-tuning.ts), so they run in one process instead of two (a
 * third of a second a command; the restart itself is tested in malloc-tuning and bad-input).
 */
function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, GLIBC_TUNABLES: tunedEnv(process.env.GLIBC_TUNABLES), ...env };
}

/** Runs the compiled CLI (as users do) with arguments. */
export function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, encoding: 'utf8', env: cliEnv(options.env), timeout: 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the compiled CLI without blocking (for tests that run many commands side by side). */
export function cliAsync(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: cliEnv(options.env) });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('close', (code) => { clearTimeout(timer); done({ code: code ?? -1, stdout, stderr }); });
  });
}
