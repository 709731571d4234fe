/**
 * Face-in-box feedback for the camera set-up: is a face found, and are both eyes inside the
 * central box of the camera image? Same rule as WebGazer's own `checkEyesInValidationBox`
 * (webgazer 3.5.3 src/index.mjs): a square of side `ratio` × min(video width, height) centred in
 * the frame, ratio 0.66 (`params.faceFeedbackBoxRatio`); every eye landmark must lie inside.
 * Landmarks are MediaPipe FaceMesh's 468 points in video pixels; the eye contours are the
 * indices WebGazer uses (src/facemesh.mjs, from tfjs-models' mesh_map).
 */
import type { FaceState } from './gaze-source';

export const FACE_BOX_RATIO = 0.66;

/** leftEyeUpper0 + leftEyeLower0 + rightEyeUpper0 + rightEyeLower0 (subject's left/right). */
export const EYE_LANDMARKS: readonly number[] = [
  466, 388, 387, 386, 385, 384, 398, 263, 249, 390, 373, 374, 380, 381, 382, 362, 246, 161, 160, 159, 158, 157, 173, 33, 7,
  163, 144, 145, 153, 154, 155, 133,
];

export function faceBox(video: { width: number; height: number }, ratio = FACE_BOX_RATIO) {
  const side = Math.min(video.width, video.height) * ratio;
  return { x0: (video.width - side) / 2, y0: (video.height - side) / 2, x1: (video.width + side) / 2, y1: (video.height + side) / 2 };
}

export function faceBoxState(
  landmarks: ReadonlyArray<ReadonlyArray<number>> | null | undefined,
  video: { width: number; height: number },
  ratio = FACE_BOX_RATIO,
): FaceState {
  if (!(video.width > 0 && video.height > 0)) return 'unknown';
  if (!landmarks || landmarks.length === 0) return 'none';
  const box = faceBox(video, ratio);
  for (const i of EYE_LANDMARKS) {
    const p = landmarks[i];
    if (!p) return 'none';
    const [x, y] = p;
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) return 'none';
    if (x <= box.x0 || x >= box.x1 || y <= box.y0 || y >= box.y1) return 'off-centre';
  }
  return 'centred';
}
