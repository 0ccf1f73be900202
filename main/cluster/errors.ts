/**
 * Errors of the clustering core. Each names the input field it concerns so the
 * caller (CLI, UI) can show it; all share one documented base class.
 */

/** Base class of every error thrown by main/cluster. */
export class ClusterError extends Error {
  override name = 'ClusterError';
  /** The input field the error concerns (e.g. `vectors`, `mustLinkGroups`). */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** The input is malformed: wrong lengths, indices out of range, non-finite values. */
export class ClusterInputError extends ClusterError {
  override name = 'ClusterInputError';
}

/**
 * The request cannot be met within the configured limits, e.g. complete linkage on more
 * faces than the exact path allows, or a threshold graph too dense for the edge budget.
 */
export class ClusterLimitError extends ClusterError {
  override name = 'ClusterLimitError';
}
