/**
 * Writes a run's output folder atomically: everything goes into a temporary sibling folder that is
 * renamed into place only when complete, so a failed run never leaves half-written results.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export async function writeFolderAtomically(outDir: string, write: (tmpDir: string) => Promise<void> | void): Promise<void> {
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = join(parent, `.${basename(outDir)}.tmp-${stamp}`);
  mkdirSync(tmp);
  try {
    await write(tmp);
    if (existsSync(outDir)) {
      const old = join(parent, `.${basename(outDir)}.old-${stamp}`);
      renameSync(outDir, old);
      renameSync(tmp, outDir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, outDir);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
