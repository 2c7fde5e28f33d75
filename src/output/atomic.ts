/**
 * Writes a run's output folder atomically: everything goes into a temporary sibling folder that is
 * renamed into place only when complete, so a failed run never leaves half-written results. It
 * replaces only what hazardsim wrote before (a folder with its marker file), never a user's file or
 * folder, and clears temporary folders a killed run left behind.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, parse } from 'node:path';
import { InputError } from '../core/errors.js';

/** Files whose presence marks a folder as hazardsim's own output (safe to replace). */
const MARKERS = ['manifest.json', 'replicates.json'];

/**
 * Checks that `outDir` can become hazardsim's output folder without destroying anything else:
 * not an existing file, not under a path that is not a folder, not a non-empty folder hazardsim did
 * not write. `flag` names the option the path came from. Throws InputError (exit 2) otherwise.
 */
export function checkOutputFolder(outDir: string, flag = '--out'): void {
  if (existsSync(outDir)) {
    const st = statSync(outDir);
    if (!st.isDirectory()) throw new InputError(flag, `${outDir} is an existing file, not a folder: it would be replaced; choose a folder path`);
    const entries = readdirSync(outDir);
    if (entries.length > 0 && !entries.some((e) => MARKERS.includes(e))) {
      throw new InputError(flag, `${outDir} is a folder hazardsim did not write (no ${MARKERS[0]} in it) and is not empty: it would be replaced; choose a new or empty folder`);
    }
    return;
  }
  // The nearest existing ancestor must be a folder.
  let p = dirname(outDir);
  const root = parse(outDir).root;
  while (!existsSync(p) && p !== root) p = dirname(p);
  if (existsSync(p) && !statSync(p).isDirectory()) throw new InputError(flag, `${outDir} cannot be a folder: ${p} is a file`);
}

/** Removes temporary siblings `.<name>.tmp-<pid>-*` and `.<name>.old-<pid>-*` of processes that no longer run, saying so. */
function clearStale(parent: string, name: string): void {
  let entries: string[];
  try { entries = readdirSync(parent); } catch { return; }
  for (const e of entries) {
    const m = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-(\\d+)-`).exec(e);
    if (!m) continue;
    const pid = Number(m[2]);
    let alive = pid === process.pid;
    if (!alive) {
      try { process.kill(pid, 0); alive = true; } catch (err) { alive = (err as NodeJS.ErrnoException).code === 'EPERM'; }
    }
    if (alive) continue;
    rmSync(join(parent, e), { recursive: true, force: true });
    process.stderr.write(`hazardsim: removed ${join(parent, e)}, left behind by an interrupted run (process ${pid})\n`);
  }
}

/** Folders being written now: on SIGINT or SIGTERM their temporary copy goes and an earlier result stays. */
const writing = new Map<string, { tmp: string; old: string }>();
let handlersInstalled = false;

function undoAll(): void {
  for (const [outDir, w] of writing) {
    rmSync(w.tmp, { recursive: true, force: true });
    // Interrupted between the two renames: put the earlier result back.
    if (existsSync(w.old) && !existsSync(outDir)) renameSync(w.old, outDir);
  }
  writing.clear();
}

function installInterruptCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      undoAll();
      process.stderr.write(`hazardsim: interrupted (${signal}); no result was written, an earlier one is untouched\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Test hook: wait this long (ms) with the complete temporary folder before moving it into place. */
const delayBeforeRename = Number(process.env.HAZARDSIM_TEST_WRITE_DELAY_MS ?? 0);

/** File-system refusals that are the user's to fix (permissions, a full or read-only disk), by errno code. */
const WRITE_REFUSALS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded', ENOTDIR: 'a part of the path is not a folder', EISDIR: 'a folder is in the way', ENAMETOOLONG: 'the name is too long',
};

/** An output write the file system refused, as bad input (exit 2) naming the path; other errors pass through. */
export function asWriteRefusal(err: unknown, flag: string, target?: string): unknown {
  const e = err as NodeJS.ErrnoException;
  const why = e?.code ? WRITE_REFUSALS[e.code] : undefined;
  if (!why) return err;
  const at = e.path && e.path !== target ? ` (at ${e.path})` : '';
  return new InputError(flag, `cannot write ${target ?? e.path ?? 'the output'}: ${why}, ${e.code}${at}; nothing was written`);
}

export async function writeFolderAtomically(outDir: string, write: (tmpDir: string) => Promise<void> | void, flag = '--out'): Promise<void> {
  try {
    await writeFolder(outDir, write, flag);
  } catch (err) {
    throw asWriteRefusal(err, flag, outDir);
  }
}

async function writeFolder(outDir: string, write: (tmpDir: string) => Promise<void> | void, flag: string): Promise<void> {
  checkOutputFolder(outDir, flag);
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  clearStale(parent, basename(outDir));
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = join(parent, `.${basename(outDir)}.tmp-${stamp}`);
  const old = join(parent, `.${basename(outDir)}.old-${stamp}`);
  installInterruptCleanup();
  mkdirSync(tmp);
  writing.set(outDir, { tmp, old });
  try {
    await write(tmp);
    if (delayBeforeRename > 0) await new Promise((r) => setTimeout(r, delayBeforeRename));
    if (existsSync(outDir)) {
      renameSync(outDir, old);
      renameSync(tmp, outDir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, outDir);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(outDir)) renameSync(old, outDir);
    throw err;
  } finally {
    writing.delete(outDir);
  }
}
