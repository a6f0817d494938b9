/**
 * The declarative preprocessing spec: one object, applied identically to the float and the
 * quantized model, and to every sample, in every host (browser worker, Node).
 */
export type ColorMode = 'rgb' | 'bgr' | 'grayscale';
export type Layout = 'NCHW' | 'NHWC';
export type PixelScale = '0..1' | '0..255';
export type InputDType = 'float32' | 'uint8' | 'int8';

export interface PreprocessSpec {
  /** Output spatial size the model expects. */
  height: number;
  width: number;
  /**
   * 'shorter-side-crop': resize so the shorter side equals `resizeShorterSide` (bilinear),
   * then center-crop height x width. 'stretch': resize straight to height x width.
   */
  resize: 'shorter-side-crop' | 'stretch';
  /** Only for 'shorter-side-crop'; defaults to max(height, width). */
  resizeShorterSide?: number;
  /**
   * Downscaling with a triangle filter as wide as the scale factor, as PIL's
   * `Image.resize(BILINEAR)` and torchvision's `resize(..., antialias=True)` do (default true).
   * false: two-tap bilinear, torch `interpolate(mode='bilinear', align_corners=False)` / OpenCV
   * INTER_LINEAR. Upscaling, and axes whose size already matches, are the same either way.
   */
  antialias?: boolean;
  color: ColorMode;
  scale: PixelScale;
  /** Per-channel mean and std, applied after scaling: (x - mean) / std. One value for grayscale. */
  mean: number[];
  std: number[];
  layout: Layout;
  dtype: InputDType;
}

/** Decoded pixels, straight from the image decoder (RGBA, 8 bits per channel, row-major). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** What a model says about its (single) image input: read from the model, never guessed. */
export interface ModelInputInfo {
  name: string;
  /** ONNX element type name as onnxruntime names it: 'float32', 'uint8', 'float16', ... */
  dtype: string;
  /** Dimensions; a string or null is symbolic/unknown (e.g. 'batch'). */
  shape: (number | string | null)[];
}

export type PreprocessedTensorData = Float32Array | Uint8Array | Int8Array;
