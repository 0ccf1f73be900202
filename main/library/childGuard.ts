/**
 * Child processes (ExifTool, ffmpeg) end when Facet ends, however it ends: a normal exit, a crash, an unhandled
 * signal or kill -9. ExifTool in `-stay_open` mode keeps reading its argument file after end-of-file, so a
 * killed parent leaves it running for good (one was seen 8 minutes on); a child that is not reading or writing
 * its pipes does not notice either.
 *
 * How: one small watchdog per Facet process, a POSIX shell in its own process group (so a terminal's Ctrl-C,
 * which Facet handles to stop cleanly, does not end it first), told the pid of each child over its stdin. When
 * Facet ends in any way, the kernel closes that pipe; the watchdog reads end-of-file and sends each child still
 * listed SIGTERM, then SIGKILL a second later. A child that ends normally is taken off the list first. Nothing
 * polls, and the watchdog holds no reference that keeps Facet running.
 *
 * A kill -9 can also land while a child is being forked, before its pid is known here (a large process takes
 * milliseconds to fork; the fault suite hit that moment about once in 100 kills). So every guarded child is also
 * started with FACET_GUARD=<this process's token> in its environment (`guardedEnv`), and at end-of-file the
 * watchdog also ends every process whose environment carries the token (Linux: /proc/<pid>/environ).
 *
 * On Windows there is no POSIX shell: children are not guarded (a job object would be the equivalent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';

const WATCHDOG_SCRIPT = `
trap '' INT HUP TERM
pids=' '
while IFS= read -r line; do
  case "$line" in
    +*) pids="$pids\${line#+} " ;;
    -*) next=' '; for p in $pids; do [ "$p" = "\${line#-}" ] || next="$next$p "; done; pids=$next ;;
  esac
done
if [ -n "$1" ] && [ -d /proc/self ]; then
  for f in $(grep -l -a -F "FACET_GUARD=$1" /proc/[0-9]*/environ 2>/dev/null); do
    p=\${f#/proc/}; p=\${p%/environ}
    [ "$p" = "$$" ] || pids="$pids$p "
  done
fi
[ -n "\${pids# }" ] || exit 0
for p in $pids; do kill -TERM "$p" 2>/dev/null; done
sleep 1
for p in $pids; do kill -KILL "$p" 2>/dev/null; done
exit 0
`;

let watchdog: ChildProcess | null | undefined;

/** Marks this process's guarded children (see above); unique per Facet process. */
const GUARD_TOKEN = randomUUID();

/**
 * The environment for a child that must end with Facet: `env` (default process.env) plus this process's guard
 * token. Starts the watchdog first, so that it exists before the child is forked. Pass it to spawn, then give the
 * child to endWithFacet.
 */
export function guardedEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  startWatchdog();
  return { ...env, FACET_GUARD: GUARD_TOKEN };
}

function startWatchdog(): ChildProcess | null {
  if (watchdog !== undefined) return watchdog;
  if (process.platform === 'win32' || !existsSync('/bin/sh')) return (watchdog = null);
  const dog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'facet-child-guard', GUARD_TOKEN], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  dog.on('error', () => { watchdog = null; });
  dog.on('exit', () => { if (watchdog === dog) watchdog = undefined; });
  dog.stdin!.on('error', () => undefined); // the watchdog went away: the next child starts a new one
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void }).unref?.();
  return (watchdog = dog);
}

/** The watchdog's pid, for tests. */
export function childGuardPid(): number | undefined {
  return watchdog?.pid;
}

/**
 * Has `child` ended when Facet ends (see above). Returns the child. Call it right after spawn; a child that has
 * already exited is left alone.
 */
export function endWithFacet<T extends ChildProcess>(child: T): T {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return child;
  const dog = startWatchdog();
  if (!dog?.stdin?.writable) return child;
  dog.stdin.write(`+${pid}\n`);
  child.once('exit', () => {
    if (dog.stdin?.writable) dog.stdin.write(`-${pid}\n`);
  });
  return child;
}

