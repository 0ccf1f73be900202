/**
 * `facet` command dispatcher. Each command lives in its own module, imported only when used, so quick commands
 * (status, faces) start without loading TensorFlow.js. The command line is parsed and checked here, once, before
 * a command runs (options.ts); the database and backend reach the command in its context (command.ts).
 */
import path from 'node:path';
import { parseBackendName } from '../core/backendNames.ts';
import { resolveDatabasePath } from '../library/dataDir.ts';
import { type AnyCommand, GLOBAL_OPTIONS, PRECISION_NAMES, type PrecisionName } from './command.ts';
import { type OptionSpecs, UsageError, describeOptions, parseLine } from './options.ts';
import { OutputClosed, createOutput, describeError } from './output.ts';

const GLOBAL_WITH_VALUE = new Set(['--db', '--backend', '--precision']);

/** The commands, by name, each loaded when used. Add a line to add a command. */
const COMMANDS: Record<string, () => Promise<AnyCommand>> = {
  scan: async () => (await import('./commands/scan.ts')).scanCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  faces: async () => (await import('./commands/faces.ts')).facesCommand,
  people: async () => (await import('./commands/people.ts')).peopleCommand,
  cluster: async () => (await import('./commands/cluster.ts')).clusterCommand,
  name: async () => (await import('./commands/decide.ts')).nameCommand,
  merge: async () => (await import('./commands/decide.ts')).mergeCommand,
  reject: async () => (await import('./commands/decide.ts')).rejectCommand,
  doctor: async () => (await import('./commands/doctor.ts')).doctorCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  start: async () => (await import('./commands/start.ts')).startCommand,
  watch: async () => (await import('./commands/watch.ts')).watchCommand,
  finetune: async () => (await import('./commands/finetune.ts')).finetuneCommand,
  eval: async () => (await import('./commands/eval.ts')).evalCommand,
  train: async () => (await import('./commands/train.ts')).trainCommand,
  arch: async () => (await import('./commands/arch.ts')).archCommand,
  bench: async () => (await import('./commands/bench.ts')).benchCommand,
  'export-xmp': async () => (await import('./commands/exportXmp.ts')).exportXmpCommand,
  export: async () => (await import('./commands/export.ts')).exportCommand,
  backup: async () => (await import('./commands/backup.ts')).backupCommand,
  restore: async () => (await import('./commands/backup.ts')).restoreCommand,
  history: async () => (await import('./commands/history.ts')).historyCommand,
  undo: async () => (await import('./commands/history.ts')).undoCommand,
  redo: async () => (await import('./commands/history.ts')).redoCommand,
  unsorted: async () => (await import('./commands/unsorted.ts')).unsortedCommand,
  libraries: async () => (await import('./commands/libraries.ts')).librariesCommand,
  failures: async () => (await import('./commands/failures.ts')).failuresCommand,
};

export function registerCommand(name: string, load: () => Promise<AnyCommand>): void {
  COMMANDS[name] = load;
}

/** Index of the first word that is not an option nor a global option's value, from `start`. */
function firstWord(argv: readonly string[], start = 0): number {
  for (let i = start; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (GLOBAL_WITH_VALUE.has(token)) i++;
    else if (!token.startsWith('-') || token === '-') return i;
  }
  return -1;
}

async function commandList(table: Record<string, () => Promise<AnyCommand>>): Promise<string[]> {
  const names = Object.keys(table);
  const width = Math.max(...names.map((name) => name.length)) + 2;
  const loaded = await Promise.all(names.map((name) => table[name]!().then((command) => command.summary, () => '')));
  return names.map((name, i) => `  ${name.padEnd(width)}${loaded[i]}`);
}

async function generalHelp(): Promise<string> {
  return ['usage: facet <command> [options]', '', 'commands:', ...(await commandList(COMMANDS)), '',
    'options for every command, anywhere on the line:', ...describeOptions(GLOBAL_OPTIONS), '',
    'facet <command> --help shows what a command takes.'].join('\n');
}

async function commandHelp(where: string, command: AnyCommand): Promise<string> {
  const lines = [command.summary, `usage: ${command.usage}`];
  if (command.subcommands) lines.push('', `${where} has these parts:`, ...(await commandList(command.subcommands)));
  if (command.options && Object.keys(command.options).length > 0) lines.push('', 'options:', ...describeOptions(command.options));
  lines.push('', 'and --json, --db FILE, --backend NAME, --precision fp32|int8-embedder|int8 (facet --help)');
  return lines.join('\n');
}

/** Finds the command (and subcommand) a line names; the rest of the line is returned without those words. */
async function resolveCommand(argv: readonly string[], found: (where: string) => void): Promise<{ where: string; command: AnyCommand; rest: string[] } | undefined> {
  const at = firstWord(argv);
  if (at < 0) return undefined;
  const name = argv[at]!;
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`there is no command "${name}" (facet --help lists them)`);
  let command = await load();
  let where = `facet ${name}`;
  found(where);
  let rest = [...argv.slice(0, at), ...argv.slice(at + 1)];
  if (command.subcommands) {
    const sub = firstWord(rest);
    const subName = sub >= 0 ? rest[sub]! : undefined;
    const loadSub = subName === undefined ? undefined : command.subcommands[subName];
    if (!loadSub) {
      if (rest.includes('--help') || rest.includes('-h')) return { where, command, rest };
      const choices = Object.keys(command.subcommands).join(', ');
      throw new UsageError(subName === undefined ? `name one of ${choices}, as in ${where} ${Object.keys(command.subcommands)[0]}` : `there is no "${subName}": use one of ${choices}`);
    }
    command = await loadSub();
    where = `${where} ${subName}`;
    rest = [...rest.slice(0, sub), ...rest.slice(sub + 1)];
  }
  return { where, command, rest };
}

/** FACET_PRECISION, checked like --precision. */
function precisionFromEnv(env: NodeJS.ProcessEnv): PrecisionName | undefined {
  const value = env.FACET_PRECISION;
  if (value === undefined || value === '') return undefined;
  if (!(PRECISION_NAMES as readonly string[]).includes(value)) throw new UsageError(`FACET_PRECISION must be one of ${PRECISION_NAMES.join(', ')}, not "${value}"`);
  return value as PrecisionName;
}

/**
 * Runs one command line; returns the exit code: 0 done, 1 the work failed, 2 the line was wrong.
 * Errors are one sentence on stderr naming what is at fault; the stack only with FACET_DEBUG=1.
 */
export async function main(argv: string[], io = createOutput()): Promise<number> {
  let at = 'facet';
  let database: string | undefined;
  try {
    // `facet help scan` is `facet scan --help`.
    const first = firstWord(argv);
    if (first >= 0 && argv[first] === 'help') argv = [...argv.slice(0, first), ...argv.slice(first + 1), '--help'];
    const found = await resolveCommand(argv, (where) => { at = where; });
    if (!found) {
      const asked = argv.includes('--help') || argv.includes('-h') || argv.length === 0;
      (asked ? io.out : io.err)(await generalHelp());
      return asked && argv.length > 0 ? 0 : 2;
    }
    const { where, command, rest } = found;
    at = where;
    const specs: OptionSpecs = { ...GLOBAL_OPTIONS, ...command.options };
    const { values, positionals } = parseLine(rest, specs, where);
    if (values.help === true || !command.run) {
      io.out(await commandHelp(where, command));
      return values.help === true ? 0 : 2;
    }
    const env = process.env;
    database = typeof values.db === 'string' ? path.resolve(values.db) : resolveDatabasePath({ env });
    return await command.run({
      args: positionals,
      values,
      json: values.json === true,
      database,
      backend: checkedBackend(typeof values.backend === 'string' ? values.backend : undefined, env.FACET_BACKEND || undefined),
      precision: typeof values.precision === 'string' ? (values.precision as PrecisionName) : precisionFromEnv(env),
      precisionOption: typeof values.precision === 'string' ? (values.precision as PrecisionName) : undefined,
      out: io.out,
      write: io.write,
      err: io.err,
    });
  } catch (error) {
    if (error instanceof OutputClosed) return 0;
    io.err(`${at}: ${await describeError(error, database)}`);
    if (process.env.FACET_DEBUG === '1' && error instanceof Error && !(error instanceof UsageError)) io.err(String(error.stack));
    return error instanceof UsageError ? 2 : 1;
  }
}

/**
 * --backend, else FACET_BACKEND, checked before the command runs: an unknown name used to pass until a scan's
 * workers started (and not at all where nothing needed a network), so a typo looked like a working run.
 */
function checkedBackend(option: string | undefined, fromEnv: string | undefined): string | undefined {
  const [given, where] = option !== undefined ? [option, '--backend'] : [fromEnv, 'FACET_BACKEND'];
  if (given === undefined) return undefined;
  try {
    parseBackendName(given);
  } catch (error) {
    throw new UsageError(`${where}: ${(error as Error).message}`, where === '--backend' ? 'backend' : undefined);
  }
  return given;
}

