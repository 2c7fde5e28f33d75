/** Loads the plug-in set a `--plugins` module exports (or the built-in set without one), checking its shape. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../core/errors.js';
import type { PluginSet } from '../plugin/index.js';
import { builtinPlugins } from '../plugins.js';

/**
 * The set exported as `plugins` by the module at `file` (JavaScript; built with
 * `extendPlugins(builtinPlugins, {...}, import.meta.url)`), or the built-in set when no file is given.
 */
export async function pluginsFrom(file: string | undefined): Promise<PluginSet> {
  if (!file) return builtinPlugins;
  const abs = resolve(file);
  if (!existsSync(abs)) throw new InputError('--plugins', `file not found: ${JSON.stringify(file)}`);
  let mod: { plugins?: PluginSet };
  try {
    mod = (await import(pathToFileURL(abs).href)) as { plugins?: PluginSet };
  } catch (err) {
    throw new InputError(file, `could not load the plug-in module: ${(err as Error).message.split('\n')[0]}`);
  }
  const p = mod.plugins;
  const kinds = ['hazards', 'detectors', 'servers'] as const;
  if (!p || typeof p !== 'object' || kinds.some((k) => typeof p[k] !== 'object') || typeof p.module !== 'string') {
    throw new InputError(file, { path: 'plugins', message: 'expected an export `plugins` with hazards, detectors, servers and module (build it with extendPlugins(builtinPlugins, {...}, import.meta.url))' });
  }
  for (const k of kinds) {
    for (const [type, plugin] of Object.entries(p[k])) {
      if (!plugin || plugin.type !== type || typeof plugin.schema?.safeParse !== 'function' || typeof plugin.summary !== 'string') {
        throw new InputError(file, { path: `plugins.${k}.${type}`, message: 'expected a plug-in object with type (its key), summary and a zod schema' });
      }
    }
  }
  return p;
}
