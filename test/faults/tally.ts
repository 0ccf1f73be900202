/**
 * The fault suite's running totals. node --test runs every test file in a process of its own, so each count is
 * appended as one JSON line to the file named by FACET_FAULTS_TALLY (test/faults/run.mjs sets it, adds the lines
 * up and prints the summary). Without that variable (the main test runner) nothing is written.
 */
import { appendFileSync } from 'node:fs';

export type Counter =
  | 'filesTried' | 'crashesSurvived' | 'requestsFuzzed' | 'itemsLost'
  // issue #17: library folders refused, symlinks out of a folder refused, hostile names cleaned, child processes
  // (ExifTool, ffmpeg) still running after their Facet was killed
  | 'foldersRefused' | 'linksRefused' | 'hostileNamesCleaned' | 'childrenLeft';

export function tally(counter: Counter, n: number, detail?: string): void {
  const file = process.env.FACET_FAULTS_TALLY;
  if (file) appendFileSync(file, `${JSON.stringify({ counter, n, detail })}\n`);
}
