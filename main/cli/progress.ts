/**
 * Progress for long work: a redrawn bar with rate and ETA on a terminal, sparse plain lines elsewhere
 * (logs, CI), and nothing at all with --json on stdout (progress goes to stderr).
 */
import type { ProgressEvent, ProgressListener } from '../core/progress.ts';

export type { ProgressEvent, ProgressListener };

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), rest = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(rest).padStart(2, '0')}` : `${m}:${String(rest).padStart(2, '0')}`;
}

export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr, quiet = false): ProgressListener & { end(): void } {
  const started = new Map<string, number>();
  let lastPrinted = 0;
  let lastStage = '';
  let drewBar = false;
  const listener = ((event: ProgressEvent) => {
    if (quiet) return;
    const now = Date.now();
    if (!started.has(event.stage)) started.set(event.stage, now);
    const elapsed = (now - started.get(event.stage)!) / 1000;
    const rate = elapsed > 0 ? event.done / elapsed : 0;
    const eta = rate > 0 ? (event.total - event.done) / rate : Infinity;
    const finished = event.done >= event.total;
    const text = `${event.stage} ${event.done}/${event.total} ${rate.toFixed(1)}/s ETA ${formatDuration(eta)}${event.detail ? ' ' + event.detail : ''}`;
    if (stream.isTTY) {
      if (!finished && now - lastPrinted < 100 && event.stage === lastStage) return;
      const width = 30;
      const filled = event.total > 0 ? Math.round((event.done / event.total) * width) : 0;
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`);
      drewBar = true;
      if (finished) { stream.write('\n'); drewBar = false; }
    } else {
      if (!finished && now - lastPrinted < 5000 && event.stage === lastStage) return;
      stream.write(text + '\n');
    }
    lastPrinted = now;
    lastStage = event.stage;
  }) as ProgressListener & { end(): void };
  listener.end = () => { if (drewBar) stream.write('\n'); };
  return listener;
}
