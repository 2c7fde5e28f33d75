import { describe, expect, it } from 'vitest';
import { chooseThreads, MAIN_THREAD_BELOW_S } from '../../src/engine/thread-choice.js';

describe('chooseThreads', () => {
  it('keeps runs too short to repay starting workers in the main thread, at the break-even measured for each fidelity', () => {
    // The agreement scenarios in trigger mode (estimates 0.04-0.11 s) ran in 0.8-1.2 s in the main thread and 2.1-2.5 s on 2 workers.
    expect(chooseThreads({ singleThreadSeconds: 0.11, fidelity: 'trigger', models: false, cores: 2 }).threads).toBe(0);
    // 100,000 phones for 3 min in trigger mode (2.1 s): 3.9 s against 6.4 s.
    expect(chooseThreads({ singleThreadSeconds: 2.1, fidelity: 'trigger', models: false, cores: 2 }).threads).toBe(0);
    // 1,000,000 phones (21 s): 18.3 s against 16.2 s.
    expect(chooseThreads({ singleThreadSeconds: 21, fidelity: 'trigger', models: false, cores: 2 }).threads).toBe(2);
    // Signal mode: agreement/m7-rupture (6.0 s) ran in 11.4 s in the main thread and 8.2 s on 2 workers.
    expect(chooseThreads({ singleThreadSeconds: 6.0, fidelity: 'signal', models: false, cores: 2 }).threads).toBe(2);
    expect(chooseThreads({ singleThreadSeconds: 0.2, fidelity: 'signal', models: false, cores: 2 }).threads).toBe(0);
    expect(MAIN_THREAD_BELOW_S.trigger).toBeGreaterThan(MAIN_THREAD_BELOW_S.signal);
  });

  it('gives runs with ONNX models worker threads whatever their size, and never more than four', () => {
    expect(chooseThreads({ singleThreadSeconds: 0.01, fidelity: 'signal', models: true, cores: 2 })).toEqual({ threads: 2, reason: 'ONNX models run on worker threads' });
    expect(chooseThreads({ singleThreadSeconds: 100, fidelity: 'signal', models: false, cores: 16 }).threads).toBe(4);
    expect(chooseThreads({ singleThreadSeconds: 100, fidelity: 'signal', models: false, cores: 1 }).threads).toBe(1);
  });
});
