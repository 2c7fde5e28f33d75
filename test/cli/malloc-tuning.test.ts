import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, ROOT, tempDir } from '../helpers.js';
import { MALLOC_TUNABLES, tunedEnv, wantsRestart } from '../../src/cli/malloc-tuning.js';

/** glibc's own reading of a GLIBC_TUNABLES string (the dynamic loader lists the values it parsed). */
const LOADER = '/lib64/ld-linux-x86-64.so.2';
function glibcReads(tunables: string): Record<string, number> {
  const out = spawnSync(LOADER, ['--list-tunables'], { encoding: 'utf8', env: { GLIBC_TUNABLES: tunables } }).stdout;
  const values: Record<string, number> = {};
  for (const m of out.matchAll(/^(glibc\.malloc\.\w+): (0x[0-9a-f]+)/gm)) values[m[1]!] = Number(m[2]);
  return values;
}

describe('malloc tuning of the simulating commands', () => {
  it.skipIf(!existsSync(LOADER))('glibc reads huge pages on, a 1 MiB mmap threshold and a 256 MiB trim threshold, and a user\'s own setting wins', () => {
    const ours = glibcReads(tunedEnv(undefined));
    expect(ours['glibc.malloc.hugetlb']).toBe(1);
    expect(ours['glibc.malloc.mmap_threshold']).toBe(1 << 20);
    expect(ours['glibc.malloc.trim_threshold']).toBe(256 << 20);
    const theirs = glibcReads(tunedEnv('glibc.malloc.hugetlb=0:glibc.malloc.mmap_threshold=65536'));
    expect(theirs['glibc.malloc.hugetlb']).toBe(0);
    expect(theirs['glibc.malloc.mmap_threshold']).toBe(65536);
    expect(glibcReads('')['glibc.malloc.hugetlb']).toBe(0); // the default the restart changes
  });

  it('restarts only simulating commands on Linux, once, and never over a user\'s own huge-page setting', () => {
    expect(wantsRestart('linux', {}, 'run')).toBe(true);
    expect(wantsRestart('linux', { GLIBC_TUNABLES: 'glibc.malloc.check=3' }, 'calibrate')).toBe(true);
    expect(wantsRestart('linux', {}, 'worker')).toBe(false);
    expect(wantsRestart('linux', {}, 'validate')).toBe(false);
    expect(wantsRestart('linux', {}, undefined)).toBe(false);
    expect(wantsRestart('darwin', {}, 'run')).toBe(false);
    expect(wantsRestart('linux', { GLIBC_TUNABLES: tunedEnv(undefined) }, 'run')).toBe(false); // the restarted child
    expect(wantsRestart('linux', { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'run')).toBe(false);
    expect(tunedEnv('glibc.malloc.check=3')).toBe(`${MALLOC_TUNABLES}:glibc.malloc.check=3`);
  });

  it.skipIf(process.platform !== 'linux')('a restarted run gets the tunables, and SIGTERM to the command stops the run it started', async () => {
    const cmd = spawn(process.execPath, [CLI, 'run', join(ROOT, 'scenarios/quickstart.yaml'), '--out', join(tempDir(), 'out'), '--quiet'], { stdio: 'ignore' });
    // The child: the same node, started by the command with GLIBC_TUNABLES (glibc leaves the variable's start in place).
    const child = await childOf(cmd.pid!);
    const environ = readFileSync(`/proc/${child}/environ`, 'utf8');
    expect(environ).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
    const done = new Promise<{ code: number | null; signal: string | null }>((resolve) => cmd.on('exit', (code, signal) => resolve({ code, signal })));
    cmd.kill('SIGTERM');
    expect(await done).toEqual({ code: null, signal: 'SIGTERM' });
    expect(existsSync(`/proc/${child}`)).toBe(false);
  }, 30_000);

  it.skipIf(process.platform !== 'linux')('a run whose command is killed outright stops too', async () => {
    const cmd = spawn(process.execPath, [CLI, 'run', join(ROOT, 'scenarios/quickstart.yaml'), '--out', join(tempDir(), 'out'), '--quiet'], { stdio: 'ignore' });
    const child = await childOf(cmd.pid!);
    cmd.kill('SIGKILL');
    for (let k = 0; k < 100 && existsSync(`/proc/${child}/stat`) && !/\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8')); k++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(`/proc/${child}/stat`) && !/\) Z/.test(readFileSync(`/proc/${child}/stat`, 'utf8'))).toBe(false);
  }, 30_000);
});

/** The process a command started (polled: it appears a few milliseconds after the command). */
async function childOf(pid: number): Promise<number> {
  for (let k = 0; k < 100; k++) {
    const found = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim();
    if (found) return Number(found.split('\n')[0]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no child of ${pid}`);
}
