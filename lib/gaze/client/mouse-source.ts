/**
 * Mouse-contingent viewing, the SALICON alternative (Jiang et al. 2015, CVPR, "SALICON: Saliency
 * in Context"): the image is blurred except a foveal window around the cursor, and the cursor
 * position stands in for gaze. Sampled on a fixed clock (SAMPLE_INTERVAL_MS, like an eye
 * tracker) rather than per mousemove event, so a resting cursor keeps producing samples and
 * dwell becomes a fixation; while the pointer is outside the window the samples are flagged as a
 * gap. Recorded as modality 'mouse', never mixed with webcam data.
 */
import { SampleListeners, type FaceState, type GazeSample, type GazeSource } from './gaze-source';

/** 60 Hz: SALICON's mouse tracking ran at 100 Hz; 60 Hz matches the display refresh. */
export const SAMPLE_INTERVAL_MS = 1000 / 60;

export class MouseGazeSource implements GazeSource {
  readonly modality = 'mouse' as const;
  private readonly listeners = new SampleListeners();
  private pos: { x: number; y: number } | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  private readonly onMove = (e: PointerEvent) => {
    this.pos = { x: e.clientX, y: e.clientY };
  };
  private readonly onLeave = () => {
    this.pos = null;
  };

  async start(): Promise<void> {
    if (this.timer) return;
    window.addEventListener('pointermove', this.onMove, { passive: true });
    document.documentElement.addEventListener('pointerleave', this.onLeave);
    this.timer = setInterval(() => {
      const t = performance.now();
      this.listeners.emit(this.pos ? { t, x: this.pos.x, y: this.pos.y, faceLost: false } : { t, x: 0, y: 0, faceLost: true });
    }, SAMPLE_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    window.removeEventListener('pointermove', this.onMove);
    document.documentElement.removeEventListener('pointerleave', this.onLeave);
    this.pos = null;
  }

  onSample(cb: (sample: GazeSample) => void): () => void {
    return this.listeners.add(cb);
  }

  /** Nothing to calibrate: the cursor is where it is. */
  calibrateAt(): void {}

  /** The pointer plays the face: 'centred' while it is in the window. */
  faceState(): FaceState {
    return this.pos ? 'centred' : 'none';
  }

  /** Current cursor position, for drawing the foveal window. */
  position(): { x: number; y: number } | null {
    return this.pos;
  }
}
