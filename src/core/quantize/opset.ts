/**
 * QDQ with per-axis DequantizeLinear needs opset 13 in the default domain. Older models are
 * moved to 13 only when every op they use means the same thing at 13.
 */
import { create } from '@bufbuild/protobuf';
import { QuantLensError } from '../errors.ts';
import { OperatorSetIdProtoSchema, type ModelProto } from '../onnx/gen/onnx_pb.ts';

/** Default-domain opset the QDQ output uses at least. */
export const QDQ_MIN_OPSET = 13;
// ONNX IR version that goes with opset 13.
const MIN_IR_VERSION = 7n;

// Ops whose inputs, attributes and meaning are unchanged between opset 10 and 13 for valid models.
const SAME_AT_13 = new Set([
  'Abs', 'Add', 'AveragePool', 'BatchNormalization', 'Cast', 'Ceil', 'Concat', 'Constant', 'Conv', 'Div',
  'Elu', 'Equal', 'Erf', 'Exp', 'Expand', 'Flatten', 'Floor', 'Gather', 'Gemm', 'GlobalAveragePool',
  'GlobalMaxPool', 'Greater', 'HardSigmoid', 'Identity', 'LeakyRelu', 'Less', 'Log', 'LRN', 'MatMul', 'Max',
  'MaxPool', 'Min', 'Mul', 'Neg', 'Not', 'Pow', 'PRelu', 'Reciprocal', 'Relu', 'Reshape', 'Selu', 'Shape',
  'Sigmoid', 'Sign', 'Softplus', 'Softsign', 'Sqrt', 'Sub', 'Sum', 'Tanh', 'Tile', 'Transpose', 'Where',
  'QuantizeLinear', 'DequantizeLinear',
]);

/** Raises the default-domain opset to 13 (and IR to 7) when lower; throws when that would change ops. */
export function ensureQdqOpset(model: ModelProto): void {
  if (model.irVersion < MIN_IR_VERSION) model.irVersion = MIN_IR_VERSION;
  const defaultOpset = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!defaultOpset) {
    model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(QDQ_MIN_OPSET) }));
    return;
  }
  const version = Number(defaultOpset.version);
  if (version >= QDQ_MIN_OPSET) return;
  const nodes = model.graph?.node ?? [];
  const changed = [...new Set(nodes.filter((n) => (n.domain === '' || n.domain === 'ai.onnx') && !SAME_AT_13.has(n.opType)).map((n) => n.opType))];
  if (version < 10 || changed.length > 0) {
    const why = version < 10 ? 'predates QuantizeLinear' : `uses ops that change between opset ${version} and 13 (${changed.join(', ')})`;
    throw new QuantLensError(
      'quantize-failed',
      `The float model uses opset ${version}, which ${why}; QDQ quantization needs opset ${QDQ_MIN_OPSET}.`,
      'Re-export the float model with opset 13 or newer (for PyTorch: torch.onnx.export(..., opset_version=13)).',
    );
  }
  defaultOpset.version = BigInt(QDQ_MIN_OPSET);
}
