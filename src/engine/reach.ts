/**
 * Hazards no phone of the world could observe: a source (any hazard with a `lon` and `lat`) far
 * outside the world's boundary — most often longitude and latitude swapped, or a typo. Such a run
 * would report the hazard as unobserved; a warning says why, in the output and the summary.
 */
import { distanceToPolygonEdge, inPolygon } from '../world/geometry.js';
import type { World } from '../world/load.js';
import type { ResolvedScenario } from '../scenario/load.js';

/** Beyond this distance from the boundary a source is warned about (the farthest a great earthquake's strong shaking reaches is hundreds of km). */
export const FAR_KM = 1000;

export function unreachableHazardWarnings(scenario: ResolvedScenario, world: World): string[] {
  const out: string[] = [];
  scenario.config.hazards.forEach((h, i) => {
    const lon = (h as { lon?: unknown }).lon, lat = (h as { lat?: unknown }).lat;
    if (typeof lon !== 'number' || typeof lat !== 'number') return;
    const [x, y] = world.frame.project([lon, lat]);
    if (world.boundary.some((p) => inPolygon(p, x, y))) return;
    const km = Math.min(...world.boundary.map((p) => distanceToPolygonEdge(p, x, y))) / 1000;
    if (!(km > FAR_KM)) return;
    const swapped = world.frame.project([lat, lon]);
    const hint = world.boundary.some((p) => inPolygon(p, swapped[0], swapped[1])) ? ' ([lat, lon] would lie inside it: are they swapped?)' : '';
    out.push(`hazards[${i}]: lon ${lon}, lat ${lat} lies ${Math.round(km).toLocaleString('en-US')} km outside world ${world.name}: no phone can observe it${hint}`);
  });
  return out;
}
