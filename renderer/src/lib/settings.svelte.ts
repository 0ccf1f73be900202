/** Settings: the clustering threshold with a live preview of how many people it gives, models, forgetting. */
import type { SettingsInfo } from '../../../main/api/contract.ts';
import type { AppState } from './app.svelte.ts';
import { plural } from './words.ts';

export class SettingsState {
  info = $state<SettingsInfo | null>(null);
  threshold = $state(1);
  preview = $state<{ clusters: number; faces: number; unclustered: number } | null>(null);
  clustering = $state(false);
  #previewTimer: ReturnType<typeof setTimeout> | undefined;
  #previewSeq = 0;
  /** The slider moved and was not saved yet: a reload (after another change) must not snap it back. */
  #edited = false;

  constructor(private readonly app: AppState, private readonly previewDelayMs = 150) {}

  async load(): Promise<void> {
    const info = await this.app.run('settings.get', {});
    if (info) {
      this.info = info;
      if (!this.#edited) this.threshold = info.threshold;
    }
  }

  /** Moves the slider: the preview follows after a short pause, the newest request winning. */
  setThreshold(value: number, edited = true): Promise<void> {
    this.threshold = value;
    if (edited) this.#edited = true;
    clearTimeout(this.#previewTimer);
    return new Promise((resolve) => {
      this.#previewTimer = setTimeout(async () => {
        const seq = ++this.#previewSeq;
        const preview = await this.app.run('settings.previewThreshold', { threshold: value });
        if (preview && seq === this.#previewSeq) this.preview = preview;
        resolve();
      }, this.previewDelayMs);
    });
  }

  async save(change: { threshold?: number; minClusterSize?: number; detector?: string; embedder?: string; linkage?: 'average' | 'single' | 'complete'; scanCores?: number | null; smallestFace?: number | null; precision?: 'fp32' | 'int8-embedder' | 'int8' | null }): Promise<void> {
    const info = await this.app.run('settings.set', change);
    if (info) this.info = info;
    if (info && change.threshold !== undefined) this.#edited = false;
    // The lists and fields save as they change: say so, and when it takes effect (the app walk saw no sign of it).
    if (info && (change.embedder !== undefined || change.detector !== undefined || change.scanCores !== undefined || change.smallestFace !== undefined || change.precision !== undefined)) {
      const have = info.embeddedModels.find((m) => m.modelId === info.embedder)?.count ?? 0;
      const faces = Math.max(0, ...info.embeddedModels.map((m) => m.count));
      const embedder = have >= faces ? `Saved: the embedder is ${info.embedder}.` : `Saved: the embedder is ${info.embedder}; the next scan embeds every face with it.`;
      this.app.inform(change.embedder !== undefined ? embedder : 'Saved: the next scan uses it.');
    }
    // The smallest group and the linkage change what a threshold gives: refresh the preview.
    if (info && (change.minClusterSize !== undefined || change.linkage !== undefined)) await this.setThreshold(this.threshold, false);
  }

  /** Saves the threshold and re-clusters with it. */
  async recluster(): Promise<boolean> {
    this.clustering = true;
    await this.save({ threshold: this.threshold });
    const report = await this.app.run('cluster.run', { threshold: this.threshold });
    this.clustering = false;
    if (report) this.app.inform(`${plural(report.clusters, 'group')} found among ${plural(report.faces, 'face')} (${report.unclustered} left unsorted); your names and decisions were kept.`);
    return report !== undefined;
  }

  async forgetAll(confirmation: string): Promise<boolean> {
    if (confirmation !== 'forget') {
      this.app.fail(new Error('type "forget" to confirm'));
      return false;
    }
    const result = await this.app.run('settings.forgetAllFaceData', { confirm: 'forget' });
    if (result) {
      this.app.inform(`Forgot ${plural(result.faces, 'face')} and ${plural(result.persons, 'person', 'people')}.`);
      // The group count above described faces that are gone (it kept saying "4 groups among 33 faces").
      await this.load();
      await this.setThreshold(this.threshold, false);
    }
    return result !== undefined;
  }
}
