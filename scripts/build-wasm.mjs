/** Compiles the WebAssembly text sources under src/ (*.wat) to their twins under dist/src/ (*.wasm) with wabt, as part of `npm run build`. */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wabt = await wabtInit();
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.wat') ? [join(dir, e.name)] : []));
for (const file of walk(join(root, 'src'))) {
  const module = wabt.parseWat(file, readFileSync(file, 'utf8'), { simd: true });
  module.validate();
  const out = join(root, 'dist', relative(root, file)).replace(/\.wat$/, '.wasm');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, Buffer.from(module.toBinary({}).buffer));
  module.destroy();
}
