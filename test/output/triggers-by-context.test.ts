import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, smallScenario, tempDir, writeScenario } from '../helpers.js';
import { builtinPlugins } from '../../src/plugins.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/engine/run.js';
import { runCounts } from '../../src/output/write-run.js';

describe('triggers by context', () => {
  it('splits every monitored phone-hour and every trigger by the phone’s true context, driving or not', async () => {
    // 300 phones: on tables, and drivers on the small world's roads; 10 minutes, no hazard.
    const dir = tempDir();
    const file = writeScenario(dir, smallScenario(dir, {
      duration: '10m', hazards: [],
      population: {
        devices: 300, eligibility: 'all',
        phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }],
        behaviours: [{ profile: join(ROOT, 'agents/behaviours/on-table.yaml'), share: 0.5 }, { profile: join(ROOT, 'agents/behaviours/vehicle.yaml'), share: 0.5 }],
      },
      detector: { type: 'sta-lta', min_amplitude_g: 0.01 },
    }));
    const scenario = loadScenario(file, { plugins: builtinPlugins });
    const counts = runCounts(await runScenario(scenario, { plugins: builtinPlugins, threads: 2 }));
    const by = counts.triggers_by_context;
    let hours = 0, triggers = 0, drivingHours = 0;
    for (const c of Object.values(by)) { hours += c.phone_hours; triggers += c.triggers; drivingHours += c.driving.phone_hours; }
    // Hand calculation: 300 phones × 600 s, all monitoring = 50 phone-hours, each counted once.
    expect(hours).toBeCloseTo(300 * 600 / 3600, 6);
    expect(triggers).toBe(counts.triggers);
    // Drivers spend part of the time on the road; the table phones never do.
    expect(drivingHours).toBeGreaterThan(1);
    expect(by.table!.phone_hours).toBeGreaterThan(150 * 600 / 3600 - 1e-6);
    // A mounted phone rides in the car (and may stay in the mount while it is parked); it trips 0.01 g far more often than a table does.
    expect(by['vehicle-mount']!.driving.phone_hours).toBeGreaterThan(0.5);
    expect(by['vehicle-mount']!.per_phone_hour!).toBeGreaterThan(by.table!.per_phone_hour!);
  });
});
