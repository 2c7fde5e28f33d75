/**
 * The earthquake server fed by the real world instead of its own model: phones placed at the nine
 * K-NET stations that recorded the 2018 Mw 6.3 off Aomori (88–138 km) report the peaks those
 * stations recorded (onsets are travel times from the catalogue hypocentre; only the amplitudes are
 * real). Its BA08 inversion must land near the catalogue magnitude.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { G } from '../../src/core/units.js';
import { FastRandom } from '../../src/core/random.js';
import { loadWorld, type World } from '../../src/world/load.js';
import { eventNextTo, readAccelerogram } from '../../src/hazards/earthquake/records.js';
import { cellRatioServer } from '../../src/server/cell-ratio.js';
import { QUAKE_SERVER_CALIBRATION, readQuakeServerCalibration } from '../../src/server/calibration.js';
import type { AlertRecord, TriggerMessage } from '../../src/plugin/index.js';
import { ROOT, smallWorld, tempDir } from '../helpers.js';

const DIR = join(ROOT, 'data/strong-motion/knet-aomori-2018-m6.3');
const world: World = loadWorld(smallWorld(tempDir(), { sizeKm: 400, cellKm: 50 }));
const cal = readQuakeServerCalibration(QUAKE_SERVER_CALIBRATION);

describe('server on real recorded peaks (K-NET Aomori 2018 Mw 6.3)', () => {
  it('estimates the magnitude within 0.4 of Mw 6.3', () => {
    const event = eventNextTo(join(DIR, 'event.json'))!;
    const km = (lon: number, lat: number): [number, number] => [
      (lon - event.lon) * 111.32 * Math.cos((event.lat * Math.PI) / 180), (lat - event.lat) * 110.57,
    ];
    const r = FastRandom.of(3, 'knet-phones');
    const messages: TriggerMessage[] = [];
    let d = 0;
    for (const f of readdirSync(DIR).filter((x) => x.endsWith('.EW'))) {
      const rec = readAccelerogram(join(DIR, f));
      const [ew, ns] = rec.components;
      const peak = (c: typeof ew) => c!.acc.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const pga = Math.sqrt(peak(ew) * peak(ns)); // m/s², geometric mean of horizontals as BA08
      const [sx, sy] = km(rec.station.lon, rec.station.lat);
      // 12 phones within 1 km of the station, each reporting the station's peak as calibrated phones do.
      for (let k = 0; k < 12; k++, d++) {
        const x = (sx + (r.uniform() - 0.5) * 2) * 1000, y = (sy + (r.uniform() - 0.5) * 2) * 1000;
        const hypo = Math.hypot(x / 1000, y / 1000, event.depthKm), tp = 10 + hypo / 6.1, ts = 10 + hypo / 3.55;
        const base = { device: d, deviceTime: 0, ratio: 5, x, y, monitoring: 1 };
        messages.push({ ...base, kind: 'heartbeat', time: 0, onsetDeviceTime: 0, amplitude: 0 });
        messages.push({ ...base, kind: 'trigger', time: tp, onsetDeviceTime: tp, amplitude: 0.1 });
        messages.push({ ...base, kind: 'update', time: ts + 3, onsetDeviceTime: tp, amplitude: pga / cal.constants.amplitude_to_pga.value });
      }
    }
    messages.sort((a, b) => a.time - b.time || a.device - b.device);
    const config = cellRatioServer.prepare!(cellRatioServer.schema.parse({ type: 'cell-ratio', depth_km: event.depthKm, site_correction: false, neighbour_km: 60 }), { calibration: QUAKE_SERVER_CALIBRATION }, { file: 'test', field: 'server' });
    const server = cellRatioServer.create(config, { seed: 1, world, durationS: 120, devices: d });
    const alerts: AlertRecord[] = [];
    let tick = 1;
    for (const m of messages) {
      while (tick <= m.time + 0.5) alerts.push(...server.tick(tick++));
      alerts.push(...server.receive(m, m.time + 0.5));
    }
    while (tick <= 120) alerts.push(...server.tick(tick++));
    const quake = alerts.filter((a) => a.kind === 'earthquake' && !a.cancelled);
    expect(quake.length).toBeGreaterThan(0);
    const last = quake[quake.length - 1]!;
    console.log(`K-NET Aomori: ${d} phones at 9 stations, final M${last.estimate.magnitude.toFixed(2)} (catalogue Mw 6.3)`);
    expect(Math.abs(last.estimate.magnitude - 6.3)).toBeLessThan(0.4);
  });
});
