/**
 * `facet` command dispatcher. Each command lives in its own module, imported only when used so that
 * quick commands (status, faces) start without loading TensorFlow.js.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CommandContext {
  args: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  json: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  summary: string;
  usage: string;
  options?: ParseArgsConfig['options'];
  run(context: CommandContext): Promise<number>;
}

/** Options every command accepts. */
const COMMON_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  json: { type: 'boolean' },
  db: { type: 'string' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const COMMANDS: Record<string, () => Promise<Command>> = {
  scan: async () => (await import('./commands/scan.ts')).scanCommand,
  status: async () => (await import('./commands/status.ts')).statusCommand,
  faces: async () => (await import('./commands/faces.ts')).facesCommand,
  doctor: async () => (await import('./commands/doctor.ts')).doctorCommand,
  eval: async () => (await import('./commands/eval.ts')).evalCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  start: async () => (await import('./commands/start.ts')).startCommand,
  people: async () => (await import('./commands/people.ts')).peopleCommand,
  cluster: async () => (await import('./commands/cluster.ts')).clusterCommand,
  name: async () => (await import('./commands/decide.ts')).nameCommand,
  merge: async () => (await import('./commands/decide.ts')).mergeCommand,
  reject: async () => (await import('./commands/decide.ts')).rejectCommand,
  arch: async () => (await import('./commands/arch.ts')).archCommand,
  train: async () => (await import('./commands/train.ts')).trainCommand,
  finetune: async () => (await import('./commands/finetune.ts')).finetuneCommand,
  bench: async () => (await import('./commands/bench.ts')).benchCommand,
  watch: async () => (await import('./commands/watch.ts')).watchCommand,
  'export-xmp': async () => (await import('./commands/exportXmp.ts')).exportXmpCommand,
  export: async () => (await import('./commands/export.ts')).exportCommand,
  backup: async () => (await import('./commands/backup.ts')).backupCommand,
  restore: async () => (await import('./commands/backup.ts')).restoreCommand,
};

export function registerCommand(name: string, load: () => Promise<Command>): void {
  COMMANDS[name] = load;
}

async function usage(): Promise<string> {
  const lines = ['usage: facet <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    try {
      lines.push(`  ${name.padEnd(10)} ${(await load()).summary}`);
    } catch {
      lines.push(`  ${name}`);
    }
  }
  lines.push('', 'common options: --json, --db FILE, --backend tfjs-node-gpu|onnx|tfjs-node|wasm|cpu (or FACET_BACKEND)');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write((await usage()) + '\n');
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`facet: unknown command "${name}"\n\n${await usage()}\n`);
    return 2;
  }
  const command = await load();
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`facet ${name}: ${(error as Error).message}\nusage: ${command.usage}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${command.summary}\nusage: ${command.usage}\n`);
    return 0;
  }
  if (typeof parsed.values.db === 'string') process.env.FACET_DB = parsed.values.db;
  if (typeof parsed.values.backend === 'string') process.env.FACET_BACKEND = parsed.values.backend;
  try {
    return await command.run({
      args: parsed.positionals,
      values: parsed.values,
      json: parsed.values.json === true,
      out: (text) => process.stdout.write(text + '\n'),
      err: (text) => process.stderr.write(text + '\n'),
    });
  } catch (error) {
    const e = (await diskFull(error)) ?? (error as Error);
    process.stderr.write(`facet ${name}: ${e.name && e.name !== 'Error' ? e.name + ': ' : ''}${e.message}\n`);
    if (process.env.FACET_DEBUG) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

/** A write error from SQLite on a full disk, told as such with the database it concerns (loaded only then). */
async function diskFull(error: unknown): Promise<Error | undefined> {
  if (typeof (error as { code?: unknown } | null)?.code !== 'string') return undefined;
  const [{ asDiskFullError }, { resolveDatabasePath }] = await Promise.all([
    import('../store/errors/diskFullError.ts'),
    import('./database.ts'),
  ]);
  return asDiskFullError(error, resolveDatabasePath());
}
