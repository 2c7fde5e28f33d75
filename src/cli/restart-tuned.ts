/** Restarts a simulating `hazardsim` command with glibc's malloc tuned (imported first by cli.ts; see malloc-tuning.ts for why). */
import { spawn } from 'node:child_process';
import { RESTARTED, tunedEnv, wantsRestart } from './malloc-tuning.js';

if (process.env[RESTARTED] === '1') {
  // The restarted command: it stops as on SIGTERM (its temporary output removed) when the command that
  // started it is gone, even killed outright, and never waits on the channel itself.
  delete process.env[RESTARTED];
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.channel?.unref();
  // Gone before this module ran (the channel closed while the CLI was loading): its event has passed.
  if (!process.channel || !process.connected) process.kill(process.pid, 'SIGTERM');
} else if (wantsRestart(process.platform, process.env, process.argv[2])) {
  // The same node, flags and arguments. SIGINT and SIGTERM sent to this process go on to the run
  // (which cleans up and exits 130 or 143; a second one from the terminal's Ctrl-C finds it exiting).
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, GLIBC_TUNABLES: tunedEnv(process.env.GLIBC_TUNABLES), [RESTARTED]: '1' },
  });
  const signals = { SIGINT: () => child.kill('SIGINT'), SIGTERM: () => child.kill('SIGTERM'), SIGHUP: () => child.kill('SIGHUP') };
  for (const [s, f] of Object.entries(signals)) process.on(s, f);
  // Resolves only when the child could not be started: then this process runs the command itself.
  await new Promise<void>((resolve) => {
    child.on('error', () => {
      for (const [s, f] of Object.entries(signals)) process.off(s, f);
      resolve();
    });
    child.on('exit', (code, signal) => {
      if (signal) {
        for (const [s, f] of Object.entries(signals)) process.off(s, f);
        process.kill(process.pid, signal);
      }
      process.exit(code ?? 1);
    });
  });
}
