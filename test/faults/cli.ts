/**
 * The real `facet` command in a child process, run to the end or killed with SIGKILL at a chosen moment: after
 * a delay from its start, or a delay after a line of its output first matches (e.g. the first photo analysed).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FACET_BIN = path.join(REPO_ROOT, 'bin', 'facet.js');

export interface KillPlan {
  /** Milliseconds to wait, counted from the start or from the first output matching `after`. */
  delayMs: number;
  after?: RegExp;
}

export interface FacetRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether this run was ended by the plan's SIGKILL (false: it finished first). */
  killed: boolean;
  /** Whether `after` was seen (always true without one). */
  reachedMark: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface FacetOptions {
  db: string;
  kill?: KillPlan;
  env?: NodeJS.ProcessEnv;
  /** Node flags before the script, e.g. ['--import', preload]. */
  nodeArgs?: string[];
  /** A run that takes longer fails the test rather than hanging it. */
  timeoutMs?: number;
}

export function runFacet(args: readonly string[], options: FacetOptions): Promise<FacetRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), FACET_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, FACET_DB: options.db },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '', stderr = '';
  let killed = false, reachedMark = options.kill?.after === undefined;
  const timers: NodeJS.Timeout[] = [];
  const killLater = (ms: number) => timers.push(setTimeout(() => { killed = child.kill('SIGKILL'); }, ms));
  if (options.kill && !options.kill.after) killLater(options.kill.delayMs);
  const watch = (text: string) => {
    if (reachedMark || !options.kill?.after?.test(text)) return;
    reachedMark = true;
    killLater(options.kill.delayMs);
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; watch(stdout); });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; watch(stderr); });
  timers.push(setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({ code, signal, killed: killed && signal === 'SIGKILL', reachedMark, stdout, stderr, ms: performance.now() - started });
    });
  });
}
