import { StoreError } from './storeError.ts';

/**
 * Putting faces with a person would contradict a user decision: a face carries a "not this person"
 * constraint for the person it would join (two persons merged, or a cluster merged into or named as a
 * person). Nothing was changed. The message says what conflicts, not how to confirm: each surface asks
 * in its own way (the app's dialog, the CLI's --drop-contradictions, the API's dropContradictions).
 */
export class MergeConflictError extends StoreError {
  override readonly name = 'MergeConflictError';
  /** The person merged away, where a person is (undefined for a cluster). */
  readonly fromPersonId: number | undefined;
  readonly intoPersonId: number;
  /** Faces whose decisions contradict each other once they are one. */
  readonly faceIds: readonly number[];

  constructor(fromPersonId: number | undefined, intoPersonId: number, faceIds: readonly number[], what = `merging person ${fromPersonId} into ${intoPersonId}`) {
    const faces = faceIds.length === 1 ? `face ${faceIds[0]}` : `faces ${faceIds.join(', ')}`;
    super(`${what} contradicts the "not this person" decision on ${faces}`);
    this.fromPersonId = fromPersonId;
    this.intoPersonId = intoPersonId;
    this.faceIds = faceIds;
  }
}
