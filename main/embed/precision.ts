/**
 * Which numbers the ONNX networks compute in. Each network runs 'fp32' or 'int8' (a `Precision`: the quantized
 * graphs of native-models/onnx/quantize.ts exist for dlib's ResNet and the SSD detector); the user chooses a
 * `PrecisionMode` for both at once:
 *  - 'fp32': both networks as published;
 *  - 'int8-embedder': the embedder in int8, the detector in fp32 (the default, see DEFAULT_PRECISION);
 *  - 'int8': both in int8.
 * Asked for with --precision or FACET_PRECISION, or a library's Settings; the landmark net and BlazeFace stay fp32.
 */
import { isPrecision, PRECISIONS, type Precision } from '../../native-models/onnx/quantize.ts';

export { isPrecision, PRECISIONS, type Precision };

export type PrecisionMode = 'fp32' | 'int8-embedder' | 'int8';
export const PRECISION_MODES: readonly PrecisionMode[] = ['fp32', 'int8-embedder', 'int8'];

export function isPrecisionMode(value: unknown): value is PrecisionMode {
  return value === 'fp32' || value === 'int8-embedder' || value === 'int8';
}

/** What the detector and the embedder run in. */
export interface NetworkPrecisions {
  detector: Precision;
  embedder: Precision;
}

/** What each network runs in under a mode. */
export function networkPrecisions(mode: PrecisionMode): NetworkPrecisions {
  return { detector: mode === 'int8' ? 'int8' : 'fp32', embedder: mode === 'fp32' ? 'fp32' : 'int8' };
}

/** The mode two networks ran in, or how they ran where no mode says it (an int8 detector with a float embedder). */
export function describePrecisions(ran: NetworkPrecisions): string {
  const mode = PRECISION_MODES.find((m) => networkPrecisions(m).detector === ran.detector && networkPrecisions(m).embedder === ran.embedder);
  return mode ?? `detector ${ran.detector}, embedder ${ran.embedder}`;
}

/**
 * 'int8-embedder'. `facet eval precision` (docs/precision-result.json) measured the int8 dlib ResNet on the fp32
 * detector's landmarks: LFW 99.13% against 99.12%, clustering BCubed F −0.0015, at 2.4x the speed; every condition
 * the issue sets for a default holds. With the SSD in int8 as well (`facet eval lfw --precision int8`) LFW fell to
 * 99.00%, 0.12 points: outside the 0.1 allowed, for 1.12x on the small-face pass, so the detector stays fp32.
 * Libraries that had faces before int8 became a default keep fp32 (store migration 0004), so one library's vectors
 * never mix precisions unless its owner switches in Settings.
 */
export const DEFAULT_PRECISION: PrecisionMode = 'int8-embedder';

export class PrecisionError extends Error {
  override readonly name = 'PrecisionError';
  constructor(readonly field: string, readonly value: string) {
    super(`${field} must be ${PRECISION_MODES.join(', ')}, not "${value}"`);
  }
}

/** A precision mode named in `field` (an option or variable), undefined when empty; a PrecisionError otherwise. */
export function precisionFrom(value: string | undefined, field: string): PrecisionMode | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isPrecisionMode(value)) throw new PrecisionError(field, value);
  return value;
}

/** The mode asked for (an option), else FACET_PRECISION, else the default; and whether it was asked for at all. */
export function resolvePrecision(requested?: PrecisionMode, env: NodeJS.ProcessEnv = process.env): { precision: PrecisionMode; requested: boolean } {
  const asked = requested ?? precisionFrom(env.FACET_PRECISION, 'FACET_PRECISION');
  return { precision: asked ?? DEFAULT_PRECISION, requested: asked !== undefined };
}
