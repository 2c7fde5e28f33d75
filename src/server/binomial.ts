/**
 * `binomial` crowd consensus after the Community Seismic Network (Clayton et al. 2012; Faulkner et
 * al. 2011): each cell tests whether the number of its active phones that triggered within the
 * window is more than background noise explains. With n active phones each falsely triggering at
 * rate λ per phone-hour, the count in a window w is Binomial(n, p = 1 − exp(−λw)); the cell fires
 * when P(X ≥ k) ≤ α, with α set so that, over all cells with phones, false fires happen at
 * `target_false_fires_per_day`. λ starts at `background_per_phone_hour` and is learned per cell
 * from the triggers no event claims (a gamma–Poisson update weighted by `prior_phone_hours`).
 * Events then need `min_cells` (2) fired cells close together, as in cell-ratio (crowd.ts).
 */
import * as z from 'zod';
import { binomialTail } from './binomial-tails.js';
import type { TriggerMessage } from '../plugin/index.js';
import type { ConsensusPlugin, ServerContext } from '../plugin/index.js';
import { calibratedServer, requireCalibrated, CellConsensusServer, cellConsensusChecks, cellConsensusOptions, cellConsensusWarnings, type CellConsensusConfig } from './cell-consensus.js';

export const binomialSchema = z
  .strictObject({
    type: z.literal('binomial'),
    ...cellConsensusOptions,
    background_per_phone_hour: z.number().positive().optional().describe('Prior background trigger rate per phone-hour. Default: the calibration file\'s (measured by `hazardsim calibrate` on calibration/scenarios/quiet-background.yaml).'),
    prior_phone_hours: z.number().min(0).default(100).describe('Weight of the prior in phone-hours; 0 trusts only what the cell has seen.'),
    target_false_fires_per_day: z.number().positive().max(1e6).default(0.1).describe('Network-wide false cell fires per day the test allows.'),
  })
  .superRefine((c, ctx) => cellConsensusChecks(c, ctx));

export type BinomialConfig = z.output<typeof binomialSchema>;

export { binomialTail } from './binomial-tails.js';

export class BinomialServer extends CellConsensusServer {
  /** Per cell: free triggers seen, and phone-hours observed. */
  private readonly seen = new Map<number, { triggers: number; phoneHours: number; at: number }>();

  constructor(private readonly b: BinomialConfig, ctx: ServerContext) {
    requireCalibrated(b, ['background_per_phone_hour']);
    super(b as CellConsensusConfig, ctx);
  }

  /** The cell's learned background rate per phone-hour. */
  rate(key: number, now: number): number {
    const s = this.stats(key, now);
    return (this.b.background_per_phone_hour! * this.b.prior_phone_hours + s.triggers) / (this.b.prior_phone_hours + s.phoneHours || 1);
  }

  private stats(key: number, now: number) {
    let s = this.seen.get(key);
    if (!s) this.seen.set(key, (s = { triggers: 0, phoneHours: 0, at: now }));
    s.phoneHours += (this.active.count(key) * (now - s.at)) / 3600;
    s.at = now;
    return s;
  }

  protected override observeFree(key: number, m: TriggerMessage): void {
    if (m.kind === 'trigger') this.stats(key, m.onsetDeviceTime).triggers++;
  }

  /** α per test: the target spread over the tests one window at a time in every cell with phones. */
  private alpha(): number {
    let cells = 0;
    this.active.forEach((n) => { if (n >= this.b.min_active) cells++; });
    return this.b.target_false_fires_per_day / (Math.max(1, cells) * (86400 / this.b.window));
  }

  protected fires(key: number, active: number, triggered: number, now: number): boolean {
    if (active < this.b.min_active) return false;
    const p = 1 - Math.exp(-(this.rate(key, now) * this.b.window) / 3600);
    return binomialTail(active, triggered, p) <= this.alpha();
  }
}

export const binomialServer: ConsensusPlugin<BinomialConfig> = {
  type: 'binomial',
  summary: 'Earthquake consensus: a cell fires when its triggers are improbable under the background rate it learns (binomial test)',
  schema: binomialSchema,
  ...calibratedServer(['amplitude_to_pga', 'p_to_s_amplitude', 'background_per_phone_hour']),
  warnings: cellConsensusWarnings,
  create: (config, ctx) => new BinomialServer(config as never, ctx),
};
