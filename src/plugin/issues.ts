/** Turns schema-validation issues into messages users can act on ("expected ..., found ..."). */
import type * as z from 'zod';
import { describeValue, formatPath, type InputProblem } from '../core/errors.js';

type Issue = z.core.$ZodIssue & { input?: unknown };

function bound(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean }, kind: 'min' | 'max'): string {
  const v = kind === 'min' ? issue.minimum : issue.maximum;
  const op = kind === 'min' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
  return `${op} ${String(v)}`;
}

/** Edit distance, for "did you mean" hints on misspelled keys. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** Walks a zod schema along `path` (using the input to pick union branches) to find the allowed keys there. */
function allowedKeysAt(schema: z.ZodType, path: PropertyKey[], input: unknown): string[] | undefined {
  let s: any = schema;
  let value: any = input;
  const unwrap = () => {
    for (let guard = 0; guard < 20 && s; guard++) {
      const def = s._zod?.def;
      if (!def) return;
      if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) s = def.innerType;
      else if (def.type === 'pipe') s = def.in;
      else if (def.type === 'union') {
        const options: any[] = def.options;
        const disc = def.discriminator as string | undefined;
        const pick =
          (disc && value && typeof value === 'object'
            ? options.find((o) => o._zod?.def?.shape?.[disc]?._zod?.def?.values?.includes?.(value[disc]))
            : undefined) ?? options.find((o) => o._zod?.def?.type === 'object');
        if (!pick) return;
        s = pick;
      } else return;
    }
  };
  unwrap();
  for (const key of path) {
    const def = s?._zod?.def;
    if (!def) return undefined;
    if (def.type === 'object') s = def.shape?.[key as string];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return undefined;
    value = value?.[key as any];
    unwrap();
  }
  const def = s?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape) : undefined;
}

/** Message for one issue; `schema` and `root` allow key suggestions. */
function describe(issue: Issue, schema?: z.ZodType, root?: unknown): InputProblem[] {
  const path = formatPath(issue.path);
  // A message that already says what it found (a plug-in's own wording) is not told twice.
  const found = 'input' in issue && !/\bfound\b/.test(issue.message) ? `, found ${describeValue(issue.input)}` : '';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = schema ? allowedKeysAt(schema, issue.path, root) : undefined;
      return issue.keys.map((key) => {
        let hint = '';
        if (allowed?.length) {
          const best = allowed.map((k) => [k, editDistance(key, k)] as const).sort((a, b) => a[1] - b[1])[0]!;
          hint = best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best[0]}"?)` : '';
          hint += ` (allowed here: ${allowed.join(', ')})`;
        }
        return { path: formatPath([...issue.path, key]), message: `unknown key "${key}"${hint}` };
      });
    }
    case 'invalid_type': {
      const expected = issue.expected === 'object' ? 'a mapping of keys' : issue.expected === 'array' ? 'a list' : issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`;
      const missing = issue.input === undefined;
      return [{ path, message: missing ? `missing; expected ${expected}` : `expected ${expected}${found}` }];
    }
    case 'too_small': {
      if (!/^Too small/.test(issue.message)) return [{ path, message: `${issue.message}${found}` }];
      const o = issue.origin;
      const what = o === 'array' ? 'a list with length' : o === 'string' ? 'text with length' : 'a value';
      return [{ path, message: `expected ${what} ${bound(issue, 'min')}${found}` }];
    }
    case 'too_big': {
      if (!/^Too big/.test(issue.message)) return [{ path, message: `${issue.message}${found}` }];
      const o = issue.origin;
      const what = o === 'array' ? 'a list with length' : o === 'string' ? 'text with length' : 'a value';
      return [{ path, message: `expected ${what} ${bound(issue, 'max')}${found}` }];
    }
    case 'invalid_value':
      return [{ path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${found}` }];
    case 'invalid_union': {
      const anyIssue = issue as any;
      if (anyIssue.discriminator) {
        const value = anyIssue.input?.[anyIssue.discriminator];
        const options = (anyIssue.options as unknown[]).map((o) => JSON.stringify(o)).join(', ');
        const what = value === undefined ? 'missing' : `unknown value ${describeValue(value)}`;
        return [{ path, message: `${what}; expected one of ${options}` }];
      }
      return [{ path, message: `${issue.message}${found}` }];
    }
    case 'invalid_format':
      if (!/^Invalid/.test(issue.message)) return [{ path, message: `${issue.message}${found}` }];
      return [{ path, message: `expected text matching ${(issue as any).pattern ?? issue.format}${found}` }];
    default:
      return [{ path, message: `${issue.message}${found}` }];
  }
}

/** Converts zod issues to problems (path + message), sorted by path for stable output. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], schema?: z.ZodType, root?: unknown): InputProblem[] {
  const out: InputProblem[] = [];
  for (const issue of issues) out.push(...describe(issue as Issue, schema, root));
  return out;
}
