/** What a dataset window is labelled with: the highest-priority thing that happened to the device inside it. */
import { PRIORITY, classOf } from './labels.js';
import type { Exposure } from '../plugin/index.js';

/**
 * Something that happened to a device over [from, to): a hazard or nuisance exposure (the same shape
 * hazards report), an everyday event, an activity, the detector firing.
 */
export type Span = Exposure;

export interface WindowLabel {
  /** The span that labels the window (none: quiet). */
  best: Span | undefined;
  label: string;
  /** The detector fired inside the window. */
  triggered: boolean;
  /** A hazard overlaps the window at all (even too little to label it). */
  touchesHazard: boolean;
}

/**
 * Labels the window [start, start + windowS): the highest-priority span overlapping it by a quarter
 * of the window, or by half of a shorter span; `quiet` when none does.
 */
export function labelWindow(spans: readonly Span[], start: number, windowS: number): WindowLabel {
  const end = start + windowS;
  let best: Span | undefined, triggered = false, touchesHazard = false;
  for (const x of spans) {
    if (x.kind === 'triggered') {
      if (x.from >= start && x.from < end) triggered = true;
      continue;
    }
    const overlap = Math.min(end, x.to) - Math.max(start, x.from);
    if (overlap <= 0) continue;
    if (classOf(x.kind, false) === 'positive') touchesHazard = true;
    if (overlap < Math.min(0.25 * windowS, 0.5 * (x.to - x.from))) continue;
    if (!best || (PRIORITY[x.kind] ?? 0) > (PRIORITY[best.kind] ?? 0)) best = x;
  }
  return { best, label: best?.kind ?? 'quiet', triggered, touchesHazard };
}

/** Adds a span to a device's list, extending one of the same kind it overlaps (activities arrive tick by tick). */
export function addSpan(spans: Span[], span: Span): void {
  for (const x of spans) {
    if (x.kind === span.kind && x.from <= span.to && span.from <= x.to) { x.from = Math.min(x.from, span.from); x.to = Math.max(x.to, span.to); return; }
  }
  spans.push(span);
}
