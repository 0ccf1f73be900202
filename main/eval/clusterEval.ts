/**
 * Clustering quality on LFW: embed every image with the real pipeline, cluster with the library's
 * algorithm (average linkage by default) and score the partition against the true identities with
 * pairwise and BCubed precision, recall and F. A threshold sweep re-cuts the kept merge tree.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { clusterFaces } from '../cluster/clusterFaces.ts';
import { cutTree } from '../cluster/tree.ts';
import type { Linkage } from '../cluster/types.ts';
import { bcubedScores, pairwiseScores } from '../metrics/clusterMetrics.ts';
import { describePrecisions } from '../embed/precision.ts';
import { embedImages, type EmbedImagesOptions } from './lfwEmbed.ts';

export interface ClusterEvalOptions extends EmbedImagesOptions {
  dataDir: string;
  /** Keep only people with at least this many images (default 1: all 13,233 images). */
  minImages?: number;
  threshold: number;
  /** Small-cluster caution (ClusterInput.caution); default 1, the plain threshold. */
  caution?: number;
  linkage?: Linkage;
  /** Further thresholds to score from the same merge tree (with the same caution). */
  sweep?: number[];
}

export interface ClusterScoresAt {
  threshold: number;
  clusters: number;
  pairwiseF: number;
  pairwisePrecision: number;
  pairwiseRecall: number;
  bcubedF: number;
  bcubedPrecision: number;
  bcubedRecall: number;
}

export interface ClusterEvalReport extends ClusterScoresAt {
  caution: number;
  faces: number;
  identities: number;
  linkage: Linkage;
  method: string;
  approximate: boolean;
  model: string;
  detector: string;
  /** What the networks ran in: a precision mode (embed/precision.ts), or each network's where no mode says it. */
  precision: string;
  detectFailures: number;
  embedSeconds: number;
  clusterSeconds: number;
  seconds: number;
  sweep: ClusterScoresAt[];
}

export function lfwIdentities(dataDir: string, minImages = 1): Array<{ name: string; images: string[] }> {
  const root = path.join(dataDir, 'images_deepfunneled');
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({
      name: entry.name,
      images: readdirSync(path.join(root, entry.name)).filter((file) => file.endsWith('.jpg')).sort().map((file) => path.join(root, entry.name, file)),
    }))
    .filter((identity) => identity.images.length >= minImages)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function scoresAt(truth: Int32Array, labels: Int32Array, threshold: number, clusters: number): ClusterScoresAt {
  // Unclustered faces (label -1) count as singletons, as a user would see them.
  let next = clusters;
  const predicted = Int32Array.from(labels, (label) => (label >= 0 ? label : next++));
  const pairwise = pairwiseScores(truth, predicted);
  const bcubed = bcubedScores(truth, predicted);
  return {
    threshold, clusters: next,
    pairwiseF: pairwise.f1, pairwisePrecision: pairwise.precision, pairwiseRecall: pairwise.recall,
    bcubedF: bcubed.f1, bcubedPrecision: bcubed.precision, bcubedRecall: bcubed.recall,
  };
}

export async function evaluateClustering(options: ClusterEvalOptions): Promise<ClusterEvalReport> {
  const started = performance.now();
  const identities = lfwIdentities(options.dataDir, options.minImages ?? 1);
  const images = identities.flatMap((identity) => identity.images);
  const embedded = await embedImages(images, { ...options, stage: 'embed' });
  const clustered = clusterEmbeddings(identities, embedded.embeddings, options);
  return {
    faces: images.length,
    identities: identities.length,
    ...clustered,
    model: embedded.embedder,
    detector: embedded.detector,
    precision: describePrecisions(embedded.precisions),
    detectFailures: embedded.detectFailures,
    embedSeconds: embedded.seconds,
    seconds: (performance.now() - started) / 1000,
  };
}

export interface ClusteredScores extends ClusterScoresAt {
  caution: number;
  linkage: Linkage;
  method: string;
  approximate: boolean;
  clusterSeconds: number;
  sweep: ClusterScoresAt[];
}

/** Clusters the identities' images from given embeddings (one per image) and scores the partition against the identities. */
export function clusterEmbeddings(
  identities: ReadonlyArray<{ images: string[] }>,
  embeddings: ReadonlyMap<string, Float32Array>,
  options: Pick<ClusterEvalOptions, 'threshold' | 'caution' | 'linkage' | 'sweep'>,
): ClusteredScores {
  const images = identities.flatMap((identity) => identity.images);
  const truth = new Int32Array(identities.flatMap((identity, i) => identity.images.map(() => i)));
  const dim = embeddings.get(images[0]!)!.length;
  const vectors = new Float32Array(images.length * dim);
  images.forEach((file, i) => vectors.set(embeddings.get(file)!, i * dim));

  const clusterStarted = performance.now();
  const linkage = options.linkage ?? 'average';
  const sweep = [...new Set(options.sweep ?? [])].sort((a, b) => a - b);
  const caution = options.caution ?? 1;
  const result = clusterFaces({
    vectors, dim, n: images.length, threshold: options.threshold, caution, linkage, minClusterSize: 1,
    treeMaxThreshold: Math.max(options.threshold, ...sweep),
  });
  const clusterSeconds = (performance.now() - clusterStarted) / 1000;
  const main = scoresAt(truth, result.labels, options.threshold, result.clusters.length);
  const sweepScores = sweep.map((threshold) => {
    const cut = cutTree(result.tree, threshold, 1, caution);
    return scoresAt(truth, cut.labels, threshold, cut.clusters.length);
  });
  return { ...main, caution, linkage, method: result.method, approximate: result.approximate, clusterSeconds, sweep: sweepScores };
}
