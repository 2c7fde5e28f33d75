/** Versions of hazardsim and the packages it runs on, for manifests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { PACKAGE_ROOT } from '../core/paths.js';

export function packageVersions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'));
  const out: Record<string, string> = { hazardsim: pkg.version, node: process.versions.node };
  const require = createRequire(join(PACKAGE_ROOT, 'package.json'));
  for (const dep of Object.keys(pkg.dependencies ?? {}).sort()) {
    try {
      const file = require.resolve(`${dep}/package.json`);
      out[dep] = JSON.parse(readFileSync(file, 'utf8')).version;
    } catch {
      // Packages whose exports hide package.json: read it from node_modules directly.
      try {
        out[dep] = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'node_modules', dep, 'package.json'), 'utf8')).version;
      } catch {
        out[dep] = 'unknown';
      }
    }
  }
  return out;
}
