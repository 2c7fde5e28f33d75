/** Where the package lives, and the compiled JavaScript of modules that must run in worker threads. */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the hazardsim package root above ${start}`);
    dir = up;
  }
}

/** Absolute path of the package root (the folder with package.json). */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * file:// URL of the compiled form of `src/<rel>` (e.g. `engine/device-worker.js`). Worker threads
 * always run compiled code, also when the caller runs from TypeScript sources (tests).
 */
export function compiledModule(rel: string): string {
  const file = join(PACKAGE_ROOT, 'dist', 'src', rel);
  if (!existsSync(file)) throw new Error(`compiled module ${file} is missing: run "npm run build" first`);
  return pathToFileURL(file).href;
}

/**
 * The compiled form of a module given by its file:// URL: itself when it is JavaScript, and its
 * `dist/` twin when it is one of the package's TypeScript sources (tests run sources; workers cannot).
 */
export function compiledUrl(url: string): string {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return url;
  const rel = relative(PACKAGE_ROOT, fileURLToPath(url));
  if (rel.startsWith('..')) return url;
  return compiledModule(relative('src', rel).replace(/\.ts$/, '.js'));
}

/** A path relative to the current directory when that is shorter, for messages. */
export function displayPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}
