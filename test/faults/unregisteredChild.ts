/**
 * A child for children.test.ts: starts a process the way Facet starts ExifTool and ffmpeg (with guardedEnv) but
 * never registers its pid, as when a kill -9 lands while the child is being forked; says "ready", then waits.
 */
import { spawn } from 'node:child_process';
import { guardedEnv } from '../../main/library/childGuard.ts';

const child = spawn('sleep', ['600'], { stdio: 'ignore', env: guardedEnv() });
process.stdout.write(`ready ${child.pid}\n`);
setInterval(() => undefined, 60_000);
