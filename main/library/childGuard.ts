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
 * On Windows there is no POSIX shell: children are not guarded (a job object would be the equivalent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
[ -n "\${pids# }" ] || exit 0
for p in $pids; do kill -TERM "$p" 2>/dev/null; done
sleep 1
for p in $pids; do kill -KILL "$p" 2>/dev/null; done
exit 0
`;

let watchdog: ChildProcess | null | undefined;

function startWatchdog(): ChildProcess | null {
  if (watchdog !== undefined) return watchdog;
  if (process.platform === 'win32' || !existsSync('/bin/sh')) return (watchdog = null);
  const dog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'facet-child-guard'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
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
