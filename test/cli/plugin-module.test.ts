/**
 * A plug-in from outside the repo, added without editing anything in it: a module that extends the
 * built-in set is passed with --plugins, its detector runs on worker threads, and the truth firewall
 * holds for it too.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli, ROOT, smallScenario, tempDir, writeScenario } from '../helpers.js';

const url = (rel: string) => pathToFileURL(join(ROOT, rel)).href;

function pluginModule(dir: string): string {
  const file = join(dir, 'my-plugins.mjs');
  writeFileSync(file, `
import * as z from ${JSON.stringify(url('node_modules/zod/index.js'))};
import { builtinPlugins } from ${JSON.stringify(url('dist/src/plugins.js'))};
import { extendPlugins } from ${JSON.stringify(url('dist/src/plugin/index.js'))};

/** Sends one trigger per phone the first time its acceleration norm passes 11 m/s² (nothing on a quiet table). */
const loudDetector = {
  type: 'loud', summary: 'Triggers once when the acceleration norm passes 11 m/s² (an example from outside the repo)', reads: [],
  schema: z.strictObject({ type: z.literal('loud') }),
  cost: () => ({ macsPerSample: 4, windowsPerSecond: 0 }),
  columns: () => [{ name: 'done', type: 'u8' }],
  create: (det, ctx) => {
    const done = ctx.columns.u8(ctx.prefix + 'done');
    return {
      reset() {},
      process(d, b, out) {
        if (done[d]) return;
        for (let i = 0; i < b.n; i++) {
          if (Math.hypot(b.ax[i], b.ay[i], b.az[i]) > 11) { done[d] = 1; const t = (b.k0 + i) / b.fs; out.emit({ device: d, kind: 'trigger', time: t, deviceTime: t, onsetDeviceTime: t, amplitude: 11, ratio: 1, x: NaN, y: NaN, monitoring: 1 }); return; }
        }
      },
    };
  },
};

/** Tries to read the simulator's true positions: the firewall must stop it. */
const peekingDetector = { ...loudDetector, type: 'peeking', schema: z.strictObject({ type: z.literal('peeking') }), summary: 'Reads the true x column (must be refused by the truth firewall)',
  create: (det, ctx) => { ctx.columns.f64('x'); return { reset() {}, process() {} }; } };

export const plugins = extendPlugins(builtinPlugins, { detectors: { loud: loudDetector, peeking: peekingDetector } }, import.meta.url);
`);
  return file;
}

describe('--plugins', () => {
  const dir = tempDir();
  const mod = pluginModule(dir);

  it('runs a scenario naming a detector the module adds, on 2 worker threads', () => {
    const file = writeScenario(dir, smallScenario(dir, { duration: '40s', detector: { type: 'loud' } }), 'loud.yaml');
    expect(cli(['validate', file]).code).toBe(2); // without the module the type is unknown
    expect(cli(['validate', file, '--plugins', mod]).code).toBe(0);
    const r = cli(['run', file, '--plugins', mod, '--threads', '2', '--json', '--out', join(dir, 'out-loud')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    // A M5.5 under 400 phones on tables: the near ones pass 11 m/s² (gravity plus 0.12 g) once each.
    expect(s.triggers).toBeGreaterThan(0);
    expect(s.triggers).toBe(s.devices_triggered);
  });

  it('stops a plug-in that reads a truth column, naming the column, on a worker thread and in the main thread (the default for a run this small)', () => {
    const file = writeScenario(dir, smallScenario(dir, { duration: '10s', hazards: [], detector: { type: 'peeking' } }), 'peek.yaml');
    for (const threads of [['--threads', '1'], []]) {
      const r = cli(['run', file, '--plugins', mod, ...threads, '--out', join(dir, 'out-peek')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/detector "peeking" \(detector\) may not read column "x"/);
      expect(existsSync(join(dir, 'out-peek'))).toBe(false);
    }
  });

  it('refuses a module without a plug-in set, or a missing one, with exit 2', () => {
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, 'export const plugins = { hazards: {} };\n');
    const file = writeScenario(dir, smallScenario(dir, {}), 'plain.yaml');
    const r = cli(['run', file, '--plugins', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.mjs: plugins: expected an export `plugins` with hazards, detectors, servers and module/);
    expect(cli(['run', file, '--plugins', join(dir, 'nowhere.mjs')]).stderr).toMatch(/--plugins: file not found/);
  });
});
