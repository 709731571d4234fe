/**
 * The only importer of WebGazer (Papoutsaki et al. 2016, IJCAI, "WebGazer: Scalable Webcam Eye
 * Tracking Using User Interactions"; github.com/brownhci/WebGazer 3.5.3), as a GazeSource.
 *
 * - Loaded lazily: `import('webgazer/dist/webgazer.commonjs2.js')` runs on the first start(), from
 *   the camera step (itself a next/dynamic ssr:false chunk), so neither WebGazer nor TF.js is in
 *   the participant page's initial JavaScript.
 * - Same origin only: MediaPipe FaceMesh's loader, wasm and model data come from
 *   /mediapipe/face_mesh (copied from webgazer/dist/mediapipe by scripts/copy-public-assets.mjs);
 *   the path must be absolute because the page lives at /s/<slug>.
 * - One WebGazer per page: the library is a module full of mutable state, and React StrictMode
 *   runs effects twice, so begin() goes through a module-level singleton promise, and sources
 *   hold it by reference: the camera is released when the last holder stops.
 * - Privacy: `saveDataAcrossSessions(false)` (nothing in localforage/IndexedDB); WebGazer's own
 *   mouse listeners are removed, calibration pairs are added explicitly with calibrateAt(); on
 *   stop the camera tracks are stopped here (WebGazer's end() leaves the camera on) and end()
 *   removes its DOM.
 * - Face state: WebGazer reports no gaze both before calibration and when the face is lost, so
 *   the tracker's getEyePatches is wrapped to record whether the last frame had a face; the
 *   face-in-box rule is lib/gaze/client/face-box.ts.
 */
import type { Webgazer } from 'webgazer/dist/webgazer.commonjs2.js';
import { faceBoxState } from './face-box';
import { SampleListeners, type FaceState, type GazeSample, type GazeSource } from './gaze-source';

export const MEDIAPIPE_SOLUTION_PATH = '/mediapipe/face_mesh';
/** Preview size during the camera step (WebGazer's default is 320×240). */
const PREVIEW = { width: 320, height: 240 };

interface Running {
  wg: Webgazer;
  stream: MediaStream | null;
}

let running: Promise<Running> | null = null;
/** The resolved `running`, for the synchronous faceState()/status(). */
let active: Running | null = null;
let lastFaceFound: boolean | null = null;
const wrappedTrackers = new WeakSet<object>();
/** Sources that started and have not stopped yet. */
const holders = new Set<object>();
const listeners = new SampleListeners();

async function loadWebgazer(): Promise<Webgazer> {
  const mod = await import('webgazer/dist/webgazer.commonjs2.js');
  const wg = (mod as { webgazer?: Webgazer }).webgazer ?? mod.default.webgazer;
  if (!wg) throw new Error('WebGazer module did not load');
  return wg;
}

function videoElement(wg: Webgazer): HTMLVideoElement | null {
  const el = document.getElementById(wg.params.videoElementId);
  return el instanceof HTMLVideoElement ? el : null;
}

async function begin(): Promise<Running> {
  const wg = await loadWebgazer();
  wg.params.faceMeshSolutionPath = MEDIAPIPE_SOLUTION_PATH;
  wg.params.videoViewerWidth = PREVIEW.width;
  wg.params.videoViewerHeight = PREVIEW.height;
  wg.saveDataAcrossSessions(false);
  wg.applyKalmanFilter(true);
  wg.showPredictionPoints(false);

  const tracker = wg.getTracker();
  if (!wrappedTrackers.has(tracker)) {
    const original = tracker.getEyePatches.bind(tracker);
    tracker.getEyePatches = async (video, canvas, width, height) => {
      const patches = await original(video, canvas, width, height);
      lastFaceFound = Boolean(patches);
      return patches;
    };
    wrappedTrackers.add(tracker);
  }

  wg.setGazeListener((data) => {
    const t = performance.now();
    const sample: GazeSample =
      data && Number.isFinite(data.x) && Number.isFinite(data.y) ? { t, x: data.x, y: data.y, faceLost: false } : { t, x: 0, y: 0, faceLost: true };
    listeners.emit(sample);
  });
  await wg.begin();
  wg.removeMouseEventListeners();
  const state: Running = { wg, stream: (videoElement(wg)?.srcObject as MediaStream | null) ?? null };
  active = state;
  return state;
}

function stopTracks(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

export class WebGazerSource implements GazeSource {
  readonly modality = 'webcam' as const;

  async start(): Promise<void> {
    holders.add(this);
    if (!running) {
      const p = begin();
      running = p;
      p.catch(() => {
        if (running === p) running = null;
      });
    }
    await running;
  }

  async stop(): Promise<void> {
    if (!holders.delete(this) || holders.size > 0) return;
    const r = running;
    running = null;
    active = null;
    lastFaceFound = null;
    if (!r) return;
    let state: Running;
    try {
      state = await r;
    } catch {
      // begin() failed: no camera to release (its rejection was already reported by start()).
      return;
    }
    const live = videoElement(state.wg)?.srcObject as MediaStream | null | undefined;
    stopTracks(state.stream);
    if (live && live !== state.stream) stopTracks(live);
    state.wg.clearGazeListener();
    state.wg.end();
  }

  onSample(cb: (sample: GazeSample) => void): () => void {
    return listeners.add(cb);
  }

  calibrateAt(x: number, y: number): void {
    void running?.then(({ wg }) => wg.recordScreenPosition(x, y, 'click'));
  }

  faceState(): FaceState {
    const v = active && videoElement(active.wg);
    if (!active || !v || lastFaceFound === null) return 'unknown';
    if (!lastFaceFound) return 'none';
    return faceBoxState(active.wg.getTracker().getPositions(), { width: v.videoWidth, height: v.videoHeight });
  }

  /** Camera delivering frames, and the MediaPipe face model loaded (the set-up step waits for both). */
  status(): { cameraLive: boolean; faceModelLoaded: boolean } {
    if (!active) return { cameraLive: false, faceModelLoaded: false };
    const cameraLive = Boolean(active.stream?.getVideoTracks().some((t) => t.readyState === 'live'));
    return { cameraLive, faceModelLoaded: Boolean(active.wg.getTracker().detector) };
  }

  /** Shows or hides WebGazer's camera preview, placed at a fixed position (viewport CSS px). */
  showPreview(show: boolean, at?: { left: number; top: number }): void {
    void running?.then(({ wg }) => {
      wg.showVideoPreview(show);
      const c = document.getElementById(wg.params.videoContainerId);
      if (c && at) {
        c.style.left = `${at.left}px`;
        c.style.top = `${at.top}px`;
      }
    });
  }
}
