import { describe, expect, it } from 'vitest';
import { EventPicks } from '../../src/server/event-picks.js';

describe('EventPicks', () => {
  it('finds each phone\'s row as a Map would, through growth, for phones present and absent', () => {
    const picks = new EventPicks(), reference = new Map<number, number>();
    let s = 17;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 50_000; k++) {
      // Ids from a ten-million range, some clustered (neighbours collide in a hash table more often).
      const d = rand() < 0.5 ? Math.floor(rand() * 10_000_000) : 4_000_000 + Math.floor(rand() * 60_000);
      if (reference.has(d)) continue;
      reference.set(d, picks.append(d, { x: d, y: -d, t: k, amplitude: 1 }, 760));
    }
    expect(picks.size).toBe(reference.size);
    for (const [d, row] of reference) {
      expect(picks.rowOf(d)).toBe(row);
      expect(picks.device[row]).toBe(d);
      expect(picks.x[row]).toBe(d);
    }
    let absent = 0;
    for (let k = 0; k < 20_000; k++) { const d = Math.floor(rand() * 10_000_000); if (!reference.has(d)) { absent++; expect(picks.rowOf(d)).toBe(-1); } }
    expect(absent).toBeGreaterThan(19_000);
  });
});
