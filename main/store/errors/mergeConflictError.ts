import { StoreError } from './storeError.ts';

/**
 * Merging two persons would contradict a user decision: a face the user put with one of them
 * carries a "not this person" constraint for the other. Nothing was changed.
 */
export class MergeConflictError extends StoreError {
  override readonly name = 'MergeConflictError';
  readonly fromPersonId: number;
  readonly intoPersonId: number;
  /** Faces whose decisions contradict each other once the two persons are one. */
  readonly faceIds: readonly number[];

  constructor(fromPersonId: number, intoPersonId: number, faceIds: readonly number[]) {
    super(
      `merging person ${fromPersonId} into ${intoPersonId} contradicts the user's decisions on faces ${faceIds.join(', ')}; ` +
        'pass { dropContradictedNotConstraints: true } once the user confirms',
    );
    this.fromPersonId = fromPersonId;
    this.intoPersonId = intoPersonId;
    this.faceIds = faceIds;
  }
}
