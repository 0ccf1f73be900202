import { StoreError } from './storeError.ts';

export type RestoreProblem = 'missing' | 'live-database' | 'not-sqlite' | 'corrupt' | 'not-facet' | 'too-new' | 'exists';

/** A backup that cannot be restored (or written), with the file and what is wrong with it; nothing was changed. */
export class RestoreError extends StoreError {
  override readonly name = 'RestoreError';
  readonly file: string;
  readonly problem: RestoreProblem;

  constructor(file: string, problem: RestoreProblem, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
    this.problem = problem;
  }
}
