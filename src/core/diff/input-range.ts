/**
 * The input-range check: where the quantized model quantizes a graph input (a QuantizeLinear on it,
 * or a QLinear* op reading it), its scale and zero point fix the float range it can represent,
 * [(qmin − zp)·s, (qmax − zp)·s]. Test data far outside that range are clipped; data using a tiny
 * part of it fall on a handful of levels. Both usually mean the preprocessing differs from the one
 * used for calibration (0..255 against 0..1 is the classic).
 */
import type { ModelProto } from '../onnx/gen/onnx_pb.ts';
import type { TensorRange } from '../quantize/qdq-math.ts';
import { consumersThroughReshapes, indexGraph, qdqNodeParams, qlinearLayout, readQuantParams, type QuantParamsInfo } from './graph.ts';

/** The outcome of comparing one quantized graph input with the observed data range. */
export interface InputRangeCheck {
  input: string;
  /** The node that quantizes it. */
  quantizedBy: string;
  dtype: string;
  /** The float range the quantization can represent (union over channels when per channel). */
  representable: TensorRange;
  observed?: TensorRange;
  /** How far the data go beyond the representable range, as a fraction of its width (0 = inside). */
  overshoot: number;
  /** How many quantization steps the data cover (of 255 for 8 bits). */
  stepsUsed: number;
  stepsAvailable: number;
  verdict: 'ok' | 'far-outside' | 'outside' | 'far-inside' | 'not-checked';
  severity: 'ok' | 'warning' | 'error';
  /** One or two plain sentences. */
  message: string;
}

const INTEGER_BOUNDS: Record<string, TensorRange> = {
  uint8: { min: 0, max: 255 },
  int8: { min: -128, max: 127 },
  uint16: { min: 0, max: 65535 },
  int16: { min: -32768, max: 32767 },
  int32: { min: -2147483648, max: 2147483647 },
  uint4: { min: 0, max: 15 },
  int4: { min: -8, max: 7 },
};
const OUTSIDE = 0.1; // beyond 10 % of the width: clipping worth a warning
const FAR_OUTSIDE = 1; // beyond twice the width: almost certainly a scaling mismatch
const FEW_STEPS = 16; // fewer steps than 4 bits' worth

/** Checks every quantized graph input of `model` against the observed range of the data fed to it. */
export function checkInputRanges(model: ModelProto, observed: Readonly<Record<string, TensorRange>>): InputRangeCheck[] {
  if (!model.graph) return [];
  const index = indexGraph(model.graph);
  const checks: InputRangeCheck[] = [];
  for (const input of index.inputs) {
    for (const { node, reads } of consumersThroughReshapes(index, input)) {
      let params: QuantParamsInfo | string | undefined;
      if (node.opType === 'QuantizeLinear' && node.input[0] === reads) params = qdqNodeParams(index, node);
      const slot = qlinearLayout(node)?.inputs.find(([value]) => node.input[value] === reads);
      if (slot) params = readQuantParams(index, node.input[slot[1]], node.input[slot[2]], undefined);
      if (params === undefined || typeof params === 'string') continue;
      checks.push(compareRange(input, node.name || node.opType, params, observed[input], Boolean(slot)));
    }
  }
  return checks;
}

function compareRange(
  input: string, quantizedBy: string, params: QuantParamsInfo, observed: TensorRange | undefined, integerInput: boolean,
): InputRangeCheck {
  const bounds = INTEGER_BOUNDS[params.dtype] ?? INTEGER_BOUNDS.uint8;
  let low = Infinity;
  let high = -Infinity;
  let step = Infinity;
  params.scales.forEach((scale, c) => {
    const zeroPoint = params.zeroPoints[c] ?? 0;
    low = Math.min(low, (bounds.min - zeroPoint) * scale);
    high = Math.max(high, (bounds.max - zeroPoint) * scale);
    step = Math.min(step, scale);
  });
  const representable = { min: low, max: high };
  const stepsAvailable = bounds.max - bounds.min;
  const base = { input, quantizedBy, dtype: params.dtype, representable, stepsAvailable };
  if (!observed || integerInput) {
    const why = integerInput
      ? `The model reads '${input}' as ${params.dtype} values already quantized (scale ${format(step)}), so there is no float range to check.`
      : `The range of the data fed to '${input}' is not known, so it was not compared with the ${format(low)}..${format(high)} the model can represent.`;
    return { ...base, ...(observed ? { observed } : {}), overshoot: 0, stepsUsed: NaN, verdict: 'not-checked', severity: 'ok', message: why };
  }
  const width = high - low;
  const overshoot = Math.max(observed.max - high, low - observed.min, 0) / width;
  const stepsUsed = Math.max(0, Math.min(observed.max, high) - Math.max(observed.min, low)) / step;
  const dataText = `${format(observed.min)}..${format(observed.max)}`;
  const rangeText = `${format(low)}..${format(high)}`;
  const scaleHint = scalingHint(observed, representable);
  if (overshoot > OUTSIDE) {
    const far = overshoot > FAR_OUTSIDE;
    const message = `The test data at input '${input}' span ${dataText}, but the quantized model can only represent ${rangeText} there: ` +
      `values beyond it are clipped to the edge${far ? ', so most of the input is lost' : ''}.` +
      (scaleHint ? ` ${scaleHint}` : ' The calibration data probably had a narrower range; check that both used the same preprocessing.');
    return { ...base, observed, overshoot, stepsUsed, verdict: far ? 'far-outside' : 'outside', severity: far ? 'error' : 'warning', message };
  }
  if (stepsUsed < FEW_STEPS) {
    const message = `The test data at input '${input}' span only ${dataText}, but the quantized model spreads its ${stepsAvailable + 1} levels ` +
      `over ${rangeText}: the data use about ${Math.max(1, Math.round(stepsUsed))} of them, so nearly all detail is rounded away.` +
      (scaleHint ? ` ${scaleHint}` : ' The calibration data probably had a much wider range; check that both used the same preprocessing.');
    return { ...base, observed, overshoot, stepsUsed, verdict: 'far-inside', severity: stepsUsed < 4 ? 'error' : 'warning', message };
  }
  const message = `The test data at input '${input}' (${dataText}) fit the range the quantized model represents (${rangeText}).`;
  return { ...base, observed, overshoot, stepsUsed, verdict: 'ok', severity: 'ok', message };
}

/** Names the 0..255 / 0..1 confusion when the two ranges differ by about 255 times. */
function scalingHint(observed: TensorRange, representable: TensorRange): string | undefined {
  const dataMagnitude = Math.max(Math.abs(observed.min), Math.abs(observed.max));
  const modelMagnitude = Math.max(Math.abs(representable.min), Math.abs(representable.max));
  if (dataMagnitude === 0 || modelMagnitude === 0) return undefined;
  const ratio = dataMagnitude / modelMagnitude;
  if (ratio > 100 && ratio < 650) {
    return `The data are about ${Math.round(ratio)}× larger than what the model was calibrated on: it looks calibrated on pixels scaled 0..1 and fed pixels scaled 0..255; check the preprocessing scale.`;
  }
  if (ratio < 1 / 100 && ratio > 1 / 650) {
    return `The data are about ${Math.round(1 / ratio)}× smaller than what the model was calibrated on: it looks calibrated on pixels scaled 0..255 and fed pixels scaled 0..1; check the preprocessing scale.`;
  }
  return undefined;
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
}
