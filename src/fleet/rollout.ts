/**
 * A staged rollout as the fleet backend runs it: at fixed decision times (each telemetry period's
 * end plus a delay, and each step's time) it reads the telemetry that has arrived, compares the
 * candidate cohort with the control (eligible phones still on the baseline) and decides to start,
 * advance, hold, or — on an alarm — roll back or halt. Phones learn a decision with their next
 * heartbeat and switch detectors at their first tick after it. It sees telemetry rows only.
 *
 * Monitors:
 * - false triggers: Wald's sequential probability ratio test (Wald 1945, Ann. Math. Stat. 16:117)
 *   on the triggers per phone-hour of candidate and control, conditional on their total (given n
 *   triggers, the candidate's count is binomial with p = ρT_c / (ρT_c + T_b)); H0: ρ = 1, H1: ρ =
 *   `false_trigger_ratio`; alarm at log LR ≥ ln((1 − β)/α), cleared at ≤ ln(β/(1 − α)). A step
 *   starts only once the evidence so far clears the candidate (the first step needs none).
 * - score shift (model candidates): the population stability index of the candidate's model-score
 *   histogram in a period against its histogram during the first step.
 *
 * Inference latency is not a run-time monitor: measured on this machine's clock it would make the
 * run's decisions depend on machine load; the scenario's `budget` gates it before the rollout
 * (run and validate warn when the candidate's measured p99 exceeds `budget.latency_p99_ms`).
 */
import { componentKey, stableUniform } from '../core/random.js';
import type { RolloutConfig } from './schema.js';
import type { TelemetryRow } from './telemetry-table.js';
import { SCORE_BINS } from './telemetry-table.js';

export type RolloutStatus = 'scheduled' | 'running' | 'completed' | 'rolled_back' | 'halted';

export interface RolloutDecision {
  time_s: number;
  action: 'start' | 'advance' | 'hold' | 'watch' | 'alarm' | 'complete';
  step: number;
  share: number;
  log_lr: number;
  candidate_phone_hours: number;
  candidate_triggers: number;
  control_phone_hours: number;
  control_triggers: number;
  score_psi: number | null;
  reason?: string;
}

/** PSI of two histograms (counts), with a small floor on empty bins. */
export function histogramPsi(ref: ArrayLike<number>, cur: ArrayLike<number>, bins: number): number {
  let nr = 0, nc = 0;
  for (let b = 0; b < bins; b++) { nr += ref[b]!; nc += cur[b]!; }
  if (!nr || !nc) return NaN;
  let psi = 0;
  for (let b = 0; b < bins; b++) {
    const p = Math.max(ref[b]! / nr, 1e-4), q = Math.max(cur[b]! / nc, 1e-4);
    psi += (q - p) * Math.log(q / p);
  }
  return psi;
}

export class RolloutController {
  status: RolloutStatus = 'scheduled';
  step = -1;
  readonly decisions: RolloutDecision[] = [];
  /** First step's start, the alarm, and when the last phone switched back. */
  startedAt = NaN;
  alarmAt = NaN;
  alarmReason = '';
  settledBy = NaN;
  completedAt = NaN;
  private candH = 0; private candN = 0; private ctrlH = 0; private ctrlN = 0;
  private readonly refScores = new Float64Array(SCORE_BINS);
  private readonly upper: number;
  private readonly lower: number;
  private readonly key: number;
  /** Per device: times its detector switched (on the tick grid) and to which, in order. */
  private readonly switches = new Map<number, number[]>();

  constructor(private readonly cfg: RolloutConfig, private readonly o: {
    seed: number; devices: number; phone: Uint8Array; eligible: readonly number[]; tick: number;
    /** Shared columns the phones read: the detector they were told to run and when that reaches them. */
    target: Uint8Array; switchAt: Float64Array;
    /** Device d's first heartbeat at or after t. */
    heartbeat: (d: number, t: number) => number;
    /** With a rollout region: whether a position (world frame) lies in it, and where the backend last heard device d was. */
    inRegion?: (x: number, y: number) => boolean;
    lastPosition?: (d: number) => [number, number];
  }) {
    const m = cfg.monitor;
    this.upper = Math.log((1 - m.beta) / m.alpha);
    this.lower = Math.log(m.beta / (1 - m.alpha));
    this.key = componentKey(o.seed, 'rollout.cohort');
  }

  /** Decision times: every period end plus the delay, and every step's time, up to the end. */
  decisionTimes(every: number, duration: number): number[] {
    const t = new Set<number>();
    for (let e = every; e + this.cfg.monitor.delay < duration; e += every) t.add(e + this.cfg.monitor.delay);
    for (const s of this.cfg.steps) if (s.at < duration) t.add(s.at);
    return [...t].map((x) => Math.ceil(x / this.o.tick - 1e-9) * this.o.tick).filter((x) => x > 0 && x < duration).sort((a, b) => a - b);
  }

  /** The detector (0 baseline, 1 candidate) device d ran at time t. */
  modelAt(d: number, t: number): number {
    const s = this.switches.get(d);
    let m = 0;
    if (s) for (let i = 0; i < s.length; i += 2) if (t >= s[i]!) m = s[i + 1]!;
    return m;
  }

  /** Candidate share of the eligible phones at time t. */
  shareAt(t: number): number {
    let share = 0;
    for (const dec of this.decisions) if (dec.time_s <= t) share = dec.share;
    return share;
  }

  /** Whether a phone of this model at (x, y) may run the candidate (its model, and the region if one is set). */
  private eligible(phone: number, x: number, y: number): boolean {
    return this.o.eligible.includes(phone) && (!this.o.inRegion || this.o.inRegion(x, y));
  }

  /** Tells every phone whose detector should change (its next heartbeat brings it). */
  private assign(t: number, share: number): void {
    const { phone, target, switchAt, devices, tick } = this.o;
    for (let d = 0; d < devices; d++) {
      const [x, y] = this.o.lastPosition?.(d) ?? [NaN, NaN];
      const want = this.eligible(phone[d]!, x, y) && stableUniform(this.key, d, 0) < share ? 1 : 0;
      const now = this.modelAt(d, Infinity);
      if (want === now && target[d] === want) continue;
      const at = Math.ceil(this.o.heartbeat(d, t) / tick - 1e-9) * tick;
      target[d] = want;
      switchAt[d] = at;
      const s = this.switches.get(d);
      // A decision that reverses one not yet applied replaces it.
      if (s && s[s.length - 2]! > t) { s[s.length - 2] = at; s[s.length - 1] = want; } else if (s) s.push(at, want); else this.switches.set(d, [at, want]);
      if (!(at <= this.settledBy)) this.settledBy = at;
    }
  }

  /** One decision at time t, on the telemetry rows that arrived since the last. */
  decide(t: number, rows: readonly TelemetryRow[]): void {
    const m = this.cfg.monitor, cur = new Float64Array(SCORE_BINS);
    for (const r of rows) {
      if (!(r.end > this.startedAt) || !this.eligible(r.phone, r.x, r.y)) continue;
      if (r.model === 1) {
        this.candH += r.monitored / 3600; this.candN += r.triggers;
        if (r.scores) for (let b = 0; b < SCORE_BINS; b++) { cur[b] += r.scores[b]!; if (this.step === 0) this.refScores[b] += r.scores[b]!; }
      } else { this.ctrlH += r.monitored / 3600; this.ctrlN += r.triggers; }
    }
    const llr = this.logLr();
    let psi: number | null = null;
    let nRef = 0, nCur = 0;
    for (let b = 0; b < SCORE_BINS; b++) { nRef += this.refScores[b]!; nCur += cur[b]!; }
    if (this.step > 0 && nRef >= m.min_windows && nCur >= m.min_windows) psi = histogramPsi(this.refScores, cur, SCORE_BINS);
    const record = (action: RolloutDecision['action'], reason?: string) => this.decisions.push({
      time_s: t, action, step: this.step, share: this.step >= 0 && this.status !== 'rolled_back' ? this.cfg.steps[this.step]!.share : 0, log_lr: llr,
      candidate_phone_hours: this.candH, candidate_triggers: this.candN, control_phone_hours: this.ctrlH, control_triggers: this.ctrlN, score_psi: psi, ...(reason ? { reason } : {}),
    });
    if (this.status !== 'scheduled' && this.status !== 'running') return;
    if (this.status === 'running') {
      const reason = llr >= this.upper ? `false triggers: log likelihood ratio ${llr.toFixed(2)} ≥ ${this.upper.toFixed(2)} (candidate ${this.rate(this.candN, this.candH)} vs control ${this.rate(this.ctrlN, this.ctrlH)} per phone-hour)`
        : psi !== null && psi >= m.score_psi ? `model scores shifted: PSI ${psi.toFixed(3)} ≥ ${m.score_psi} against the first step`
        : '';
      if (reason) {
        this.alarmAt = t; this.alarmReason = reason;
        if (this.cfg.on_alarm === 'rollback') { this.status = 'rolled_back'; this.settledBy = NaN; this.assign(t, 0); } else this.status = 'halted';
        record('alarm', reason);
        return;
      }
    }
    const next = this.cfg.steps[this.step + 1];
    if (!next || t < next.at) { record('watch'); return; }
    if (this.step >= 0 && llr > this.lower) { record('hold', `waiting for evidence: log likelihood ratio ${llr.toFixed(2)} > ${this.lower.toFixed(2)}`); return; }
    this.step++;
    if (this.step === 0) { this.startedAt = t; this.status = 'running'; }
    this.assign(t, next.share);
    const last = this.step === this.cfg.steps.length - 1 && next.share >= 1;
    if (last) { this.status = 'completed'; this.completedAt = t; }
    record(this.step === 0 ? 'start' : last ? 'complete' : 'advance');
  }

  private rate(n: number, h: number): string {
    return h > 0 ? (n / h).toFixed(2) : '—';
  }

  /** The SPRT's log likelihood ratio on the evidence so far (0 without exposure on both sides). */
  logLr(): number {
    const { candH, ctrlH, candN, ctrlN } = this, rho = this.cfg.monitor.false_trigger_ratio;
    if (!(candH > 0) || !(ctrlH > 0)) return 0;
    const p0 = candH / (candH + ctrlH), p1 = (rho * candH) / (rho * candH + ctrlH);
    return candN * Math.log(p1 / p0) + ctrlN * Math.log((1 - p1) / (1 - p0));
  }
}
