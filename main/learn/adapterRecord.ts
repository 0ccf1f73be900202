/**
 * How an applied adapter is kept: one JSON value in the settings table under `adapter:<baseModelId>`
 * (no migration needed), and its embeddings under a derived model id `<baseModelId>+adapter<N>` in the
 * embeddings table, beside the base model's. N counts the adapters applied to that base model.
 *
 *   {
 *     "schema": "facet-adapter/1", "baseModelId": "dlib-resnet", "derivedModelId": "dlib-resnet+adapter2",
 *     "serial": 2, "kind": "linear", "dim": 128,
 *     "weights": "<base64 of 128×128 little-endian float32, row-major; y = normalise(W x)>",
 *     "createdAt": "2025-…", "active": true, "rolledBackAt": null,
 *     "clusterThreshold": 0.21, "setClusterThreshold": true,
 *     "metrics": { … the fine-tune report's figures … }
 *   }
 */
import { type LinearAdapter, createAdapter, decodeWeights, encodeWeights } from './adapter.ts';
import { LearnInputError } from './errors.ts';

export const ADAPTER_SCHEMA = 'facet-adapter/1';

export interface AdapterRecord {
  readonly schema: typeof ADAPTER_SCHEMA;
  readonly baseModelId: string;
  readonly derivedModelId: string;
  readonly serial: number;
  readonly kind: 'linear';
  readonly dim: number;
  readonly weights: string;
  readonly createdAt: string;
  /** Whether the derived model is the one in use (false after a rollback). */
  readonly active: boolean;
  readonly rolledBackAt: string | null;
  /** The clustering threshold used with the derived model (squared L2). */
  readonly clusterThreshold: number;
  /** True when applying wrote the clusterThreshold setting (none was set); rollback then removes it. */
  readonly setClusterThreshold: boolean;
  readonly metrics: unknown;
}

const ADAPTER_KEY_PREFIX = 'adapter:';

export function adapterSettingsKey(baseModelId: string): string {
  return `${ADAPTER_KEY_PREFIX}${baseModelId}`;
}

/** Whether a settings key holds an adapter record (adapterSettingsKey of some base model). */
export function isAdapterSettingsKey(key: string): boolean {
  return key.startsWith(ADAPTER_KEY_PREFIX);
}

const DERIVED = /^(.+)\+adapter(\d+)$/;

export function derivedModelId(baseModelId: string, serial: number): string {
  return `${baseModelId}+adapter${serial}`;
}

/** "dlib-resnet+adapter2" → { base: "dlib-resnet", serial: 2 }; undefined for a base model id. */
export function parseDerivedModelId(modelId: string): { base: string; serial: number } | undefined {
  const match = DERIVED.exec(modelId);
  return match ? { base: match[1]!, serial: Number(match[2]) } : undefined;
}

/** The model an id's embeddings come from: itself, or the base of a derived id. */
export function baseModelOf(modelId: string): string {
  return parseDerivedModelId(modelId)?.base ?? modelId;
}

export function adapterFromRecord(record: AdapterRecord): LinearAdapter {
  return createAdapter(record.dim, decodeWeights(record.weights, record.dim));
}

export function weightsForRecord(adapter: LinearAdapter): string {
  return encodeWeights(adapter.weights);
}

/** Checks a value read from the settings table; undefined stays undefined. */
export function parseAdapterRecord(value: unknown, key: string): AdapterRecord | undefined {
  if (value === undefined) return undefined;
  const record = value as Partial<AdapterRecord> | null;
  if (!record || record.schema !== ADAPTER_SCHEMA || record.kind !== 'linear' || typeof record.weights !== 'string' || typeof record.dim !== 'number') {
    throw new LearnInputError(`settings.${key} is not a ${ADAPTER_SCHEMA} adapter`, `settings.${key}`);
  }
  return record as AdapterRecord;
}
