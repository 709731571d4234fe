/**
 * Average Drop and Increase in Confidence (ADIC).
 *
 * Paper: Chattopadhay, Sarkar, Howlader & Balasubramanian (2018), "Grad-CAM++: Generalized
 * gradient-based visual explanations for deep convolutional networks", WACV, section 6.1.1.
 * Reference: pytorch-grad-cam `metrics/cam_mult_image.py` `DropInConfidence` /
 * `IncreaseInConfidence` (jacobgil/pytorch-grad-cam), which multiply the (already preprocessed)
 * input tensor by the map.
 * Conventions:
 *  - Y = class probability on the image, O = class probability on the image multiplied pixel-wise
 *    (every channel) by the explanation map min-max scaled to [0, 1] — the paper's "explanation
 *    map"; the multiplication happens in model-input space, as in pytorch-grad-cam;
 *  - drop = max(0, Y − O) / Y (paper; pytorch-grad-cam reports max(0, Y − O) without dividing);
 *    increase = 1 when Y < O strictly;
 *  - aggregate: Average Drop % = 100 · mean(drop), Increase in Confidence % = 100 · mean(increase).
 * A constant map cannot be min-max scaled and Y = 0 leaves the drop undefined: MetricError.
 */
import { MetricError } from './errors';
import { checkGrid } from './validate';
import type { Grid } from './types';
import type { ModelImage, ScoreBatch } from './insertion-deletion';

export interface DropIncrease {
  readonly classIndex: number;
  /** Y: probability on the original image. */
  readonly original: number;
  /** O: probability on the image times the scaled map. */
  readonly explained: number;
  /** max(0, Y − O) / Y. */
  readonly drop: number;
  /** Y < O. */
  readonly increase: boolean;
}

const METRIC = 'averageDropIncrease';

/** The image multiplied by the min-max scaled map, channel by channel. */
export function maskImageBySaliency(image: ModelImage, saliency: Grid): Float32Array {
  checkGrid(METRIC, 'saliency', saliency);
  const { width, height, channels, data } = image;
  if (![width, height, channels].every((v) => Number.isInteger(v) && v > 0) || data.length !== width * height * channels) {
    throw new MetricError(METRIC, 'image', `expected positive integer size and ${width}x${height}x${channels} values, got ${data.length}`);
  }
  if (saliency.width !== width || saliency.height !== height) {
    throw new MetricError(METRIC, 'saliency', `size ${saliency.width}x${saliency.height} does not match image ${width}x${height}; resize it first`);
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of saliency.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === min) throw new MetricError(METRIC, 'saliency', 'constant map cannot be min-max scaled');
  const out = new Float32Array(data.length);
  for (let i = 0; i < width * height; i++) {
    const m = ((saliency.data[i] as number) - min) / (max - min);
    for (let c = 0; c < channels; c++) out[i * channels + c] = (data[i * channels + c] as number) * m;
  }
  return out;
}

export async function averageDropIncrease(
  image: ModelImage,
  saliency: Grid,
  scoreBatch: ScoreBatch,
  options: { readonly classIndex?: number } = {},
): Promise<DropIncrease> {
  const masked = maskImageBySaliency(image, saliency);
  if (!image.data.every(Number.isFinite)) throw new MetricError(METRIC, 'image', 'contains a non-finite value');
  const outputs = await scoreBatch([Float32Array.from(image.data), masked]);
  const [first, second] = outputs;
  if (outputs.length !== 2 || first === undefined || second === undefined) {
    throw new MetricError(METRIC, 'scoreBatch', `returned ${outputs.length} outputs for 2 inputs`);
  }
  let classIndex = options.classIndex;
  if (classIndex === undefined) {
    classIndex = 0;
    for (let i = 1; i < first.length; i++) if ((first[i] as number) > (first[classIndex] as number)) classIndex = i;
  }
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= first.length || classIndex >= second.length) {
    throw new MetricError(METRIC, 'classIndex', `${classIndex} is out of range for ${first.length} classes`);
  }
  const original = first[classIndex] as number;
  const explained = second[classIndex] as number;
  if (!Number.isFinite(original) || !Number.isFinite(explained)) {
    throw new MetricError(METRIC, 'scoreBatch', `returned a non-finite score (${original}, ${explained})`);
  }
  if (!(original > 0)) throw new MetricError(METRIC, 'scoreBatch', `score on the original image is ${original}; the drop needs Y > 0`);
  return { classIndex, original, explained, drop: Math.max(0, original - explained) / original, increase: original < explained };
}

/** Average Drop % and Increase in Confidence % over images (both × 100). */
export function aggregateDropIncrease(results: readonly DropIncrease[]): { averageDrop: number; increaseInConfidence: number } {
  if (results.length === 0) throw new MetricError('aggregateDropIncrease', 'results', 'empty input');
  let drop = 0;
  let increase = 0;
  for (const r of results) {
    drop += r.drop;
    increase += r.increase ? 1 : 0;
  }
  return { averageDrop: (100 * drop) / results.length, increaseInConfidence: (100 * increase) / results.length };
}
