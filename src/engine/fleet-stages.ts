/**
 * The device loop's fleet stages (scenarios with a `fleet` section, signal fidelity):
 *
 *   update    — before the sensors: which firmware the phone runs this tick, and whether the
 *               server's last rollout decision (fetched with a heartbeat) switches its detector;
 *   telemetry — after detection: the phone's own summary of the period (features of its samples,
 *               triggers, context, battery), uploaded when the period ends.
 */
import type { Runtimes } from './setup.js';
import type { DeviceStage } from './stages.js';

export const FLEET_DECLARATIONS: Record<string, { reads: readonly string[]; writes: readonly string[] }> = {
  update: { reads: ['phone', 'fleet.target', 'fleet.switch_at'], writes: ['fleet.model', 'firmware variant', 'detector*. (reset on a switch)'] },
  telemetry: { reads: ['sensor samples', 'ctx.context', 'ctx.charging', 'monitoring', 'fleet.model', 'gnss.*'], writes: ['tel.*', 'telemetry rows', 'truth.candidate_s'] },
};

/** update: the firmware the phone runs, and a rollout's detector switch once the decision reaches the phone. */
export function updateStage(rt: Runtimes): DeviceStage | undefined {
  const sc = rt.state.scenario, firmware = rt.firmware, cols = rt.state.columns;
  if (!firmware.any && !sc.candidate) return undefined;
  const model = sc.candidate ? cols.u8('fleet.model') : undefined;
  const target = sc.candidate ? cols.u8('fleet.target') : undefined;
  const switchAt = sc.candidate ? cols.f64('fleet.switch_at') : undefined;
  return {
    name: 'update', ...FLEET_DECLARATIONS.update!,
    step(f) {
      const d = f.d;
      f.firmware = firmware.any ? firmware.variant(d, f.profile, f.t0) : 0;
      if (!model || !(f.t0 >= switchAt![d]!)) return;
      // The phone learnt the server's decision with a heartbeat: it now runs the other detector, from a fresh state.
      model[d] = target![d]!;
      switchAt![d] = Infinity;
      f.detectorIndex = model[d] ? sc.candidate!.detector : rt.phoneDetector[f.profile]!;
      f.detector = rt.detectors[f.detectorIndex];
      f.detector?.reset(d);
    },
  };
}

/** telemetry: the phone's summary of the period, written as a row when the period (or the run) ends. */
export function telemetryStage(rt: Runtimes): DeviceStage | undefined {
  if (!rt.state.scenario.config.fleet) return undefined;
  const cols = rt.state.columns, lastTick = rt.state.clock.ticks - 1;
  const monitoring = cols.u8('monitoring'), context = cols.u8('ctx.context'), charging = cols.u8('ctx.charging');
  const model = rt.state.scenario.candidate ? cols.u8('fleet.model') : undefined;
  const candidateS = model ? cols.f64('truth.candidate_s') : undefined;
  const { gnss } = rt;
  const none = new Float32Array(0) as Float32Array<ArrayBufferLike>;
  const samples = { ax: none, ay: none, az: none, n: 0, fs: 0 };
  return {
    name: 'telemetry', ...FLEET_DECLARATIONS.telemetry!,
    step(f) {
      if (f.t0 < rt.firmware.joinsAt[f.profile]!) return; // not in the fleet yet: no telemetry
      const d = f.d, rec = f.telemetry!, on = monitoring[d] === 1;
      if (on && f.sensed) { samples.ax = f.block.ae; samples.ay = f.block.an; samples.az = f.block.au; samples.n = f.n; samples.fs = f.fs; }
      rec.tick(d, f.i, f.t0, f.t1, context[d]!, charging[d] === 1, on, on && f.sensed ? samples : undefined);
      // Scoring truth: monitored time on the candidate (never sent).
      if (candidateS && on && model![d]) candidateS[d]! += f.t1 - f.t0;
      if (rec.ends(d, f.t1, f.i === lastTick)) rec.flush(d, f.t1, { phone: f.profile, firmware: f.firmware, model: model?.[d] ?? 0, x: gnss.rx[d]!, y: gnss.ry[d]! });
    },
  };
}
