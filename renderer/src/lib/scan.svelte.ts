/** Library folders and the scan: status from events, with stage, rate, ETA and the files that failed. */
import type { ApiEvent, RootInfo, ScanStatus } from '../../../main/api/contract.ts';
import type { AppState } from './app.svelte.ts';

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

export class ScanState {
  roots = $state<RootInfo[]>([]);
  status = $state<ScanStatus | null>(null);
  running = $derived(this.status?.state === 'running' || this.status?.state === 'stopping');
  percent = $derived(this.status && this.status.total > 0 ? Math.round((100 * this.status.done) / this.status.total) : 0);

  constructor(private readonly app: AppState) {}

  async load(): Promise<void> {
    const [roots, status] = await Promise.all([this.app.run('libraries.list', {}), this.app.run('libraries.scanStatus', {})]);
    if (roots) this.roots = roots.roots;
    if (status) this.status = status;
  }

  handle(event: ApiEvent): void {
    if (event.topic === 'scan') {
      const wasRunning = this.status?.state === 'running' || this.status?.state === 'stopping';
      this.status = event.status;
      // A scan that ended changed the folders' "last scanned": read them again (no stale "not scanned yet").
      if (wasRunning && !this.running) void this.load();
    }
    if (event.topic === 'changed' && event.what === 'libraries') void this.load();
  }

  async add(folder: string): Promise<boolean> {
    const root = await this.app.run('libraries.add', { path: folder.trim() });
    if (root) {
      // Replaces an earlier refusal ("not a folder"), which stayed through the successful add and the scan after it.
      this.app.inform(`Added ${root.path}. Scan reads its photos.`);
      await this.load();
    }
    return root !== undefined;
  }

  /** Removes a folder after the app's own question (it was the browser's confirm(), unlike every other question). */
  async remove(root: RootInfo): Promise<void> {
    const yes = await this.app.ask({
      title: 'Remove this folder?',
      text: `${root.path}: its photos, their faces and the names given to them are forgotten, and Undo cannot bring them back. People you named keep their faces in other folders; people named only here go. The files themselves stay where they are.`,
      confirmLabel: 'Remove and forget',
      danger: true,
    });
    const removed = yes ? await this.app.run('libraries.remove', { rootId: root.id, forgetPhotos: true }) : undefined;
    if (!removed) return;
    const people = removed.persons > 0 ? `, and ${removed.persons === 1 ? 'a person' : `${removed.persons} people`} named only from it` : '';
    this.app.inform(`Removed ${root.path}: forgot ${removed.photos === 1 ? 'a photo' : `${removed.photos} photos`} and ${removed.faces === 1 ? 'a face' : `${removed.faces} faces`}${people}.`);
    await this.load();
  }

  async start(): Promise<void> {
    const status = await this.app.run('libraries.startScan', {});
    if (status) this.status = status;
  }

  async pause(): Promise<void> {
    const status = await this.app.run('libraries.pauseScan', {});
    if (status) this.status = status;
  }
}
