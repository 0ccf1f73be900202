/**
 * A child for children.test.ts: starts ExifTool the way a scan does (reading a photo's regions), says "ready"
 * with its pid, then waits to be killed, or with `exit` leaves at once without disposing of ExifTool.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExifToolMetadata } from '../../main/xmp/exiftoolMetadata.ts';

const DEMO_PHOTO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/@vladmandic/face-api/demo/sample1.jpg');

const reader = new ExifToolMetadata();
await reader.readRegions(DEMO_PHOTO, { width: 1920, height: 1280 });
process.stdout.write(`ready ${process.pid}\n`);
if (process.argv.includes('exit')) process.exit(0);
setInterval(() => undefined, 60_000);
