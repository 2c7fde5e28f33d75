/**
 * Consensus server throughput on a million-phone load: 1,000,000 phones over 300 × 300 km of
 * California, heartbeats every 60 s, background false triggers at 2 per phone-hour, and an M7
 * whose shaking triggers every phone that feels 0.01 g (a trigger at the P or S onset, an update
 * with the peak). Messages per second and triggers per second through `cell-ratio` and `binomial`,
 * against the real-time rate the same load would need.
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { FastRandom } from '../src/core/random.js';
import { G } from '../src/core/units.js';
import { loadWorld } from '../src/world/load.js';
import { ba08 } from '../src/physics/ba08.js';
import { builtinPlugins } from '../src/plugins.js';
import { QUAKE_SERVER_CALIBRATION } from '../src/server/calibration.js';
import type { TriggerMessage } from '../src/plugin/index.js';
import type { Bench } from './harness.js';

export const serverBench: Bench = {
  name: 'server',
  description: '1M phones, 5 min: heartbeats, 2 false triggers/phone-h and an M7 through cell-ratio and binomial (messages/s, triggers/s)',
  run(record) {
    const world = loadWorld(join(PACKAGE_ROOT, 'worlds/california.geojson'));
    const n = 1_000_000, span = 300, seconds = 300;
    const r = FastRandom.of(11, 'server-bench');
    const x = new Float64Array(n), y = new Float64Array(n);
    for (let d = 0; d < n; d++) { x[d] = (r.uniform() - 0.5) * span * 1000; y[d] = (r.uniform() - 0.5) * span * 1000; }
    const msgs: TriggerMessage[] = [];
    const m = (d: number, kind: TriggerMessage['kind'], t: number, onset: number, amplitude: number): TriggerMessage => ({ device: d, kind, time: t, deviceTime: t, onsetDeviceTime: onset, amplitude, ratio: 5, x: x[d]!, y: y[d]!, monitoring: 1 });
    for (let d = 0; d < n; d++) for (let t = (d % 60) + 0.5; t < seconds; t += 60) msgs.push(m(d, 'heartbeat', t, t, 0));
    const rate = (2 / 3600) * n;
    for (let t = r.exponential(1 / rate); t < seconds; t += r.exponential(1 / rate)) {
      const d = Math.floor(r.uniform() * n);
      msgs.push(m(d, 'trigger', t, t, 0.02 * G));
    }
    let quakeTriggers = 0;
    for (let d = 0; d < n; d++) {
      const rk = Math.hypot(x[d]!, y[d]!), hypo = Math.hypot(rk, 8000);
      const pga = ba08('pga', { magnitude: 7, rjbKm: rk / 1000, vs30: 400 }).median;
      if (pga < 0.01) continue;
      const tp = 60 + hypo / 6100, ts = 60 + hypo / 3550, onset = pga / 3 >= 0.01 ? tp : ts;
      msgs.push(m(d, 'trigger', onset, onset, 0.01 * G), m(d, 'update', ts + 2, onset, 1.2 * pga * G));
      quakeTriggers++;
    }
    msgs.sort((a, b) => a.time - b.time || a.device - b.device);
    const triggers = msgs.filter((k) => k.kind !== 'heartbeat').length;
    record('server.messages', msgs.length, 'messages');
    record('server.trigger_messages', triggers, 'triggers + updates');
    record('server.quake_phones', quakeTriggers, 'phones');
    const ctx = { seed: 1, world, durationS: seconds, devices: n };
    for (const type of (process.env.SERVER_TYPES ?? "cell-ratio,binomial").split(",")) {
      const plugin = builtinPlugins.servers[type]!;
      const parsed = plugin.schema.parse({ type });
      const config = plugin.prepare ? plugin.prepare(parsed, { calibration: QUAKE_SERVER_CALIBRATION }, { file: 'bench', field: 'server' }) : parsed;
      const server = plugin.create(config, ctx);
      // The warm-up: every phone's heartbeat reached the server before t = 0.
      for (let d = 0; d < n; d++) server.receive({ device: d, kind: 'heartbeat', time: 0, deviceTime: 0, onsetDeviceTime: 0, amplitude: 0, ratio: 0, x: x[d]!, y: y[d]!, monitoring: 1 }, 0);
      const t0 = performance.now();
      const alerts: import('../src/plugin/index.js').AlertRecord[] = [];
      let tick = 1;
      for (const k of msgs) {
        const now = k.time + 0.5;
        while (tick <= now) alerts.push(...server.tick(tick++));
        alerts.push(...server.receive(k, now));
      }
      const s = (performance.now() - t0) / 1000;
      record(`server.${type}.messages_per_s`, msgs.length / s, 'messages/s');
      record(`server.${type}.triggers_per_s`, triggers / s, 'triggers/s');
      record(`server.${type}.faster_than_real_time`, seconds / s, '× (1M phones)');
      record(`server.${type}.alerts`, alerts.length, 'alerts and updates');
      if (alerts.length) record(`server.${type}.first_alert_after_origin_s`, alerts[0]!.time - 60, 's');
      if (alerts.length) record(`server.${type}.first_magnitude`, alerts[0]!.estimate.magnitude, "M (true M7)");
      if (alerts.length) record(`server.${type}.last_magnitude`, alerts[alerts.length - 1]!.estimate.magnitude, "M (true M7)");
    }
  },
};
