/** Options every earthquake consensus server shares: association, location, magnitude, alert tiers, confirmation. */
import * as z from 'zod';
import { duration } from '../plugin/fields.js';

export const quakeEventOptions = {
  before_p: duration({ min: 0 }).default(3).describe('Triggers join an event from this long before the predicted P arrival...'),
  after_s: duration({ min: 0 }).default(15).describe('...to this long after the predicted S arrival.'),
  max_km: z.number().positive().default(300).describe('...and within this distance of the epicentre, km.'),
  update_every: duration({ positive: true }).default(1).describe('Re-estimate at most this often.'),
  event_timeout: duration({ positive: true }).default(60).describe('Close the event after this long without new triggers.'),
  be_aware_mmi: z.number().min(1).max(10).default(3).describe('Alert tiers: where predicted MMI reaches these.'),
  take_action_mmi: z.number().min(1).max(10).default(4).describe('Predicted MMI from which the alert says "take action" (be_aware_mmi: "be aware").'),
  min_magnitude: z.number().min(0).max(10).default(4.5).describe('No alert below this estimated magnitude (ShakeAlert and MyShake alert from M4.5).'),
  processing_delay: duration({ min: 0 }).default(0).describe('Server-side delay between a decision and the alert leaving, s.'),
  depth_km: z.number().min(0).default(8).describe('Assumed source depth and wave speeds for locating and associating.'),
  vp_km_s: z.number().positive().default(6.1).describe('Assumed P-wave velocity, km/s.'),
  vs_km_s: z.number().positive().default(3.55).describe('Assumed S-wave velocity, km/s.'),
  max_locate_picks: z.number().int().min(3).default(200).describe('Onsets used to locate (spread evenly over the event\'s picks).'),
  locate_window: duration({ positive: true }).default(10).describe('Only onsets up to this long after those the event was declared with locate it (later ones come from farther along a rupture).'),
  p_to_s_amplitude: z.number().min(1).optional().describe('Phones before their S wave report P shaking: scale it by this to estimate magnitude. Default: the calibration file\'s (measured by `hazardsim calibrate`).'),
  amplitude_to_pga: z.number().positive().optional().describe('Phones report the peak of the high-passed 3-axis norm; ground-motion models predict horizontal PGA. Their ratio (PGA / reported peak). Default: the calibration file\'s (measured by `hazardsim calibrate` on calibration/scenarios/quake-amplitudes.yaml).'),
  site_correction: z.boolean().default(true).describe('Invert the ground-motion model for each phone\'s site (the world\'s Vs30 there) rather than rock.'),
  finite_fault_from_m: z.number().min(0).max(10).default(6.5).describe('From this point-source magnitude on, also fit a line rupture growing from the epicentre along the strongly shaken phones (FinDer-style): distances, arrival times and the alert region then follow the rupture, and the magnitude grows with it.'),
  strong_motion_g: z.number().positive().default(0.1).describe('PGA that marks a phone as near the rupture, g.'),
  rupture_velocity_km_s: z.number().positive().default(3).describe('Fastest rupture the fit allows, km/s (the rupture cannot be longer than this × time since origin).'),
  confirm_within: duration({ positive: true }).default(10).describe('Confirm (or cancel) this long after declaring.'),
  confirm_spread_km: z.number().min(0).default(5).describe('The triggers must by then reach this far from the epicentre (90th percentile), km; 0 turns this check off.'),
  confirm_fraction: z.number().min(0).max(1).default(0.2).describe('...and in at least 3 (or half, if fewer) of the cells that should have felt it (S wave passed, predicted PGA ≥ confirm_pga_g; checked when there are 3 or more), this share of the active phones must have triggered; 0 turns this check off.'),
  confirm_pga_g: z.number().positive().default(0.02).describe('Predicted PGA from which a cell should have felt the event, g (for confirm_fraction).'),
};

export interface QuakeEventConfig {
  before_p: number; after_s: number; max_km: number; update_every: number; event_timeout: number;
  be_aware_mmi: number; take_action_mmi: number; min_magnitude: number; processing_delay: number;
  depth_km: number; vp_km_s: number; vs_km_s: number; max_locate_picks: number; locate_window: number; p_to_s_amplitude: number;
  amplitude_to_pga: number; site_correction: boolean; finite_fault_from_m: number; strong_motion_g: number; rupture_velocity_km_s: number;
  confirm_within: number; confirm_spread_km: number; confirm_fraction: number; confirm_pga_g: number;
}
