/**
 * The keys of the settings table, one table for every layer (people, API, CLI), so a key is never
 * spelled twice. Values are JSON; what each holds is said beside it.
 */
export const SETTING_KEYS = {
  /** Detector id of the catalog used by scans. */
  detector: 'detector',
  /** Embedder id in use: a catalog id, a trained model's id, or a derived "base+adapterN" id. */
  embedder: 'embedder',
  /** Clustering distance threshold (number); absent: the embedder's calibrated one. */
  threshold: 'clusterThreshold',
  /** Small-cluster caution (number in (0, 1]); absent: the embedder's calibrated one. */
  caution: 'clusterCaution',
  /** 'average' | 'single' | 'complete'. */
  linkage: 'clusterLinkage',
  /** Smallest unnamed group shown and kept as a cluster (integer). */
  minClusterSize: 'minClusterSize',
  /** Cores a scan in the app may use (integer >= 1); absent: all but one on machines with 4 or more cores, else all. */
  scanCores: 'scanCores',
  /**
   * The smallest face scans look for, px of the photo as decoded (whole up to 4096 px on the long side), an
   * integer in [SMALLEST_FACE_MIN, SMALLEST_FACE_MAX]; absent: 40. Larger is faster on big photos (fewer tiles).
   */
  smallestFace: 'smallestFace',
  /** 'fp32' | 'int8-embedder' | 'int8': the numbers the ONNX networks compute in (embed/precision.ts); absent: DEFAULT_PRECISION. */
  precision: 'precision',
} as const;

export const SMALLEST_FACE_DEFAULT = 40;
export const SMALLEST_FACE_MIN = 20;
export const SMALLEST_FACE_MAX = 400;

export type SettingKey = (typeof SETTING_KEYS)[keyof typeof SETTING_KEYS];
