/**
 * Pure helpers of the spot check (no DOM, no workers): top-k with confidences, the rolling window of
 * live frames, the preprocessed tensor turned back into pixels, labels and camera errors in plain words.
 */
import { argmax } from '../core/metrics/index.ts';
import { channelCount, type PreprocessSpec } from '../core/preprocess/index.ts';

export interface RankedClass {
  index: number;
  name: string;
  /** Softmax of the scores, or the scores themselves when they already are probabilities. */
  confidence: number;
}

/** Scores as probabilities: taken as they are when all in [0, 1] summing to 1 (±1e-3), else softmax (as topConfidence does). */
export function probabilities(scores: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(scores as ArrayLike<number>);
  if (out.length === 0) return out;
  const sum = out.reduce((total, s) => total + s, 0);
  if (out.every((s) => s >= 0 && s <= 1) && Math.abs(sum - 1) <= 1e-3) return out;
  const max = out[argmax(scores)];
  let total = 0;
  for (let i = 0; i < out.length; i++) total += out[i] = Math.exp(out[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

/** The k most confident classes, most confident first (ties: lower index first). */
export function topK(scores: ArrayLike<number>, k: number, classNames: readonly string[]): RankedClass[] {
  const p = probabilities(scores);
  const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
  return order.slice(0, Math.max(0, k)).map((index) => ({ index, name: classNames[index] ?? String(index), confidence: p[index] }));
}

/** Class names for a model with `outputCount` scores: the dataset's when they fit, else the indices. */
export function classNamesFor(outputCount: number, datasetNames: readonly string[] | null | undefined): string[] {
  if (datasetNames && datasetNames.length === outputCount) return [...datasetNames];
  return Array.from({ length: outputCount }, (_, i) => String(i));
}

/** The class index a typed label names (exact, then ignoring case and surrounding spaces), or null. */
export function resolveLabel(typed: string, classNames: readonly string[]): number | null {
  const exact = classNames.indexOf(typed);
  if (exact >= 0) return exact;
  const wanted = typed.trim().toLowerCase();
  if (!wanted) return null;
  const loose = classNames.findIndex((name) => name.trim().toLowerCase() === wanted);
  return loose >= 0 ? loose : null;
}

/** One live frame as the window keeps it. */
export interface FrameRecord {
  /** When both models had answered (ms, any monotonic clock). */
  at: number;
  agree: boolean;
}

export interface WindowStats {
  frames: number;
  /** Frames per second between the first and last frame of the window; 0 with fewer than 2 frames. */
  framesPerSecond: number;
  /** Share of the window's frames on which both models gave the same top-1 class. */
  agreement: number;
}

/** The last `size` live frames: throughput and running agreement. */
export class RollingWindow {
  readonly #frames: FrameRecord[] = [];
  constructor(readonly size = 30) {}

  add(frame: FrameRecord): WindowStats {
    this.#frames.push(frame);
    if (this.#frames.length > this.size) this.#frames.shift();
    return this.stats();
  }

  clear(): void {
    this.#frames.length = 0;
  }

  stats(): WindowStats {
    const frames = this.#frames;
    const n = frames.length;
    const span = n >= 2 ? frames[n - 1].at - frames[0].at : 0;
    return {
      frames: n,
      framesPerSecond: span > 0 ? ((n - 1) * 1000) / span : 0,
      agreement: n ? frames.filter((f) => f.agree).length / n : 0,
    };
  }
}

/** Pixels for showing "what the model sees". */
export interface SeenImage {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  data: Uint8ClampedArray;
}

/**
 * The preprocessed tensor rendered back as an image: (x · std + mean), scaled back to 0..255, in the
 * spec's layout and colour order. Resizing and cropping stay visible: this is the model's own view.
 */
export function tensorToImage(tensor: ArrayLike<number>, spec: PreprocessSpec): SeenImage {
  const { width, height } = spec;
  const channels = channelCount(spec.color);
  const data = new Uint8ClampedArray(width * height * 4);
  const value = (c: number, y: number, x: number) => {
    const index = spec.layout === 'NCHW' ? (c * height + y) * width + x : (y * width + x) * channels + c;
    const scaled = tensor[index] * spec.std[c] + spec.mean[c];
    return spec.scale === '0..1' ? scaled * 255 : scaled;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const out = (y * width + x) * 4;
      if (channels === 1) {
        data[out] = data[out + 1] = data[out + 2] = Math.round(value(0, y, x));
      } else {
        const rgb = [value(0, y, x), value(1, y, x), value(2, y, x)];
        if (spec.color === 'bgr') rgb.reverse();
        for (let c = 0; c < 3; c++) data[out + c] = Math.round(rgb[c]);
      }
      data[out + 3] = 255;
    }
  }
  return { width, height, data };
}

/** A capture size no larger than `maxSide` on its longer side, keeping the aspect ratio. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longer = Math.max(width, height);
  if (longer <= maxSide || longer === 0) return { width, height };
  const factor = maxSide / longer;
  return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
}

/**
 * How large a camera frame is captured for a spec: 4x the model's input side (its resize target
 * included), at least 256 and at most 640 pixels on the longer side. Encoding and decoding the frame
 * cost far more than a small model's inference (a noisy 640x480 frame: ~150 ms; the MNIST pair: < 1 ms).
 */
export function captureSide(spec: Pick<PreprocessSpec, 'width' | 'height' | 'resizeShorterSide'>, min = 256, max = 640): number {
  const side = 4 * Math.max(spec.width, spec.height, spec.resizeShorterSide ?? 0);
  return Math.min(max, Math.max(min, side));
}

export type CameraProblemKind = 'denied' | 'missing' | 'busy' | 'insecure' | 'failed';

/** What a getUserMedia failure means for the user, and what to do (by the DOMException's name). */
export function cameraProblem(errorName: string | undefined, secureContext = true): { kind: CameraProblemKind; message: string } {
  const others = 'The photo and drawing inputs below still work.';
  if (!secureContext) return { kind: 'insecure', message: `The camera is only available on a secure page (https:// or localhost). ${others}` };
  switch (errorName) {
    case 'NotAllowedError':
    case 'SecurityError':
      return { kind: 'denied', message: `Camera access was denied. To use it, allow the camera for this site in the browser's site settings (the icon next to the address), then press "Start camera" again. ${others}` };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { kind: 'missing', message: `No camera was found on this device. ${others}` };
    case 'NotReadableError':
    case 'AbortError':
      return { kind: 'busy', message: `The camera could not be started: another app or tab may be using it. Close it and try again. ${others}` };
    default:
      return { kind: 'failed', message: `The camera could not be started${errorName ? ` (${errorName})` : ''}. ${others}` };
  }
}
