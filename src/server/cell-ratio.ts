/**
 * `cell-ratio` crowd consensus after MyShake (Kong et al. 2016; Kong, Martin-Short & Allen 2020):
 * a cell fires when at least `min_fraction` (30 %) of at least `min_active` (5) active phones in it
 * triggered within `window`; an event needs `min_cells` fired cells close together in space and
 * time (crowd.ts). Cells are a metric grid or H3 hexagons (10 km by default).
 */
import * as z from 'zod';
import type { ConsensusPlugin, ServerContext } from '../plugin/index.js';
import { calibratedServer, CellConsensusServer, cellConsensusChecks, cellConsensusOptions, cellConsensusWarnings, type CellConsensusConfig } from './cell-consensus.js';

export const cellRatioSchema = z
  .strictObject({
    type: z.literal('cell-ratio'),
    ...cellConsensusOptions,
    min_fraction: z.number().positive().default(0.3).describe('Share of a cell\'s active phones that must trigger.'),
  })
  .superRefine((c, ctx) => {
    if (c.min_fraction > 1) ctx.addIssue({ code: 'custom', path: ['min_fraction'], message: `expected a fraction ≤ 1 (a cell can never have more than all its phones triggered, so it could never fire), found ${c.min_fraction}`, input: c.min_fraction });
    cellConsensusChecks(c, ctx);
  });

export type CellRatioConfig = z.output<typeof cellRatioSchema>;

export class CellRatioServer extends CellConsensusServer {
  constructor(private readonly cr: CellRatioConfig, ctx: ServerContext) {
    super(cr as CellConsensusConfig, ctx);
  }

  protected fires(_key: number, active: number, triggered: number): boolean {
    return active >= this.cr.min_active && triggered >= this.cr.min_fraction * active;
  }
}

export const cellRatioServer: ConsensusPlugin<CellRatioConfig> = {
  type: 'cell-ratio',
  summary: 'Earthquake consensus as MyShake: a cell fires when a share of its active phones trigger; clustered cells declare an event',
  schema: cellRatioSchema,
  ...calibratedServer(['amplitude_to_pga', 'p_to_s_amplitude']),
  warnings: cellConsensusWarnings,
  create: (config, ctx) => new CellRatioServer(config as never, ctx),
};
