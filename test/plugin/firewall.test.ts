/**
 * The truth firewall and the layering, checked on the source itself: what detectors and servers may
 * import and name, who may load scenarios, who may know the built-in plug-ins, and that a detector's
 * view of the device table throws outside its own columns.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ColumnSet } from '../../src/core/columns.js';
import { ColumnAccessError, RestrictedColumns } from '../../src/plugin/columns.js';
import { ROOT } from '../helpers.js';

const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import (static, type-only, re-export or dynamic; with `values`, those that load code only) of every source file, as paths under src/. */
function importGraph(values = false): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/(import\s+type\s[^;]*?from\s+|export\s+type\s[^;]*?from\s+|from\s+|import\s*\(\s*|import\s+)(['"])(\.{1,2}\/[^'"]+)\2/g)) {
      if (values && /^(import|export)\s+type\s/.test(m[1]!)) continue;
      deps.push(relative(SRC, resolve(dirname(file), m[3]!.replace(/\.js$/, '.ts'))));
    }
    g.set(relative(SRC, file), deps);
  }
  return g;
}

function reachable(g: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>(), stack = [from];
  while (stack.length) {
    const f = stack.pop()!;
    for (const d of g.get(f) ?? []) if (!seen.has(d)) { seen.add(d); stack.push(d); }
  }
  return seen;
}

describe('layering and the truth firewall', () => {
  const g = importGraph();
  const files = [...g.keys()];

  it('finds the source files and their imports (the check itself works)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(g.get('engine/run.ts')).toContain('network/link.ts');
    expect(reachable(g, 'cli.ts').size).toBeGreaterThan(50);
  });

  it('detect/ and server/ reach nothing in hazards/, not even through other modules', () => {
    const offenders = files
      .filter((f) => f.startsWith('detect/') || f.startsWith('server/'))
      .flatMap((f) => [...reachable(g, f)].filter((d) => d.startsWith('hazards/')).map((d) => `${f} → ${d}`));
    expect(offenders).toEqual([]);
  });

  it('detect/ and server/ name no truth column (true positions, mobility, context, hazard state)', () => {
    const truth = /\.(?:f64|f32|u8|i8|u16|u32|i32|has)\(\s*[`'"](?:x|y|monitoring|behaviour|pose|mob\.[^`'"]*|ctx\.[^`'"]*|hazard[^`'"]*)[`'"]/;
    const offenders = files.filter((f) => (f.startsWith('detect/') || f.startsWith('server/')) && truth.test(readFileSync(join(SRC, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('truth for observations is read in one named place: only the trigger stage calls siteShaking', () => {
    const callers = files.filter((f) => /\.siteShaking\W*\(/.test(readFileSync(join(SRC, f), 'utf8')));
    expect(callers).toEqual(['engine/trigger-stage.ts']);
  });

  it('only the CLI, the engine and the composition root load scenarios', () => {
    const gv = importGraph(true);
    const importers = files.filter((f) => (gv.get(f) ?? []).includes('scenario/load.ts'));
    expect(importers.filter((f) => !(f === 'cli.ts' || f.startsWith('cli/') || f.startsWith('engine/') || f === 'plugins.ts'))).toEqual([]);
    expect(importers.length).toBeGreaterThan(0);
  });

  it('nothing below the CLI knows the built-in plug-ins (the composition root hands them in)', () => {
    const importers = files.filter((f) => (g.get(f) ?? []).includes('plugins.ts'));
    expect(importers.filter((f) => !(f === 'cli.ts' || f.startsWith('cli/')))).toEqual([]);
  });

  it('the plug-in SDK depends on core/ and on the types of worlds, profiles and roads only', () => {
    const allowed = (d: string) => d.startsWith('plugin/') || d.startsWith('core/') || ['world/load.ts', 'world/roads.ts', 'sensors/profile.ts', 'population/behaviour.ts'].includes(d);
    const offenders = files.filter((f) => f.startsWith('plugin/')).flatMap((f) => (g.get(f) ?? []).filter((d) => !allowed(d)).map((d) => `${f} → ${d}`));
    expect(offenders).toEqual([]);
  });

  it('physics/ (ground motion shared by hazards and servers) imports neither', () => {
    const offenders = files.filter((f) => f.startsWith('physics/')).flatMap((f) => [...reachable(g, f)].filter((d) => /^(hazards|server|detect|engine|scenario)\//.test(d)));
    expect(offenders).toEqual([]);
  });

  it('has no import cycle', () => {
    const state = new Map<string, 1 | 2>(), cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      state.set(f, 1);
      for (const d of g.get(f) ?? []) {
        if (state.get(d) === 1) cycles.push([...path.slice(path.indexOf(d)), d].join(' → '));
        else if (!state.has(d)) visit(d, [...path, d]);
      }
      state.set(f, 2);
    };
    for (const f of files) if (!state.has(f)) visit(f, [f]);
    expect(cycles).toEqual([]);
  });
});

describe('a detector\'s view of the device table', () => {
  const cols = ColumnSet.allocate(4, [{ name: 'x', type: 'f64' }, { name: 'gnss.speed', type: 'f32' }, { name: 'detector.sta', type: 'f64' }, { name: 'hazard0.pga_g', type: 'f32' }]);
  const view = new RestrictedColumns(cols, 'detector "sta-lta" (detector)', ['detector.', 'gnss.speed']);

  it('gives its own columns and the sensor outputs it declared, as the same memory', () => {
    view.f64('detector.sta')[2] = 7;
    expect(cols.f64('detector.sta')[2]).toBe(7);
    expect(view.f32('gnss.speed')).toBe(cols.f32('gnss.speed'));
  });

  it('throws, naming the column and what it may see, on true positions or a hazard\'s state', () => {
    expect(() => view.f64('x')).toThrow(ColumnAccessError);
    expect(() => view.f64('x')).toThrow(/may not read column "x": it sees only "detector\.", "gnss\.speed"/);
    expect(() => view.f32('hazard0.pga_g')).toThrow(ColumnAccessError);
    expect(view.has('x')).toBe(false);
  });
});
