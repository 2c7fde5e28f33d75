import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

const MODEL = join(ROOT, 'models/quake-baseline.onnx');

/** 400 phones, on tables and carried around (everyday events fool a bare trigger), an M5.5 at 20 s. */
function scenario(dir: string, detector: Record<string, unknown>, patch: Record<string, unknown> = {}, name = 'scenario.yaml'): string {
  return writeScenario(dir, smallScenario(dir, {
    population: {
      devices: 400,
      phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }],
      behaviours: [{ profile: join(ROOT, 'agents/behaviours/on-table.yaml'), share: 0.5 }, { profile: join(ROOT, 'agents/behaviours/stationary.yaml'), share: 0.5 }],
      eligibility: 'all',
    },
    duration: '120s',
    detector,
    ...patch,
  }), name);
}

const read = (dir: string, run: string) => JSON.parse(readFileSync(join(dir, run, 'summary.json'), 'utf8'));

describe('model-based detectors end to end', () => {
  const dir = tempDir();
  const gate = { type: 'sta-lta', min_amplitude_g: 0.01 };

  it('two-stage: same triggers and alerts on 1 and 2 threads; the model confirms the quake and vetoes everyday triggers', () => {
    const file = scenario(dir, { type: 'two-stage', gate, model: MODEL });
    for (const t of ['1', '2']) expect(cli(['run', file, '--out', join(dir, `two-stage-${t}`), '--threads', t, '--quiet']).stderr).toBe('');
    expect(readFileSync(join(dir, 'two-stage-2', 'summary.json'), 'utf8')).toBe(readFileSync(join(dir, 'two-stage-1', 'summary.json'), 'utf8'));
    const two = read(dir, 'two-stage-1');
    expect(two.hazards[0].event).not.toBeNull();
    expect(two.false_alerts).toBe(0);
    // The gate alone, on the same phones.
    const bare = scenario(dir, gate, {}, 'bare.yaml');
    expect(cli(['run', bare, '--out', join(dir, 'bare'), '--threads', '2', '--quiet']).code).toBe(0);
    const g = read(dir, 'bare');
    const b = two.detector_budget[0];
    expect(b.inference_calls).toBeGreaterThan(0);
    expect(b.inference_calls).toBeLessThanOrEqual(g.triggers); // one window per gate trigger at most
    expect(two.triggers).toBeLessThan(g.triggers);
    expect(two.triggers).toBeGreaterThan(0.5 * g.devices_triggered - 200); // the quake's triggers survive
    expect(two.hazards[0].alert_latency_s).toBeLessThan(15);
    expect(b).toMatchObject({ detector: 'two-stage', phone: 'mid-range', model: { file: 'quake-baseline.onnx', parameters: 193 } });
    expect(b.macs_per_device_hour).toBeGreaterThan(24 * 50 * 3600);
    const m = JSON.parse(readFileSync(join(dir, 'two-stage-1', 'manifest.json'), 'utf8'));
    expect(m.detector_budget[0].timing.window_us_p50).toBeGreaterThan(0);
    expect(m.detector_budget[0].timing.window_us_p99).toBeGreaterThanOrEqual(m.detector_budget[0].timing.window_us_p50);
  });

  it('onnx-window: scores every monitoring phone once per hop, the same on 1 and 2 threads', () => {
    const file = scenario(dir, { type: 'onnx-window', model: MODEL, hop: '2s' }, { duration: '60s' }, 'window.yaml');
    for (const t of ['1', '2']) expect(cli(['run', file, '--out', join(dir, `window-${t}`), '--threads', t, '--quiet']).stderr).toBe('');
    expect(readFileSync(join(dir, 'window-2', 'summary.json'), 'utf8')).toBe(readFileSync(join(dir, 'window-1', 'summary.json'), 'utf8'));
    const s = read(dir, 'window-1'), b = s.detector_budget[0];
    // 400 phones × 60 s / 2 s: windows end at 2, 4, ... 60 s.
    expect(b.inference_calls).toBe(400 * 30);
    expect(b.inference_calls_per_device_hour).toBeCloseTo(1800, 6);
  });

  it('runs a detector per phone profile and reports the budget of each', () => {
    const file = writeScenario(dir, smallScenario(dir, {
      duration: '60s',
      population: {
        devices: 300,
        phones: [
          { profile: join(ROOT, 'agents/phones/budget.yaml'), share: 0.5 },
          { profile: join(ROOT, 'agents/phones/flagship.yaml'), share: 0.5, detector: { type: 'two-stage', gate: { type: 'amplitude', min_amplitude_g: 0.01 }, model: MODEL } },
        ],
        behaviours: [{ profile: join(ROOT, 'agents/behaviours/on-table.yaml') }],
      },
      detector: { type: 'sta-lta', method: 'classic', min_amplitude_g: { median: 0.01, sigma: 0.3 } },
    }), 'mixed.yaml');
    const r = cli(['run', file, '--out', join(dir, 'mixed'), '--threads', '2', '--quiet']);
    expect(r.stderr).toBe('');
    const rows = read(dir, 'mixed').detector_budget;
    expect(rows.map((x: { phone: string; detector: string }) => `${x.phone}:${x.detector}`)).toEqual(['budget:sta-lta', 'flagship:two-stage']);
    expect(rows[0].model).toBeNull();
    expect(rows[0].inference_calls).toBe(0);
    expect(rows[1].rate_hz).toBe(100);
  });

  it('refuses at start a model whose sidecar disagrees with it, naming what differs; nothing is written', () => {
    const onnx = join(dir, 'renamed.onnx');
    copyFileSync(MODEL, onnx);
    const side = JSON.parse(readFileSync(join(ROOT, 'models/quake-baseline.json'), 'utf8'));
    side.input.name = 'accel';
    writeFileSync(join(dir, 'renamed.json'), JSON.stringify(side));
    const file = scenario(dir, { type: 'two-stage', gate, model: onnx }, {}, 'renamed.yaml');
    const out = join(dir, 'renamed-out');
    const r = cli(['run', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/renamed\.onnx: input is named "window", not "accel" \(its sidecar .*renamed\.json says input "accel"/);
    expect(existsSync(out)).toBe(false);
    // The same for `validate`, before anything runs.
    expect(cli(['validate', file]).code).toBe(2);
  });

  it('refuses a model that reads a gyroscope on phones without one', () => {
    const onnx = join(dir, 'gyro.onnx');
    copyFileSync(MODEL, onnx);
    const side = JSON.parse(readFileSync(join(ROOT, 'models/quake-baseline.json'), 'utf8'));
    side.channels = ['ax', 'ay', 'gz'];
    writeFileSync(join(dir, 'gyro.json'), JSON.stringify(side));
    // A phone with an accelerometer only.
    const phone = readFileSync(join(ROOT, 'agents/phones/budget.yaml'), 'utf8').replace(/^name: budget$/m, 'name: no-gyro').replace(/^gyroscope:\n(  .*\n)+/m, '');
    expect(phone).not.toMatch(/gyroscope:/);
    writeFileSync(join(dir, 'no-gyro.yaml'), phone);
    const file = writeScenario(dir, smallScenario(dir, {
      population: { devices: 50, phones: [{ profile: join(dir, 'no-gyro.yaml') }], behaviours: [{ profile: join(ROOT, 'agents/behaviours/on-table.yaml') }] },
      detector: { type: 'two-stage', gate, model: onnx },
    }), 'gyro.yaml');
    const r = cli(['run', file, '--out', join(dir, 'gyro-out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gyro\.yaml: detector\.model: the model reads the gyroscope \(ax, ay, gz\), but phone profile no-gyro has none/);
  });
});
