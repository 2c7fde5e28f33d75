import { describe, expect, it } from 'vitest';
import { addSpan, labelWindow, type Span } from '../../src/dataset/window-label.js';

describe('window labels', () => {
  it('take the highest-priority span overlapping a quarter of the window (or half a shorter span); quiet otherwise', () => {
    const spans: Span[] = [];
    addSpan(spans, { kind: 'walking', from: 0, to: 1 });
    addSpan(spans, { kind: 'walking', from: 1, to: 2 }); // continues: extended, not added
    expect(spans).toHaveLength(1);
    expect(spans[0]!.to).toBe(2);
    addSpan(spans, { kind: 'earthquake', from: 5.8, to: 30, split: 8 });
    addSpan(spans, { kind: 'triggered', from: 6.5, to: 7.5 });
    // A 4 s window at 0: walking covers 2 s of it (≥ 1 s, a quarter): walking; nothing fired.
    expect(labelWindow(spans, 0, 4)).toMatchObject({ label: 'walking', triggered: false, touchesHazard: false });
    // At 3: the quake covers 1.2 s of [3, 7) (≥ 1 s) and outranks walking; the trigger at 6.5 is inside.
    const w = labelWindow(spans, 3, 4);
    expect(w.label).toBe('earthquake');
    expect(w.triggered).toBe(true);
    // At 2.5: the quake covers 0.7 s (< 1 s): not its label, but the window touches a hazard.
    expect(labelWindow(spans, 2.5, 4)).toMatchObject({ label: 'quiet', touchesHazard: true });
    // A short event labels a window it half overlaps even when that is under a quarter of the window.
    expect(labelWindow([{ kind: 'knock', from: 10, to: 10.2 }], 9, 4).label).toBe('knock');
    expect(labelWindow([{ kind: 'knock', from: 10, to: 10.2 }], 10.15, 4).label).toBe('quiet');
  });
});
