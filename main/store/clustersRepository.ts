/** cluster_runs and clusters: the results of clustering, derived data that a rerun rebuilds. */
import type { Db } from './db.ts';
import { NotFoundError } from './errors/notFoundError.ts';

export type ClusterRunStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface ClusterRun {
  id: number;
  modelId: string;
  /** Distance threshold at which agglomeration stopped. */
  threshold: number;
  /** 'average', 'complete', ... as named by the clustering module. */
  linkage: string;
  startedAt: number;
  finishedAt: number | null;
  status: ClusterRunStatus;
  error: string | null;
}

export interface NewClusterRun {
  modelId: string;
  threshold: number;
  linkage: string;
}

export interface ClusterSummary {
  id: number;
  label: string;
  /** Faces currently assigned to the cluster. */
  size: number;
}

const columns = `id, model_id AS modelId, threshold, linkage, started_at AS startedAt, finished_at AS finishedAt,
  status, error`;

export const clustersSql = {
  startRun: 'INSERT INTO cluster_runs (model_id, threshold, linkage, started_at) VALUES (?, ?, ?, ?)',
  finishRun: "UPDATE cluster_runs SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'",
  run: `SELECT ${columns} FROM cluster_runs WHERE id = ?`,
  latestDone: `SELECT ${columns} FROM cluster_runs WHERE model_id = ? AND status = 'done'
    ORDER BY started_at DESC, id DESC LIMIT 1`,
  addCluster: 'INSERT INTO clusters (run_id, label) VALUES (?, ?)',
  clusters: `SELECT c.id, c.label, (SELECT count(*) FROM face_assignments a WHERE a.cluster_id = c.id) AS size
    FROM clusters c WHERE c.run_id = ? ORDER BY c.label`,
  deleteRun: 'DELETE FROM cluster_runs WHERE id = ?',
} as const;

export class ClustersRepository {
  readonly #db: Db;
  readonly #startRun;
  readonly #finishRun;
  readonly #run;
  readonly #latestDone;
  readonly #addCluster;
  readonly #clusters;
  readonly #deleteRun;

  constructor(db: Db) {
    this.#db = db;
    this.#startRun = db.prepare<[string, number, string, number]>(clustersSql.startRun);
    this.#finishRun = db.prepare<[ClusterRunStatus, string | null, number, number]>(clustersSql.finishRun);
    this.#run = db.prepare<[number], ClusterRun>(clustersSql.run);
    this.#latestDone = db.prepare<[string], ClusterRun>(clustersSql.latestDone);
    this.#addCluster = db.prepare<[number, string]>(clustersSql.addCluster);
    this.#clusters = db.prepare<[number], ClusterSummary>(clustersSql.clusters);
    this.#deleteRun = db.prepare<[number]>(clustersSql.deleteRun);
  }

  startRun(run: NewClusterRun, now = Date.now()): ClusterRun {
    const { lastInsertRowid } = this.#startRun.run(run.modelId, run.threshold, run.linkage, now);
    return this.getRun(Number(lastInsertRowid))!;
  }

  /** Ends a running run; a run already ended is left as it is (NotFoundError if there is no such run). */
  finishRun(
    runId: number,
    status: Exclude<ClusterRunStatus, 'running'>,
    error: string | null = null,
    now = Date.now(),
  ): ClusterRun {
    this.#finishRun.run(status, error, now, runId);
    const run = this.getRun(runId);
    if (!run) throw new NotFoundError('cluster_runs', runId);
    return run;
  }

  getRun(runId: number): ClusterRun | undefined {
    return this.#run.get(runId);
  }

  latestDoneRun(modelId: string): ClusterRun | undefined {
    return this.#latestDone.get(modelId);
  }

  /** Creates the run's clusters; returns each label's cluster id. */
  addClusters(runId: number, labels: Iterable<string>): Map<string, number> {
    return this.#db.transaction((): Map<string, number> => {
      const ids = new Map<string, number>();
      for (const label of labels) ids.set(label, Number(this.#addCluster.run(runId, label).lastInsertRowid));
      return ids;
    }).immediate();
  }

  listClusters(runId: number): ClusterSummary[] {
    return this.#clusters.all(runId);
  }

  /** Deletes a run and its clusters; faces keep their persons, their cluster becomes null. */
  deleteRun(runId: number): boolean {
    return this.#deleteRun.run(runId).changes > 0;
  }
}
