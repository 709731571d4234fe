/**
 * Types for the part of WebGazer 3.5.3 (node_modules/webgazer/src/index.mjs, facemesh.mjs) that
 * lib/gaze/client/webgazer-adapter.ts uses. The package ships no types; the dist bundle sets
 * `module.exports.webgazer`.
 */
declare module 'webgazer/dist/webgazer.commonjs2.js' {
  export interface WebgazerPrediction {
    x: number;
    y: number;
  }

  export interface WebgazerTracker {
    /** MediaPipe FaceMesh detector, set once the face model has loaded. */
    detector: unknown;
    /** Last face landmarks ([x, y, z] in video pixels), not cleared when the face is lost. */
    getPositions(): number[][] | null;
    getEyePatches(video: HTMLVideoElement, canvas: HTMLCanvasElement, width: number, height: number): Promise<unknown>;
  }

  export interface WebgazerParams {
    faceMeshSolutionPath: string;
    videoElementId: string;
    videoContainerId: string;
    videoViewerWidth: number;
    videoViewerHeight: number;
    showVideoPreview: boolean;
    camConstraints: MediaStreamConstraints;
  }

  export interface Webgazer {
    params: WebgazerParams;
    begin(onFail?: () => void): Promise<Webgazer>;
    end(): Webgazer;
    pause(): Webgazer;
    resume(): Promise<Webgazer>;
    isReady(): boolean;
    saveDataAcrossSessions(val: boolean): Webgazer;
    applyKalmanFilter(val: boolean): Webgazer;
    showVideoPreview(val: boolean): Webgazer;
    showVideo(val: boolean): Webgazer;
    showFaceOverlay(val: boolean): Webgazer;
    showFaceFeedbackBox(val: boolean): Webgazer;
    showPredictionPoints(val: boolean): Webgazer;
    removeMouseEventListeners(): Webgazer;
    recordScreenPosition(x: number, y: number, eventType?: 'click' | 'move'): Webgazer;
    setGazeListener(listener: (data: WebgazerPrediction | null, elapsedMs: number) => void): Webgazer;
    clearGazeListener(): Webgazer;
    setVideoViewerSize(w: number, h: number): void;
    getTracker(): WebgazerTracker;
  }

  export const webgazer: Webgazer;
  const mod: { webgazer: Webgazer };
  export default mod;
}
