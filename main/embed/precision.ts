/**
 * Which numbers the ONNX networks compute in: 'fp32', or 'int8' (the quantized graphs of
 * native-models/onnx/quantize.ts, for dlib's ResNet and the SSD detector). Asked for with --precision
 * or FACET_PRECISION; the default is the one `facet eval precision` showed keeps the accuracy.
 */
import { isPrecision, PRECISIONS, type Precision } from '../../native-models/onnx/quantize.ts';

export { isPrecision, PRECISIONS, type Precision };

/**
 * int8. In `facet eval precision` (docs/precision-result.json) int8 dlib ResNet keeps LFW (99.13% against 99.12%)
 * and clustering (BCubed F −0.0015) at 2.4x the speed, and with the proposals small-face pass the int8 SSD finds
 * the same faces in every size band: every condition of the issue for a default holds. Libraries that had faces
 * before this default changed keep fp32 (store migration 0004), so one library's vectors never mix precisions
 * unless its owner switches in Settings.
 */
export const DEFAULT_PRECISION: Precision = 'int8';

export class PrecisionError extends Error {
  override readonly name = 'PrecisionError';
  constructor(readonly field: string, readonly value: string) {
    super(`${field} must be ${PRECISIONS.join(' or ')}, not "${value}"`);
  }
}

/** A precision named in `field` (an option or variable), undefined when empty; a PrecisionError otherwise. */
export function precisionFrom(value: string | undefined, field: string): Precision | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isPrecision(value)) throw new PrecisionError(field, value);
  return value;
}

/** The precision asked for (an option), else FACET_PRECISION, else the default; and whether it was asked for at all. */
export function resolvePrecision(requested?: Precision, env: NodeJS.ProcessEnv = process.env): { precision: Precision; requested: boolean } {
  const asked = requested ?? precisionFrom(env.FACET_PRECISION, 'FACET_PRECISION');
  return { precision: asked ?? DEFAULT_PRECISION, requested: asked !== undefined };
}
