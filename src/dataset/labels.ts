/**
 * Labels of dataset windows: a fixed vocabulary (ids stay stable across datasets) and the class
 * each label belongs to — positives (alertable hazards), hard negatives (everyday events and
 * nuisance sources that excite phones like hazards do, and windows where the detector fired), and
 * background (quiet phones, walking, running, driving).
 */

export const LABELS = [
  'quiet', 'walking', 'running', 'driving',
  'door-slam', 'knock', 'drop', 'handling', 'stairs', 'elevator',
  'crowd', 'construction', 'traffic-vibration',
  'earthquake', 'road-anomaly', 'crash',
] as const;
export type Label = (typeof LABELS)[number];

export const CLASSES = ['positive', 'hard-negative', 'background'] as const;
export type WindowClass = (typeof CLASSES)[number];

export const LABEL_ID: Record<string, number> = Object.fromEntries(LABELS.map((l, i) => [l, i]));

const POSITIVE = new Set<string>(['earthquake', 'road-anomaly', 'crash']);
const HARD = new Set<string>(['door-slam', 'knock', 'drop', 'handling', 'stairs', 'elevator', 'crowd', 'construction', 'traffic-vibration']);

/** Class of a label; background labels become hard negatives when the phone's detector fired. */
export function classOf(label: string, triggered: boolean): WindowClass {
  if (POSITIVE.has(label)) return 'positive';
  if (HARD.has(label) || triggered) return 'hard-negative';
  return 'background';
}

/** Which label wins when several things happen in one window. */
export const PRIORITY: Record<string, number> = {
  earthquake: 100, crash: 95, 'road-anomaly': 90,
  crowd: 60, construction: 58, 'traffic-vibration': 56,
  drop: 50, knock: 48, 'door-slam': 46, handling: 44, elevator: 42, stairs: 40,
  running: 20, walking: 18, driving: 16, quiet: 0,
};
