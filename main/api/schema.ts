/**
 * A tiny runtime validator for API requests. Each schema parses an unknown value into its type or throws a
 * ValidationError naming the exact field ("faceIds[2]", "ref.id"). Objects are strict: an unknown key is an
 * error, so a typo in a client cannot pass silently. Types are inferred from the schemas (Infer<typeof s>).
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    /** Path of the offending field inside the request, e.g. "box.width". */
    readonly field: string,
    message: string,
  ) {
    super(`${field || 'request'}: ${message}`);
  }
}

export interface Schema<T> {
  parse(value: unknown, field: string): T;
}

interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Record<string, Schema<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
type ObjectOf<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>;

function fail(field: string, message: string): never {
  throw new ValidationError(field, message);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export function integer(options: { min?: number; max?: number } = {}): Schema<number> {
  const min = options.min ?? Number.MIN_SAFE_INTEGER, max = options.max ?? Number.MAX_SAFE_INTEGER;
  return {
    parse(value, field) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(field, `expected a whole number, got ${describe(value)}`);
      if (value < min || value > max) fail(field, `must be between ${min} and ${max}, got ${value}`);
      return value;
    },
  };
}

/** A positive row id. */
export const id = (): Schema<number> => integer({ min: 1 });

export function number(options: { min?: number; max?: number } = {}): Schema<number> {
  const min = options.min ?? -Infinity, max = options.max ?? Infinity;
  return {
    parse(value, field) {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, `expected a finite number, got ${describe(value)}`);
      if (value < min || value > max) fail(field, `must be between ${min} and ${max}, got ${value}`);
      return value;
    },
  };
}

export function string(options: { min?: number; max?: number; pattern?: RegExp; patternName?: string } = {}): Schema<string> {
  const min = options.min ?? 0, max = options.max ?? 10_000;
  return {
    parse(value, field) {
      if (typeof value !== 'string') fail(field, `expected a string, got ${describe(value)}`);
      if (value.length < min) fail(field, min === 1 ? 'must not be empty' : `must have at least ${min} characters`);
      if (value.length > max) fail(field, `must have at most ${max} characters, got ${value.length}`);
      if (value.includes('\u0000')) fail(field, 'must not contain NUL characters');
      if (options.pattern && !options.pattern.test(value)) fail(field, `must be ${options.patternName ?? `like ${options.pattern}`}`);
      return value;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    parse(value, field) {
      if (typeof value !== 'boolean') fail(field, `expected true or false, got ${describe(value)}`);
      return value;
    },
  };
}

export function oneOf<const T extends readonly string[]>(values: T): Schema<T[number]> {
  return {
    parse(value, field) {
      if (typeof value !== 'string' || !values.includes(value)) fail(field, `expected one of ${values.join(', ')}, got ${describe(value)}`);
      return value as T[number];
    },
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return { parse: (value, field) => (value === null ? null : inner.parse(value, field)) };
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return { optional: true, parse: (value, field) => (value === undefined ? undefined : inner.parse(value, field)) };
}

export function array<T>(item: Schema<T>, options: { min?: number; max?: number; unique?: boolean } = {}): Schema<T[]> {
  const min = options.min ?? 0, max = options.max ?? 100_000;
  return {
    parse(value, field) {
      if (!Array.isArray(value)) fail(field, `expected an array, got ${describe(value)}`);
      if (value.length < min) fail(field, min === 1 ? 'must not be empty' : `must have at least ${min} items`);
      if (value.length > max) fail(field, `must have at most ${max} items, got ${value.length}`);
      const items = value.map((element, i) => item.parse(element, `${field}[${i}]`));
      if (options.unique && new Set(items).size !== items.length) fail(field, 'must not repeat an item');
      return items;
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    parse(value, field) {
      if (!isPlainObject(value)) fail(field, `expected an object, got ${describe(value)}`);
      const prefix = field ? `${field}.` : '';
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(shape, key)) fail(`${prefix}${key}`, 'is not a known field');
      }
      const out: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(shape)) {
        const parsed = schema.parse(value[key], `${prefix}${key}`);
        if (parsed !== undefined) out[key] = parsed;
        else if (!('optional' in schema)) fail(`${prefix}${key}`, 'is required');
      }
      return out as ObjectOf<S>;
    },
  };
}

/** A union told apart by a string field, e.g. { kind: 'person', id } | { kind: 'cluster', id }. */
export function variant<K extends string, V extends Record<string, Schema<object>>>(
  key: K,
  variants: V,
): Schema<{ [T in keyof V]: Infer<V[T]> & { [P in K]: T } }[keyof V]> {
  const tags = Object.keys(variants);
  return {
    parse(value, field) {
      if (!isPlainObject(value)) fail(field, `expected an object, got ${describe(value)}`);
      const tag = value[key];
      const prefix = field ? `${field}.` : '';
      if (typeof tag !== 'string' || !Object.hasOwn(variants, tag)) fail(`${prefix}${key}`, `expected one of ${tags.join(', ')}, got ${describe(tag)}`);
      const { [key]: _tag, ...rest } = value;
      return { ...variants[tag]!.parse(rest, field), [key]: tag } as never;
    },
  };
}
