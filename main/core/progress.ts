/** Progress of long work (scan, embed, cluster, fine-tune), reported by every layer and shown by the CLI and the app. */
export interface ProgressEvent {
  stage: string;
  done: number;
  total: number;
  detail?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;
