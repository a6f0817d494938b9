/**
 * Turning what the page shows into a spot-check input: a canvas or a video frame encoded as PNG
 * (lossless, so the stored field sample is exactly what the models saw), a picked file as it is.
 */
import { sniffImageType } from '../core/data/decode.ts';
import { QuantLensError } from '../core/errors.ts';
import type { SpotInput, SpotSource } from './field-samples.ts';
import { fitWithin } from './spotcheck-math.ts';

/** Longest side of a captured camera frame at most (a 224-pixel model still gets 2.8x its input). */
export const MAX_FRAME_SIDE = 640;

/** The canvas as a PNG input. */
export async function canvasInput(canvas: HTMLCanvasElement, source: SpotSource): Promise<SpotInput> {
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new QuantLensError('image-undecodable', 'The picture could not be encoded.', 'Try again; if it keeps failing, reload the page.');
  return { bytes: await blob.arrayBuffer(), mime: 'image/png', source };
}

/**
 * The video's current frame as a PNG input, no larger on its longer side than `maxSide` (see
 * captureSide); null before the first frame. The frame at that size IS the input (and the field sample).
 */
export async function frameInput(video: HTMLVideoElement, canvas: HTMLCanvasElement, maxSide = MAX_FRAME_SIDE): Promise<SpotInput | null> {
  if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !video.videoWidth) return null;
  const size = fitWithin(video.videoWidth, video.videoHeight, maxSide);
  if (canvas.width !== size.width) canvas.width = size.width;
  if (canvas.height !== size.height) canvas.height = size.height;
  canvas.getContext('2d')?.drawImage(video, 0, 0, size.width, size.height);
  return canvasInput(canvas, 'camera');
}

/**
 * Resolves when the video has a new frame (or on the next animation frame where that cannot be
 * told), when `signal` aborts, or after `timeoutMs` (a stalled camera must not hang the loop).
 */
export function nextVideoFrame(video: HTMLVideoElement, signal: AbortSignal, timeoutMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(done);
    else requestAnimationFrame(done);
  });
}

/** A picked image file, its bytes kept as they are (never re-encoded). */
export async function fileInput(file: File): Promise<SpotInput> {
  const bytes = await file.arrayBuffer();
  const mime = sniffImageType(new Uint8Array(bytes)) ?? file.type;
  if (!mime.startsWith('image/')) throw new QuantLensError('image-undecodable', `'${file.name}' is not an image this app can read.`, 'Pick a PNG, JPEG, WebP, GIF or BMP file.');
  return { bytes, mime, source: 'photo' };
}
