/**
 * The one interface the participant flow talks to for gaze: implemented by the WebGazer adapter
 * (webcam), the mouse source (SALICON-style alternative) and, in e2e builds only, a synthetic
 * source that follows a script. Samples are in screen CSS pixels (viewport coordinates, the
 * `clientX/clientY` frame) on the `performance.now()` clock.
 */

export type GazeModality = 'webcam' | 'mouse';

/**
 * Face tracking state, for the camera set-up feedback and face-lost flags:
 * 'unknown' before the face model answered, 'none' no face found, 'off-centre' a face outside
 * the central box, 'centred' found and centred (the feedback box turns green).
 */
export type FaceState = 'unknown' | 'none' | 'off-centre' | 'centred';

export interface GazeSample {
  /** performance.now() clock, ms. */
  t: number;
  /** Viewport CSS pixels; meaningless (0) when faceLost. */
  x: number;
  y: number;
  /** No face (webcam) or no pointer position: a gap, kept as a flagged sample. */
  faceLost: boolean;
}

/**
 * What is on screen, told to the source. Real sources ignore it; the synthetic source looks at it
 * (a calibration point, or a scripted place on the image shown at `rect`).
 */
export type Stimulus =
  | { kind: 'blank' }
  | { kind: 'point'; x: number; y: number }
  | {
      kind: 'image';
      imageId: string;
      width: number;
      height: number;
      rect: { x: number; y: number; width: number; height: number };
      /** Attention check: where the sentinel target is drawn (viewport CSS px). */
      target?: { x: number; y: number };
    };

export interface GazeSource {
  readonly modality: GazeModality;
  /** Starts the camera/listeners; resolves when samples can flow. Safe to call twice. */
  start(): Promise<void>;
  /** Stops everything and releases the camera. Safe to call twice. */
  stop(): Promise<void>;
  /** Subscribes to samples; returns the unsubscribe function. */
  onSample(cb: (sample: GazeSample) => void): () => void;
  /** Adds a calibration pair: the participant looks at (x, y) now (viewport CSS px). */
  calibrateAt(x: number, y: number): void;
  faceState(): FaceState;
  /** Optional: told what is on screen (only the synthetic source uses it). */
  setStimulus?(stimulus: Stimulus): void;
}

/** Fan-out helper shared by the sources. */
export class SampleListeners {
  private readonly listeners = new Set<(s: GazeSample) => void>();

  add(cb: (s: GazeSample) => void): () => void {
    this.listeners.add(cb);
    return () => {
      this.listeners.delete(cb);
    };
  }

  emit(sample: GazeSample): void {
    for (const cb of this.listeners) cb(sample);
  }

  clear(): void {
    this.listeners.clear();
  }
}
