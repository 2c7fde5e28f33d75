/** Durations as written in files (`90s`, `10m`, `2h`, `250ms`, `1d`, or a plain number of seconds). */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600, d: 86400 };
const PATTERN = /^\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(ms|s|min|m|h|d)?\s*$/i;

/** The regular expression a duration string must match (exported for the JSON schema). */
export const DURATION_REGEX = '^\\s*-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?\\s*(ms|s|min|m|h|d)?\\s*$';

/** Parses a duration into seconds; returns undefined when the text is not a duration. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const m = PATTERN.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const scale = UNIT_SECONDS[unit];
  if (scale === undefined || !Number.isFinite(n)) return undefined;
  return n * scale;
}

/** Formats seconds compactly for humans (`1.5 s`, `10 min`, `2 h`). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const a = Math.abs(seconds);
  if (a >= 86400 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (a >= 3600) return `${+(seconds / 3600).toFixed(2)} h`;
  if (a >= 60) return `${+(seconds / 60).toFixed(2)} min`;
  if (a >= 1) return `${+seconds.toFixed(2)} s`;
  return `${+(seconds * 1000).toFixed(1)} ms`;
}
