/**
 * The device camera: opened only by `start()` (called from a button press), the rear camera
 * preferred, released by `stop()` (tracks stopped, so the browser's camera indicator goes off).
 */
import { cameraProblem, type CameraProblemKind } from './spotcheck-math.ts';

export type CameraPhase = 'off' | 'starting' | 'live' | 'problem';

export class Camera {
  phase = $state<CameraPhase>('off');
  stream = $state.raw<MediaStream | null>(null);
  /** Why the camera is not available, in plain words (denied, missing, busy…). */
  problem = $state.raw<{ kind: CameraProblemKind; message: string } | null>(null);
  /** Bumped on every start and stop, so a start answered after a stop is released at once. */
  #generation = 0;

  /** Asks for the camera (the browser may prompt). Resolves with the stream, or null with `problem` set. */
  async start(): Promise<MediaStream | null> {
    this.stop();
    const generation = ++this.#generation;
    this.problem = null;
    const media = globalThis.navigator?.mediaDevices;
    if (!media?.getUserMedia) {
      this.#fail(cameraProblem(undefined, globalThis.isSecureContext !== false));
      return null;
    }
    this.phase = 'starting';
    try {
      // `ideal`: the rear camera when there is one, any camera otherwise (a laptop's front camera).
      const stream = await media.getUserMedia({ audio: false, video: { facingMode: { ideal: 'environment' }, width: { ideal: 640 }, height: { ideal: 480 } } });
      if (generation !== this.#generation) {
        stopTracks(stream);
        return null;
      }
      this.stream = stream;
      this.phase = 'live';
      // A camera unplugged or taken by the system ends its track: show it as stopped, not frozen.
      for (const track of stream.getVideoTracks()) track.addEventListener('ended', () => this.stream === stream && this.stop());
      return stream;
    } catch (error) {
      if (generation !== this.#generation) return null;
      this.#fail(cameraProblem(error instanceof DOMException || error instanceof Error ? error.name : undefined, globalThis.isSecureContext !== false));
      return null;
    }
  }

  /** Releases the camera (every track stopped). Safe to call at any time. */
  stop(): void {
    this.#generation++;
    if (this.stream) stopTracks(this.stream);
    this.stream = null;
    if (this.phase !== 'problem') this.phase = 'off';
  }

  /** Tracks still live (0 once released): what the tests check, and what the indicator reflects. */
  liveTracks(): number {
    return this.stream?.getTracks().filter((t) => t.readyState === 'live').length ?? 0;
  }

  #fail(problem: { kind: CameraProblemKind; message: string }): void {
    this.stream = null;
    this.problem = problem;
    this.phase = 'problem';
  }
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}
