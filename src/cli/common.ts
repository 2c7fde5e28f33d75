/** Shared CLI plumbing: turning errors into exit codes and messages, progress bars, number formats. */
import cliProgress from 'cli-progress';
import { isInputError } from '../core/errors.js';

/** Exit code for bad input (scenario, world, profile, flags). */
export const EXIT_INPUT = 2;

/** Runs a command handler; bad input prints one message and exits 2, other failures exit 1. */
export async function guard(fn: () => Promise<number | void> | number | void): Promise<void> {
  try {
    const code = await fn();
    process.exitCode = typeof code === 'number' ? code : 0;
  } catch (err) {
    if (isInputError(err)) {
      process.stderr.write(`hazardsim: ${(err as Error).message}\n`);
      process.exitCode = EXIT_INPUT;
      return;
    }
    const e = err as Error;
    process.stderr.write(`hazardsim: internal error: ${e.message}\n`);
    if (process.env.HAZARDSIM_DEBUG) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('(set HAZARDSIM_DEBUG=1 for a stack trace; this is a bug worth reporting)\n');
    process.exitCode = 1;
  }
}

/**
 * A progress bar on stderr, shown only on a TTY and only once the work has taken more than
 * `delayMs` (short runs stay quiet).
 */
export function progressBar(options: { enabled: boolean; label: string; delayMs?: number }) {
  const enabled = options.enabled && process.stderr.isTTY === true;
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(fraction: number) {
      if (!enabled) return;
      if (!bar && Date.now() - started >= (options.delayMs ?? 2000)) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: `${options.label} [{bar}] {percentage}% | eta {eta_formatted}`, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(1000, 0);
      }
      bar?.update(Math.round(fraction * 1000));
    },
    stop() {
      bar?.stop();
    },
  };
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmt = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));
