/**
 * The real `facet` command in a child process, run to the end or killed with SIGKILL at a chosen moment: after
 * a delay from its start, or a delay after a line of its output first matches (e.g. the first photo analysed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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
  /**
   * Processes the run started (ExifTool, ffmpeg, the child watchdog; seen every 50 ms while it ran) still running
   * 3 s after it ended: 0 unless a child outlives its Facet. Linux only (read from /proc); 0 elsewhere.
   */
  childrenLeft: number;
  /** Those processes, as "pid command". */
  leftBehind: string[];
}

interface ProcessId {
  pid: number;
  /** Start time in clock ticks since boot: a pid used again by another process has another. */
  started: string;
  command: string;
}

function processStat(pid: number): { ppid: number; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state ppid ... starttime is field 22 of the whole line, 20th here.
    return { ppid: Number(fields[1]), started: fields[19]! };
  } catch {
    return undefined;
  }
}

/** Every process below `root` now, by walking /proc (Linux). */
function descendants(root: number): ProcessId[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/u.test(name));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  const stats = new Map<number, { ppid: number; started: string }>();
  for (const name of entries) {
    const stat = processStat(Number(name));
    if (!stat) continue;
    stats.set(Number(name), stat);
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)]);
  }
  const found: ProcessId[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim().slice(0, 120);
    } catch {
      continue;
    }
    found.push({ pid, started: stats.get(pid)!.started, command });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Which of `seen` still run (the same process: same pid and start time). */
function stillRunning(seen: Iterable<ProcessId>): ProcessId[] {
  return [...seen].filter((process) => {
    const stat = processStat(process.pid);
    if (!stat || stat.started !== process.started) return false;
    try {
      return !/^State:\s+Z/mu.test(readFileSync(`/proc/${process.pid}/status`, 'utf8')); // a zombie has ended
    } catch {
      return false;
    }
  });
}

/** Waits up to `ms` for every process in `seen` to end; returns those that did not. */
async function outliving(seen: Iterable<ProcessId>, ms: number): Promise<ProcessId[]> {
  const deadline = performance.now() + ms;
  let left = stillRunning(seen);
  while (left.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = stillRunning(left);
  }
  return left;
}

export interface FacetOptions {
  db: string;
  kill?: KillPlan;
  env?: NodeJS.ProcessEnv;
  /** Node flags before the script, e.g. ['--import', preload]. */
  nodeArgs?: string[];
  /** A run that takes longer fails the test rather than hanging it. */
  timeoutMs?: number;
  /** Another script to run in place of bin/facet.js (a test's own child, watched the same way). */
  entry?: string;
}

export function runFacet(args: readonly string[], options: FacetOptions): Promise<FacetRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry ?? FACET_BIN, ...args], {
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
  // The processes this run starts, noted while it runs, so that none may outlive it.
  const seen = new Map<string, ProcessId>();
  const look = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    for (const found of descendants(child.pid)) seen.set(`${found.pid}:${found.started}`, found);
  };
  const watcher = setInterval(look, 50);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', look);
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      clearInterval(watcher);
      const ms = performance.now() - started;
      void outliving(seen.values(), 3000).then((left) => {
        // What was left, with its parent, state and age, and any child guard still running: enough to tell why.
        const diagnosis = left.length === 0 ? '' : spawnSync('ps', ['-eo', 'pid,ppid,pgid,stat,etimes,args'], { encoding: 'utf8' }).stdout
          .split('\n').filter((line) => left.some((p) => line.trim().startsWith(`${p.pid} `)) || line.includes('facet-child-guard')).join(' | ');
        if (diagnosis) process.stderr.write(`left behind: ${diagnosis}\n`);
        for (const process of left) {
          try {
            globalThis.process.kill(process.pid, 'SIGKILL'); // the test fails, but leaves nothing behind
          } catch {
            // already gone
          }
        }
        resolve({
          code, signal, killed: killed && signal === 'SIGKILL', reachedMark, stdout, stderr, ms,
          childrenLeft: left.length, leftBehind: left.map((process) => `${process.pid} ${process.command}`),
        });
      });
    });
  });
}
