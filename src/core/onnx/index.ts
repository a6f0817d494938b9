/** Public surface of the ONNX model layer: parse, inspect, compare and write models. */
export { looksLikeOnnx, parseModel, serializeModel } from './model.ts';
export { readModelInfo, modelInfoOf, isQOperatorOp, type ModelInfo, type ModelFormat } from './info.ts';
export { compareTwins, formatShape, shapesMatch, type TwinDifference } from './twins.ts';
export { decodeTensor, encodeTensor, parseTensorProto, elementCount, type DecodedTensor, type TensorData } from './tensor.ts';
export { dtypeName, dataTypeOf, DataType } from './dtypes.ts';
export type { ModelProto, GraphProto, NodeProto, TensorProto } from './gen/onnx_pb.ts';
