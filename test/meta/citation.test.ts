import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../helpers.js';

describe('licence and citation', () => {
  it('ship a licence matching package.json and a CITATION.cff naming the package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(new RegExp(`^${pkg.license} License`));
    const cff = parse(readFileSync(join(ROOT, 'CITATION.cff'), 'utf8'));
    // The Citation File Format 1.2.0's required keys, and the version people cite is the one they run.
    for (const key of ['cff-version', 'message', 'title', 'authors']) expect(cff[key], key).toBeTruthy();
    expect(cff['cff-version']).toBe('1.2.0');
    expect(cff.version).toBe(pkg.version);
    expect(cff.license).toBe(pkg.license);
  });
});
