/**
 * Typed command-line options. Each command declares its options once (type, range, choices, default); the
 * command line is parsed and checked here, before the command runs, so a command receives numbers as numbers
 * and never sees `--workers abc`. Errors are UsageError: one sentence naming the option at fault.
 */

interface Described {
  /** One line for `--help`. */
  description?: string;
  /** The value's name in help, as in `--workers N`. */
  placeholder?: string;
  short?: string;
}

export interface BooleanOption extends Described {
  type: 'boolean';
}

export interface StringOption extends Described {
  type: 'string';
  /** Allowed values; anything else is refused naming them. */
  choices?: readonly string[];
  default?: string;
}

export interface NumberOption extends Described {
  /** integer: whole numbers only. */
  type: 'integer' | 'number';
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive bounds, for ranges such as (0, 4]. */
  above?: number;
  below?: number;
  default?: number;
}

/** A comma-separated list of numbers, each checked like a NumberOption: `--sweep 0.12,0.13`. */
export interface ListOption extends Described {
  type: 'integers' | 'numbers';
  min?: number;
  max?: number;
  above?: number;
  below?: number;
  default?: readonly number[];
}

export type OptionSpec = BooleanOption | StringOption | NumberOption | ListOption;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S> =
  S extends { type: 'boolean' } ? boolean
  : S extends { type: 'string'; choices: readonly (infer C)[] } ? (S extends { default: string } ? C : C | undefined)
  : S extends { type: 'string' } ? (S extends { default: string } ? string : string | undefined)
  : S extends { type: 'integer' | 'number' } ? (S extends { default: number } ? number : number | undefined)
  : S extends { type: 'integers' | 'numbers' } ? (S extends { default: readonly number[] } ? number[] : number[] | undefined)
  : never;

/** What a command receives for its declared options. */
export type OptionValues<S extends OptionSpecs> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** A command line that cannot run as typed: shown as one sentence, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly option?: string) {
    super(message);
  }
}

/** "from 1 to 65535", "above 0 and at most 4", or "" when unbounded. */
function rangeText(spec: NumberOption | ListOption): string {
  if (spec.min !== undefined && spec.max !== undefined) return `from ${spec.min} to ${spec.max}`;
  const low = spec.min !== undefined ? `at least ${spec.min}` : spec.above !== undefined ? `above ${spec.above}` : undefined;
  const high = spec.max !== undefined ? `at most ${spec.max}` : spec.below !== undefined ? `below ${spec.below}` : undefined;
  return [low, high].filter(Boolean).join(' and ');
}

/** "a whole number from 1 to 65535", "a number, above 0 and at most 4"... for the error sentences and help. */
export function describeRange(spec: NumberOption | ListOption): string {
  const whole = spec.type === 'integer' || spec.type === 'integers';
  const list = spec.type === 'integers' || spec.type === 'numbers';
  const range = rangeText(spec);
  if (list) return `a list of ${whole ? 'whole numbers' : 'numbers'}${range ? ` (each ${range})` : ''} separated by commas`;
  const noun = whole ? 'a whole number' : 'a number';
  return !range ? noun : range.startsWith('from') ? `${noun} ${range}` : `${noun}, ${range}`;
}

function parseNumber(name: string, spec: NumberOption | ListOption, text: string): number {
  const whole = spec.type === 'integer' || spec.type === 'integers';
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const fits = Number.isFinite(value) && (!whole || Number.isInteger(value))
    && (spec.min === undefined || value >= spec.min) && (spec.max === undefined || value <= spec.max)
    && (spec.above === undefined || value > spec.above) && (spec.below === undefined || value < spec.below);
  if (!fits) throw new UsageError(`--${name} must be ${describeRange(spec)}, not "${text}"`, name);
  return value;
}

/** Checks and converts one option's text. */
export function convertOption(name: string, spec: OptionSpec, text: string): unknown {
  switch (spec.type) {
    case 'boolean':
      return true;
    case 'string':
      if (spec.choices && !spec.choices.includes(text)) {
        throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, not "${text}"`, name);
      }
      return text;
    case 'integer':
    case 'number':
      return parseNumber(name, spec, text);
    case 'integers':
    case 'numbers': {
      const parts = text.split(',');
      try {
        return parts.map((part) => parseNumber(name, spec, part));
      } catch {
        throw new UsageError(`--${name} must be ${describeRange(spec)}, not "${text}"`, name);
      }
    }
  }
}

export interface ParsedLine {
  values: Record<string, unknown>;
  positionals: string[];
}

/**
 * Parses `argv` against `specs`: `--name value`, `--name=value`, `-h`, booleans as bare flags, `--` ends
 * options. Options may come anywhere among the positionals. Unknown options and missing values are UsageErrors;
 * defaults fill what is absent.
 */
export function parseLine(argv: readonly string[], specs: OptionSpecs, where: string): ParsedLine {
  const shorts = new Map(Object.entries(specs).filter(([, spec]) => spec.short).map(([name, spec]) => [spec.short!, name]));
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (token.startsWith('--') && token.length > 2) {
      const eq = token.indexOf('=');
      name = eq >= 0 ? token.slice(2, eq) : token.slice(2);
      inline = eq >= 0 ? token.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(token)) {
      name = shorts.get(token.slice(1));
      if (!name) throw new UsageError(`there is no option ${token} (${where} --help lists them)`);
    } else {
      positionals.push(token);
      continue;
    }
    const spec = specs[name];
    if (!spec) throw new UsageError(`there is no option --${name} (${where} --help lists them)`, name);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} is a switch and takes no value`, name);
      values[name] = true;
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = argv[i + 1];
      // A following option is not a value (but a negative number is, so that the range check can speak).
      if (next === undefined || (next.startsWith('-') && next !== '-' && !/^-\d/.test(next))) {
        throw new UsageError(`--${name} needs a value${spec.placeholder ? ` (${spec.placeholder})` : ''}`, name);
      }
      text = next;
      i++;
    }
    values[name] = convertOption(name, spec, text);
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (values[name] === undefined) values[name] = spec.type === 'boolean' ? false : 'default' in spec && spec.default !== undefined ? (Array.isArray(spec.default) ? [...spec.default] : spec.default) : undefined;
  }
  return { values, positionals };
}

/** The options part of `--help`: one line each, with its value's name, range and default. */
export function describeOptions(specs: OptionSpecs): string[] {
  return Object.entries(specs).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'boolean' ? '' : ` ${spec.placeholder ?? placeholderFor(spec)}`}`;
    const notes: string[] = [];
    if (spec.description) notes.push(spec.description);
    if ((spec.type === 'integer' || spec.type === 'number' || spec.type === 'integers' || spec.type === 'numbers')
      && [spec.min, spec.max, spec.above, spec.below].some((bound) => bound !== undefined)) notes.push(describeRange(spec));
    if (spec.type !== 'boolean' && spec.default !== undefined) notes.push(`default ${Array.isArray(spec.default) ? spec.default.join(',') : spec.default}`);
    return `  ${flag.padEnd(28)} ${notes.join('; ')}`.trimEnd();
  });
}

function placeholderFor(spec: OptionSpec): string {
  switch (spec.type) {
    case 'string': return spec.choices ? spec.choices.join('|') : 'VALUE';
    case 'integer': return 'N';
    case 'number': return 'X';
    case 'integers': return 'N,N...';
    case 'numbers': return 'X,X...';
    default: return 'VALUE';
  }
}
