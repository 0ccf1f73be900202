/**
 * The command's output streams and how errors are told. A closed stdout (`facet faces | head -1`) ends the
 * command quietly instead of with an EPIPE trace; an error becomes one sentence naming the file, option or
 * thing at fault, without the error's class name.
 */
import { UsageError } from './options.ts';

/** Thrown by out() and write() once stdout is closed: the command stops, and facet exits quietly with 0. */
export class OutputClosed extends Error {
  override readonly name = 'OutputClosed';
  constructor() {
    super('stdout was closed');
  }
}

export interface Output {
  out: (text: string) => void;
  write: (chunk: string) => void;
  err: (text: string) => void;
}

export function createOutput(stdout: NodeJS.WritableStream & { destroyed?: boolean } = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  let closed = false;
  // A pipe's reader went away: later writes would fail the same way; stop quietly at the next one.
  stdout.on('error', () => { closed = true; });
  stderr.on('error', () => {});
  const write = (chunk: string) => {
    if (closed || stdout.destroyed) throw new OutputClosed();
    stdout.write(chunk);
    // On Linux a pipe is written synchronously: a failed write has already destroyed the stream here.
    if (stdout.destroyed) throw new OutputClosed();
  };
  return {
    out: (text) => write(text + '\n'),
    write,
    err: (text) => { stderr.write(text + '\n'); },
  };
}

interface SystemError {
  code?: unknown;
  path?: unknown;
  syscall?: unknown;
}

/** One sentence for the user: what went wrong and with which file, option or thing. */
export async function describeError(error: unknown, database: string | undefined): Promise<string> {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof UsageError) return error.message;
  const { code, path } = error as SystemError;
  if (typeof code === 'string' && database) {
    // A full disk is told as such, with the database it concerns (the module is loaded only then).
    const { asDiskFullError } = await import('../store/errors/diskFullError.ts');
    const full = asDiskFullError(error, database);
    if (full) return oneLine(full.message);
    if (code.startsWith('SQLITE_')) return `the database ${database}: ${oneLine(error.message)}`;
  }
  if (typeof path === 'string') {
    if (code === 'ENOENT') return `${path} does not exist`;
    if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`;
    if (code === 'EISDIR') return `${path} is a folder, not a file`;
    if (code === 'ENOTDIR') return `${path} is not a folder`;
  }
  return oneLine(error.message);
}

function oneLine(text: string): string {
  return text.trim().split('\n').map((line) => line.trim()).filter(Boolean).join('; ');
}
