/** Input errors: one message naming the file, the field path, what was expected and what was found. */

/** Formats a field path the way users read it: `hazards[0].magnitude`. */
export function formatPath(path: ReadonlyArray<string | number | symbol>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Short human rendering of a value found in an input file. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

export interface InputProblem {
  /** Field path inside the file, e.g. `hazards[0].magnitude`; empty for the whole file. */
  path: string;
  /** What was wrong, phrased as "expected ..., found ...". */
  message: string;
}

/**
 * A problem with something a user gave us (scenario, world, profile, model, CLI flag).
 * The CLI prints `message` without a stack trace and exits with code 2.
 */
export class InputError extends Error {
  readonly file: string;
  readonly problems: InputProblem[];

  constructor(file: string, problems: InputProblem[] | InputProblem | string) {
    const list: InputProblem[] =
      typeof problems === 'string' ? [{ path: '', message: problems }] : Array.isArray(problems) ? problems : [problems];
    super(InputError.render(file, list));
    this.name = 'InputError';
    this.file = file;
    this.problems = list;
  }

  /** At most this many problems are listed; the rest are counted (a broken file must not flood the terminal). */
  static readonly LISTED = 20;

  static render(file: string, problems: InputProblem[]): string {
    const lines = problems.slice(0, InputError.LISTED).map((p) => (p.path ? `${file}: ${p.path}: ${p.message}` : `${file}: ${p.message}`));
    if (problems.length > InputError.LISTED) lines.push(`${file}: … and ${problems.length - InputError.LISTED} more problems of this file`);
    return lines.join('\n');
  }

  /** Convenience for a single field problem. */
  static at(file: string, path: string, message: string): InputError {
    return new InputError(file, { path, message });
  }
}

/** True for errors that should be reported to the user as bad input (exit code 2). */
export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError || (err instanceof Error && err.name === 'InputError');
}
