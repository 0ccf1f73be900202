/**
 * What a command is: its summary, usage, typed options (options.ts) and run(), which receives the checked options,
 * the database and the backend in its context. Commands import this file, never main.ts (which loads them).
 */
import type { OptionSpecs, OptionValues } from './options.ts';

/** The ONNX networks' precision (see main/embed/precision.ts). */
export type PrecisionName = 'fp32' | 'int8-embedder' | 'int8';
export const PRECISION_NAMES: readonly PrecisionName[] = ['fp32', 'int8-embedder', 'int8'];

export interface CommandContext<V = OptionValues<OptionSpecs>> {
  /** Positional arguments after the command (and subcommand) name. */
  args: string[];
  /** The command's declared options, parsed, checked and defaulted. */
  values: V;
  json: boolean;
  /** The database file: --db, else FACET_DB, else facet.db in the data folder (FACET_HOME or the OS's). */
  database: string;
  /** The inference backend asked for: --backend, else FACET_BACKEND; undefined picks the fastest that loads. */
  backend: string | undefined;
  /** The ONNX networks' precision asked for: --precision, else FACET_PRECISION; undefined takes the default. */
  precision: PrecisionName | undefined;
  /**
   * --precision alone: what scans use in place of the library's Settings choice, which itself comes before
   * FACET_PRECISION (the pipeline reads the variable only where the library has none), so a library kept in one
   * precision is not mixed by a variable left set.
   */
  precisionOption: PrecisionName | undefined;
  /** A line to stdout. Stops the command quietly when stdout was closed (`facet faces | head -1`). */
  out: (text: string) => void;
  /** Text to stdout as it is (streamed JSON). */
  write: (chunk: string) => void;
  /** A line to stderr (progress, notes). */
  err: (text: string) => void;
}

export interface Command<S extends OptionSpecs = OptionSpecs> {
  summary: string;
  usage: string;
  options?: S;
  /** Words after the command that pick a subcommand (`eval lfw`, `bench scan`); each has its own options. */
  subcommands?: Record<string, () => Promise<AnyCommand>>;
  run?(context: CommandContext<OptionValues<S>>): Promise<number>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any>;

/** Declares a command with its options' types inferred (literal choices included). */
export function defineCommand<const S extends OptionSpecs = Record<never, never>>(command: Command<S>): Command<S> {
  return command;
}

/** Options every command accepts, before or after its name. */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean', description: 'machine-readable output' },
  db: { type: 'string', placeholder: 'FILE', description: 'the database (default: facet.db in the data folder; FACET_DB, FACET_HOME)' },
  backend: { type: 'string', placeholder: 'NAME', description: 'tfjs-node-gpu, onnx, tfjs-node, wasm or cpu (default: the fastest that loads; FACET_BACKEND)' },
  precision: { type: 'string', choices: PRECISION_NAMES, description: "the onnx backend's networks: fp32 (the default), int8-embedder (the embedder in int8, the detector in fp32) or int8 (both); FACET_PRECISION; for scans, FACET_PRECISION applies only where the library has no Settings choice, and this option overrides it for the run" },
  help: { type: 'boolean', short: 'h', description: 'this help' },
} as const satisfies OptionSpecs;

