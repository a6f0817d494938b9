/** Preprocessing: one declarative spec, applied identically to both models and every sample. */
export type { ColorMode, InputDType, Layout, ModelInputInfo, PixelScale, PreprocessedTensorData, PreprocessSpec, RgbaImage } from './spec.ts';
export { preprocess, tensorShape } from './preprocess.ts';
export { channelCount, validateSpec } from './validate.ts';
export { checkSpecAgainstInput, formatDims, layoutAxes } from './fit.ts';
export { describeSpec, suggestSpec, IMAGENET_MEAN, IMAGENET_STD } from './suggest.ts';
export { antialiasedAxis, planAxisAntialiased, planResize, roundHalfToEven } from './resize.ts';
export type { AxisTaps, ResizePlan } from './resize.ts';
