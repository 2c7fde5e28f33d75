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
 * Progress on stderr once the work has taken more than `delayMs` (short runs stay quiet): a bar on
 * a TTY; off it (a log, CI), a plain line every `everyMs`. The time left is extrapolated from the
 * progress made since the first report, so set-up time does not skew it.
 */
/** Interval of plain progress lines off a TTY, ms (HAZARDSIM_PROGRESS_MS sets it, e.g. for a CI log). */
const PLAIN_EVERY_MS = Number(process.env.HAZARDSIM_PROGRESS_MS ?? 10_000);

export function progressBar(options: { enabled: boolean; label: string; delayMs?: number; everyMs?: number }) {
  const tty = process.stderr.isTTY === true;
  const enabled = options.enabled && tty;
  const started = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  let first: { t: number; f: number } | undefined, lastLine = 0;
  const plain = (fraction: number) => {
    const now = Date.now();
    first ??= { t: now, f: fraction };
    if (now - started < (options.delayMs ?? PLAIN_EVERY_MS) || now - lastLine < (options.everyMs ?? PLAIN_EVERY_MS)) return;
    lastLine = now;
    const rate = (fraction - first.f) / Math.max(1, now - first.t);
    const left = rate > 0 ? ((1 - fraction) / rate) / 1000 : NaN;
    const secs = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);
    process.stderr.write(`hazardsim: ${options.label}: ${Math.floor(fraction * 100)} % after ${secs((now - started) / 1000)}${Number.isFinite(left) ? `, about ${secs(left)} left` : ''}\n`);
  };
  return {
    update(fraction: number) {
      if (options.enabled && !tty) return plain(fraction);
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
