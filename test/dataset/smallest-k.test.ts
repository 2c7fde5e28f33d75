import { describe, expect, it } from 'vitest';
import { SmallestK } from '../../src/dataset/smallest-k.js';
import { FastRandom } from '../../src/core/random.js';

describe('SmallestK', () => {
  it('keeps the k smallest hashes of a stream, whatever their order, as sorting would', () => {
    const r = FastRandom.of(1, 'smallest-k');
    for (const k of [1, 5, 100]) {
      const hashes = Array.from({ length: 2000 }, () => (r.nextInt32() >>> 0));
      const heap = new SmallestK(k);
      const slots = new Map<number, number>();
      hashes.forEach((h, i) => {
        if (!heap.wants(h)) return;
        const evicted = heap.push(h, i);
        slots.set(i, h);
        if (evicted >= 0) slots.delete(evicted);
      });
      const kept = Array.from({ length: heap.size }, (_, i) => heap.hash[i]!).sort((a, b) => a - b);
      expect(kept).toEqual([...hashes].sort((a, b) => a - b).slice(0, k));
      // The slots it reports evicted are exactly those no longer kept.
      expect([...slots.values()].sort((a, b) => a - b)).toEqual(kept);
    }
  });
});
